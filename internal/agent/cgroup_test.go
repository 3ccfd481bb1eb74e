package agent

import (
	"errors"
	"log/slog"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/cgroups"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// cgroupPods is a fixed cgroup ID → pod UID table, for tests of the agent's
// own logic (internal/cgroups tests the real resolver).
type cgroupPods map[uint64]string

func (c cgroupPods) PodUID(id uint64) (string, bool) { uid, ok := c[id]; return uid, ok }

func TestAgentResolvesHostNetworkPodsByCgroup(t *testing.T) {
	const uid, id = "0f3c5a7e-2b1d-4c8e-9a6f-1e2d3c4b5a69", 4242
	x := localPods()
	x.SetPod(&corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "agent-x", UID: uid, CreationTimestamp: metav1.NewTime(t0.Add(-time.Hour)),
			OwnerReferences: []metav1.OwnerReference{{Kind: "DaemonSet", Name: "agent", Controller: ptrTrue()}}},
		Spec:   corev1.PodSpec{HostNetwork: true},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, PodIPs: []corev1.PodIP{{IP: "198.18.255.1"}}},
	})
	a := &Agent{Resolver: x, Cgroups: cgroupPods{id: uid}, Logger: slog.New(slog.DiscardHandler)}
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

// TestCgroupRootDefaultsToTheCgroup2Mount: the agent's resolver walks the
// cgroup2 mount (/sys/fs/cgroup/unified on this hybrid host), and refuses a
// root on another file system, whose inode numbers are not cgroup IDs.
func TestCgroupRootDefaultsToTheCgroup2Mount(t *testing.T) {
	if DefaultConfig().CgroupRoot != "" {
		t.Fatalf("default --cgroup-root %q, want empty (find the cgroup2 mount)", DefaultConfig().CgroupRoot)
	}
	v2, err := cgroups.V2Mount()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, root, want string
		err              error
	}{
		{"default", "", v2, nil},
		{"the mount named", v2, v2, nil},
		{"a plain directory", t.TempDir(), "", cgroups.ErrNotV2},
	}
	if parent := filepath.Dir(v2); v2 != "/" {
		// /sys/fs/cgroup on a hybrid host: a tmpfs holding the v1 hierarchies.
		tests = append(tests, struct {
			name, root, want string
			err              error
		}{"the mount's parent", parent, "", cgroups.ErrNotV2})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := cgroupResolver(tt.root, slog.New(slog.DiscardHandler))
			if !errors.Is(err, tt.err) {
				t.Fatalf("cgroupResolver(%q): %v, want %v", tt.root, err, tt.err)
			}
			if tt.err == nil && r.(*cgroups.Resolver).Root() != tt.want {
				t.Fatalf("cgroupResolver(%q) walks %s, want %s", tt.root, r.(*cgroups.Resolver).Root(), tt.want)
			}
		})
	}
}

func ptrTrue() *bool { b := true; return &b }

// TestAgentDropsLoopbackConnections: connections over the loopback device
// (a sidecar on localhost) never cross a NetworkPolicy: a record of them
// would only turn into an "external 127.0.0.1" peer and a false warning.
func TestAgentDropsLoopbackConnections(t *testing.T) {
	const id = 7
	a := &Agent{Resolver: localPods(), Cgroups: cgroupPods{id: "u1"}, Logger: slog.New(slog.DiscardHandler)}
	var obs []flow.Observation
	for _, ip := range []string{"127.0.0.1", "::1"} {
		o := observation(ip, 1)
		o.Server, o.ServerPort, o.CgroupID = netip.MustParseAddr(ip), 15001, id
		in := o
		in.Direction, in.Client = flow.Ingress, netip.MustParseAddr(ip)
		obs = append(obs, o, in)
	}
	recs := a.records(append(obs, observation("198.18.0.10", 1)))
	if len(recs) != 1 || recs[0].Observation.Server != netip.MustParseAddr("203.0.113.7") {
		t.Fatalf("records = %+v, want only the connection to 203.0.113.7", recs)
	}
	if len(a.unresolved) != 0 {
		t.Fatalf("loopback observations kept for another drain: %v", a.unresolved)
	}
}
