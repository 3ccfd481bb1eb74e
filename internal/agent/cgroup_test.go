package agent

import (
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

const uid = "0f3c5a7e-2b1d-4c8e-9a6f-1e2d3c4b5a69"

// mkCgroup makes dir under root and returns its inode (its cgroup ID).
func mkCgroup(t *testing.T, root, dir string) uint64 {
	t.Helper()
	path := filepath.Join(root, dir)
	if err := os.MkdirAll(path, 0o755); err != nil {
		t.Fatalf("mkdir: %v", err)
	}
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		t.Fatalf("stat: %v", err)
	}
	return st.Ino
}

func TestCgroupsFindPodUIDs(t *testing.T) {
	root := t.TempDir()
	tests := []struct {
		name, dir string
		want      string
	}{
		{"systemd driver, container", "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0f3c5a7e_2b1d_4c8e_9a6f_1e2d3c4b5a69.slice/cri-containerd-abc.scope", uid},
		{"systemd driver, guaranteed pod", "kubepods.slice/kubepods-pod0f3c5a7e_2b1d_4c8e_9a6f_1e2d3c4b5a69.slice", uid},
		{"cgroupfs driver, container", "kubepods/besteffort/pod0f3c5a7e-2b1d-4c8e-9a6f-1e2d3c4b5a69/4f1e9c", uid},
		{"not a pod", "system.slice/containerd.service", ""},
	}
	ids := map[string]uint64{}
	for _, tt := range tests {
		ids[tt.name] = mkCgroup(t, root, tt.dir)
	}
	c := NewCgroups(root, time.Hour)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := c.PodUID(ids[tt.name])
			if got != tt.want || ok != (tt.want != "") {
				t.Fatalf("PodUID = %q, %v; want %q", got, ok, tt.want)
			}
		})
	}
}

func TestAgentResolvesHostNetworkPodsByCgroup(t *testing.T) {
	root := t.TempDir()
	id := mkCgroup(t, root, "kubepods/pod"+uid+"/c1")
	x := localPods()
	x.SetPod(&corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "agent-x", UID: uid, CreationTimestamp: metav1.NewTime(t0.Add(-time.Hour)),
			OwnerReferences: []metav1.OwnerReference{{Kind: "DaemonSet", Name: "agent", Controller: ptrTrue()}}},
		Spec:   corev1.PodSpec{HostNetwork: true},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, PodIPs: []corev1.PodIP{{IP: "198.18.255.1"}}},
	})
	a := &Agent{Resolver: x, Cgroups: NewCgroups(root, time.Hour), Logger: slog.New(slog.DiscardHandler)}
	o := observation("198.18.255.1", 1)
	o.CgroupID = id
	recs := a.records([]flow.Observation{o, observation("198.18.255.1", 1)})
	want := flow.WorkloadRef{Namespace: "kube-system", Kind: flow.KindDaemonSet, Name: "agent"}
	if len(recs) != 1 || recs[0].Workload != want {
		t.Fatalf("records = %+v, want one of %v (the other has no cgroup and is dropped)", recs, want)
	}
	if _, ok := x.Local(netip.MustParseAddr("198.18.255.1"), t0); ok {
		t.Fatalf("the node IP resolved by IP")
	}
}

func ptrTrue() *bool { b := true; return &b }
