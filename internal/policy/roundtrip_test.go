package policy

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// TestRecommendAllowsExactlyWhatWasSeen: for generated baselines, the
// recommended policy alone allows, on the workload's side, every observed
// in-cluster flow and no other (peer, port) pair of the same peers and
// ports; external peers, with no adjustment, are never allowed.
func TestRecommendAllowsExactlyWhatWasSeen(t *testing.T) {
	s := newSynthetic(60, 20, 40)
	var ports []int32 // every observed port, and its neighbours
	for _, base := range []int32{53, 443, 5432, 6379, 8080, 9090} {
		ports = append(ports, base-1, base, base+1, base+2)
	}
	for _, b := range s.baselines {
		rec, err := Recommend(s.cluster, b, Adjustments{})
		if err != nil {
			t.Fatalf("Recommend(%s): %v", b.Workload, err)
		}
		ev := NewEvaluator([]networkingv1.NetworkPolicy{rec}, s.cluster.Namespaces)
		self := endpointOf(s.cluster.Workloads[b.Workload])
		seen := map[flow.Key]bool{}
		peersSeen := map[flow.Peer]bool{}
		for _, f := range b.Flows {
			k := f.Key
			k.Process = ""
			seen[k] = true
			peersSeen[f.Peer] = true
		}
		for p := range peersSeen {
			peer := Endpoint{IP: p.IP}
			if p.Kind == flow.PeerWorkload {
				peer = endpointOf(s.cluster.Workloads[p.Workload])
			}
			for _, dir := range []flow.Direction{flow.Egress, flow.Ingress} {
				for _, port := range ports {
					k := flow.Key{Workload: b.Workload, Direction: dir, Peer: p, Port: port, Protocol: corev1.ProtocolTCP}
					conn := Connection{Source: self, Destination: peer, Port: port, Protocol: corev1.ProtocolTCP}
					allowed := ev.Evaluate(conn).Egress.Allowed
					if dir == flow.Ingress {
						conn.Source, conn.Destination = peer, self
						allowed = ev.Evaluate(conn).Ingress.Allowed
					}
					want := seen[k] && p.Kind != flow.PeerExternal
					if allowed != want {
						t.Fatalf("%s %s %s port %d: recommended policy allows = %v, want %v (observed: %v)", b.Workload, dir, p, port, allowed, want, seen[k])
					}
				}
			}
		}
	}
}
