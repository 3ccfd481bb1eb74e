package policy

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sync/atomic"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apitypes "k8s.io/apimachinery/pkg/types"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// synthetic is a generated cluster for benchmarks: workloads spread over
// namespaces, a policy per workload, and a baseline per workload.
type synthetic struct {
	cluster   *Cluster
	refs      []flow.WorkloadRef
	policies  []networkingv1.NetworkPolicy
	baselines []flow.Baseline
	index     map[flow.WorkloadRef]int // position in baselines
}

// worlds counts the synthetic worlds made, so that each has its own UIDs.
var worlds atomic.Int64

func synthName(i int) string { return fmt.Sprintf("w%04d", i) }

// newSynthetic builds workloads (perNS to a namespace), one existing policy
// per workload, and edgesPer flows per workload (half egress, half
// ingress) to random peers, some external.
func newSynthetic(workloads, perNS, edgesPer int) synthetic {
	r := rand.New(rand.NewPCG(42, 7))
	world := worlds.Add(1)
	s := synthetic{cluster: &Cluster{Namespaces: map[string]map[string]string{}, Workloads: map[flow.WorkloadRef]Workload{}},
		index: map[flow.WorkloadRef]int{}}
	for i := range workloads {
		ns := fmt.Sprintf("ns%03d", i/perNS)
		s.cluster.Namespaces[ns] = map[string]string{MetadataNameLabel: ns, "team": fmt.Sprintf("t%d", i/perNS%5)}
		ref := flow.WorkloadRef{Namespace: ns, Kind: flow.KindDeployment, Name: synthName(i)}
		s.refs = append(s.refs, ref)
		s.cluster.Workloads[ref] = Workload{Ref: ref,
			Labels: map[string]string{"app": synthName(i), "tier": fmt.Sprintf("t%d", i%3), "pod-template-hash": "h"},
			IPs:    []netip.Addr{netip.AddrFrom4([4]byte{198, 18, byte(i / 250), byte(i%250 + 1)})},
			Ports:  []NamedPort{{Name: "http", Port: 8080, Protocol: corev1.ProtocolTCP}}}
	}
	for i, ref := range s.refs {
		s.policies = append(s.policies, synthPolicy(r, world, ref, s.refs))
		s.index[ref] = len(s.baselines)
		s.baselines = append(s.baselines, synthBaseline(r, ref, s.refs, edgesPer, i))
	}
	s.cluster.GroupWorkloads() // as the inventory's snapshots are
	return s
}

func synthPolicy(r *rand.Rand, world int64, ref flow.WorkloadRef, refs []flow.WorkloadRef) networkingv1.NetworkPolicy {
	peer := refs[r.IntN(len(refs))]
	np := makePolicy(ref.Namespace, ref.Name, map[string]string{"app": ref.Name}, types(ing, egr),
		ingressRule(peers(podPeer(map[string]string{"tier": "t1"}), nsPeer(map[string]string{"team": "t2"})), named("http"), tcp(9090)),
		egressRule(peers(nsPodPeer(map[string]string{MetadataNameLabel: peer.Namespace}, map[string]string{"app": peer.Name})), portRange(8000, 8100)),
		egressRule(peers(ipPeer("203.0.113.0/24", "203.0.113.128/25")), tcp(443)))
	// Versioned as the informers' policies are (see indexCache), with UIDs
	// unique to this world: another world's policy of the same name differs.
	np.UID, np.ResourceVersion = apitypes.UID(fmt.Sprintf("uid-%d-%s-%s", world, ref.Namespace, ref.Name)), "1"
	return np
}

func synthBaseline(r *rand.Rand, ref flow.WorkloadRef, refs []flow.WorkloadRef, edges, seed int) flow.Baseline {
	b := flow.Baseline{Workload: ref}
	ports := []int32{53, 443, 5432, 6379, 8080, 9090}
	for e := range edges {
		dir := flow.Egress
		if e%2 == 1 {
			dir = flow.Ingress
		}
		p := flow.Peer{Kind: flow.PeerWorkload, Workload: refs[r.IntN(len(refs))]}
		if e%10 == 0 {
			p = flow.Peer{Kind: flow.PeerExternal, IP: netip.AddrFrom4([4]byte{203, 0, 113, byte(r.IntN(250))})}
		}
		f := flow.Flow{Key: flow.Key{Workload: ref, Direction: dir, Peer: p, Port: ports[r.IntN(len(ports))] + int32(e/len(ports)%2),
			Protocol: corev1.ProtocolTCP, Process: "app"}, Count: uint64(seed + e + 1), FirstSeen: t0, LastSeen: t0}
		b.Flows = append(b.Flows, f)
	}
	b.Flows = flow.Aggregate(b.Flows)
	return b
}
