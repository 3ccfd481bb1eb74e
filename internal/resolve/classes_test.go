package resolve

import (
	"net/netip"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/google/go-cmp/cmp"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// TestPeerClasses: NodeLocal DNSCache is DNS, a Service scaled to zero a
// Service at its target port, an address the index may have forgotten
// unresolved; only an address that cannot have been a pod's is external.
func TestPeerClasses(t *testing.T) {
	now := t0.Add(time.Hour)
	x := NewIndex(time.Minute, func() time.Time { return now })
	x.since = t0
	x.SetService(makeService("shop", "cart", "198.19.0.20", corev1.ServicePort{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080)}))
	x.SetService(makeService("shop", "plain", "198.19.0.21", corev1.ServicePort{Name: "db", Port: 5432}))
	x.SetService(makeService("shop", "named", "198.19.0.22", corev1.ServicePort{Name: "web", Port: 80, TargetPort: intstr.FromString("web")}))
	recent, old := now.Add(-10*time.Second), now.Add(-10*time.Minute)
	ip := netip.MustParseAddr
	svc := func(name string, port int32) flow.Peer {
		return flow.Peer{Kind: flow.PeerService, Service: flow.ServiceRef{Namespace: "shop", Name: name, Port: port}}
	}
	tests := []struct {
		name  string
		cidrs []string // pod CIDRs of node-1
		obs   flow.Observation
		want  []Target
	}{
		{"node-local dns", nil, egress("169.254.20.10", 53, recent), []Target{{flow.Peer{Kind: flow.PeerNodeLocalDNS, IP: ip("169.254.20.10")}, 53}}},
		{"node-local dns replayed late", nil, egress("169.254.20.10", 53, old), []Target{{flow.Peer{Kind: flow.PeerNodeLocalDNS, IP: ip("169.254.20.10")}, 53}}},
		{"service scaled to zero: target port", nil, egress("198.19.0.20", 80, recent), []Target{{svc("cart", 80), 8080}}},
		{"service scaled to zero: no target port", nil, egress("198.19.0.21", 5432, recent), []Target{{svc("plain", 5432), 5432}}},
		{"service scaled to zero: named target port", nil, egress("198.19.0.22", 80, recent), []Target{{svc("named", 80), 80}}},
		{"unknown address, recent: external", nil, egress("203.0.113.7", 27017, recent), []Target{{flow.Peer{Kind: flow.PeerExternal, IP: ip("203.0.113.7")}, 27017}}},
		{"unknown address, past the history: unresolved", nil, egress("198.18.0.50", 8080, old), []Target{{flow.Peer{Kind: flow.PeerUnresolved, IP: ip("198.18.0.50")}, 8080}}},
		{"before the index started: unresolved", nil, ingress("198.18.0.50", 8080, t0.Add(-time.Minute)), []Target{{flow.Peer{Kind: flow.PeerUnresolved, IP: ip("198.18.0.50")}, 8080}}},
		{"past the history, inside a node's pod CIDR: unresolved", []string{"198.18.0.0/24"}, egress("198.18.0.50", 8080, old), []Target{{flow.Peer{Kind: flow.PeerUnresolved, IP: ip("198.18.0.50")}, 8080}}},
		{"past the history, outside every pod CIDR: external", []string{"198.18.0.0/24"}, egress("203.0.113.7", 27017, old), []Target{{flow.Peer{Kind: flow.PeerExternal, IP: ip("203.0.113.7")}, 27017}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x.SetNode(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-1"}, Spec: corev1.NodeSpec{PodCIDRs: tt.cidrs}})
			if diff := cmp.Diff(tt.want, x.Remote(tt.obs), equateAddr); diff != "" {
				t.Fatalf("Remote (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNodeLocalDNSOff(t *testing.T) {
	x := NewIndex(time.Minute, nil)
	x.SetNodeLocalDNS()
	got := x.Remote(egress("169.254.20.10", 53, time.Now()))
	if got[0].Peer.Kind != flow.PeerExternal {
		t.Fatalf("with no node-local DNS address, 169.254.20.10 = %v", got)
	}
}

// TestOwnerWalk: any controller chain, custom kinds included, up to the
// first controller that is not a watched intermediate.
func TestOwnerWalk(t *testing.T) {
	o := NewOwners()
	rs := func(name string, owner []metav1.OwnerReference) metav1.Object {
		return makeReplicaSet("shop", name, owner)
	}
	rollout := []metav1.OwnerReference{{APIVersion: "argoproj.io/v1alpha1", Kind: "Rollout", Name: "cart", Controller: ptrTrue()}}
	o.Set("ReplicaSet", rs("cart-6c9f8", rollout))
	o.Set("ReplicaSet", rs("api-7d9f", controller("Deployment", "api")))
	o.Set("ReplicaSet", rs("orphan", nil))
	cycle := []metav1.OwnerReference{{Kind: "ReplicaSet", Name: "loop", Controller: ptrTrue()}}
	o.Set("ReplicaSet", rs("loop", cycle))
	ctl := func(kind, name string) *metav1.OwnerReference {
		return &metav1.OwnerReference{Kind: kind, Name: name, Controller: ptrTrue()}
	}
	ref := func(kind flow.Kind, name string) flow.WorkloadRef {
		return flow.WorkloadRef{Namespace: "shop", Kind: kind, Name: name}
	}
	tests := []struct {
		name      string
		c         *metav1.OwnerReference
		templHash string
		want      flow.WorkloadRef
	}{
		{"argo rollout", ctl("ReplicaSet", "cart-6c9f8"), "6c9f8", ref("Rollout", "cart")},
		{"deployment", ctl("ReplicaSet", "api-7d9f"), "7d9f", ref(flow.KindDeployment, "api")},
		{"replicaset without owner", ctl("ReplicaSet", "orphan"), "", ref(flow.KindReplicaSet, "orphan")},
		{"replicaset never seen, deployment naming", ctl("ReplicaSet", "web-55aa"), "55aa", ref(flow.KindDeployment, "web")},
		{"custom controller of pods", ctl("CloneSet", "shard"), "", ref("CloneSet", "shard")},
		{"bare pod", nil, "", ref(flow.KindPod, "p")},
		{"cycle ends", ctl("ReplicaSet", "loop"), "", ref(flow.KindReplicaSet, "loop")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := o.WorkloadOf("shop", "p", tt.c, tt.templHash); got != tt.want {
				t.Fatalf("WorkloadOf = %v, want %v", got, tt.want)
			}
		})
	}
}

func ptrTrue() *bool { b := true; return &b }

func TestConfiguredPodCIDRs(t *testing.T) {
	now := t0.Add(time.Hour)
	x := NewIndex(time.Minute, func() time.Time { return now })
	x.SetPodCIDRs(netip.MustParsePrefix("10.244.0.0/16"))
	old := t0.Add(-time.Hour)
	for ip, want := range map[string]flow.PeerKind{"10.244.3.7": flow.PeerUnresolved, "203.0.113.7": flow.PeerExternal} {
		if got := x.Remote(egress(ip, 443, old))[0].Peer.Kind; got != want {
			t.Errorf("%s long ago = %s, want %s", ip, got, want)
		}
	}
}
