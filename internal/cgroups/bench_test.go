package cgroups

import (
	"fmt"
	"testing"
)

// benchNode makes a kubelet-like tree of pods pods with three containers
// each (systemd driver) in a temporary directory, the shape of a busy node,
// and returns a resolver over it and the containers' IDs.
func benchNode(b *testing.B, pods int, opts Options) (*Resolver, []uint64) {
	b.Helper()
	r, root := tempResolver(b, opts)
	var ids []uint64
	for p := range pods {
		uid := fmt.Sprintf("%08x_2b1d_4c8e_9a6f_1e2d3c4b5a69", p)
		for c := range 3 {
			ids = append(ids, mkdirID(b, root, fmt.Sprintf("kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod%s.slice/cri-containerd-%d.scope", uid, c)))
		}
	}
	return r, ids
}

// BenchmarkResolverHit is the cost per observation of naming its pod once
// the index holds the cgroup.
func BenchmarkResolverHit(b *testing.B) {
	r, ids := benchNode(b, 300, Options{})
	if _, ok := r.PodUID(ids[0]); !ok {
		b.Fatal("pod not found")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, ok := r.PodUID(ids[i%len(ids)]); !ok {
			b.Fatal("pod not found")
		}
	}
}

// BenchmarkResolverRescan is the cost of one miss that walks a node of 300
// pods (1,200 cgroup directories): what MinRescan bounds.
func BenchmarkResolverRescan(b *testing.B) {
	r, _ := benchNode(b, 300, Options{MinRescan: -1})
	b.ReportAllocs()
	for i := uint64(0); b.Loop(); i++ {
		if _, ok := r.PodUID(1<<62 + i); ok {
			b.Fatal("an unknown ID resolved")
		}
	}
}
