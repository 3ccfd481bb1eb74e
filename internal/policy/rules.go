package policy

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// portKey is one allowed port of one protocol.
type portKey struct {
	protocol corev1.Protocol
	port     int32
}

// ruleSet collects the ports each target needs in one direction and merges
// them into as few rules as possible: targets needing the same ports share
// a rule, and consecutive ports become a range.
type ruleSet map[target]map[portKey]struct{}

func (r ruleSet) add(t target, protocol corev1.Protocol, port int32) {
	ports, ok := r[t]
	if !ok {
		ports = make(map[portKey]struct{})
		r[t] = ports
	}
	if t.dns {
		ports[portKey{corev1.ProtocolUDP, 53}] = struct{}{}
		ports[portKey{corev1.ProtocolTCP, 53}] = struct{}{}
		return
	}
	ports[portKey{protocolOf(protocol), port}] = struct{}{}
}

// group is the targets sharing one port set; key renders the ports for
// ordering.
type group struct {
	ports   []portKey
	key     string
	targets []target
}

// groups merges targets by port set, sorted by their first target.
func (r ruleSet) groups() []group {
	byPorts := make(map[string]*group)
	for t, set := range r {
		ports := sortedPorts(set)
		k := portsKey(ports)
		g, ok := byPorts[k]
		if !ok {
			g = &group{ports: ports, key: k}
			byPorts[k] = g
		}
		g.targets = append(g.targets, t)
	}
	out := make([]group, 0, len(byPorts))
	for _, g := range byPorts {
		slices.SortFunc(g.targets, target.compare)
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b group) int {
		return cmp.Or(a.targets[0].compare(b.targets[0]), strings.Compare(a.key, b.key))
	})
	return out
}

func sortedPorts(set map[portKey]struct{}) []portKey {
	out := make([]portKey, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b portKey) int {
		return cmp.Or(cmp.Compare(a.protocol, b.protocol), cmp.Compare(a.port, b.port))
	})
	return out
}

func portsKey(ports []portKey) string {
	var b strings.Builder
	for _, p := range ports {
		b.WriteString(string(p.protocol))
		b.WriteByte('/')
		b.WriteString(strconv.Itoa(int(p.port)))
		b.WriteByte(',')
	}
	return b.String()
}

func (g group) peers() []networkingv1.NetworkPolicyPeer {
	out := make([]networkingv1.NetworkPolicyPeer, 0, len(g.targets))
	for _, t := range g.targets {
		out = append(out, t.peer())
	}
	return out
}

// policyPorts writes sorted ports, a run of consecutive ports of one
// protocol as port..endPort.
func (g group) policyPorts() []networkingv1.NetworkPolicyPort {
	var out []networkingv1.NetworkPolicyPort
	for i := 0; i < len(g.ports); {
		j := i
		for j+1 < len(g.ports) && g.ports[j+1].protocol == g.ports[i].protocol && g.ports[j+1].port == g.ports[j].port+1 {
			j++
		}
		proto, port := g.ports[i].protocol, intstr.FromInt32(g.ports[i].port)
		p := networkingv1.NetworkPolicyPort{Protocol: &proto, Port: &port}
		if j > i {
			end := g.ports[j].port
			p.EndPort = &end
		}
		out = append(out, p)
		i = j + 1
	}
	return out
}
