package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// Errors of Recommend, to test with errors.Is.
var (
	// ErrUnknownWorkload: the workload is not in the cluster snapshot.
	ErrUnknownWorkload = errors.New("workload not in the cluster snapshot")
	// ErrNoStableLabels: the workload's pods carry no label but churning
	// ones, so no podSelector can pick them without picking the whole
	// namespace.
	ErrNoStableLabels = errors.New("pods carry no stable label to select them by: label the pod template")
	// ErrHostNetwork: NetworkPolicies never apply to host-network pods.
	ErrHostNetwork = errors.New("host-network pods are not subject to NetworkPolicies")
	// ErrNoCluster: Recommend was given no cluster snapshot.
	ErrNoCluster = errors.New("no cluster snapshot: the inventory has not been built yet")
)

// Labels and annotations of recommended policies.
const (
	ManagedByLabel    = "app.kubernetes.io/managed-by"
	ManagedByValue    = "netpol-advisor"
	AliasesAnnotation = "netpol-advisor.io/aliases"
)

func recommend(c *Cluster, b flow.Baseline, adj Adjustments) (Recommendation, error) {
	if c == nil {
		return Recommendation{}, fmt.Errorf("recommend a policy for %s: %w", b.Workload, ErrNoCluster)
	}
	w, ok := c.Workloads[b.Workload]
	if !ok {
		return Recommendation{}, fmt.Errorf("recommend a policy for %s: %w", b.Workload, ErrUnknownWorkload)
	}
	if w.HostNetwork {
		return Recommendation{}, fmt.Errorf("recommend a policy for %s: %w", b.Workload, ErrHostNetwork)
	}
	if len(w.SelectorLabels()) == 0 {
		return Recommendation{}, fmt.Errorf("recommend a policy for %s: %w", b.Workload, ErrNoStableLabels)
	}
	sels := newSelections(c)
	sels.prepare(selectedBy(c, w, b.Flows))
	in, out := ruleSet{}, ruleSet{}
	aliases := map[string]string{}
	peerOverlaps := map[flow.WorkloadRef][]flow.WorkloadRef{}
	var warnings []string
	for _, f := range b.Flows {
		if f.Count == 0 || adj.Excludes(f.Peer) {
			continue // a failed connect is evidence of a block, never traffic to allow
		}
		ts, ok := targetsFor(sels, b.Workload, f, adj)
		if !ok {
			continue
		}
		ports, err := c.servicePorts(&f)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("no %s rule: %v", strings.ToLower(string(f.Direction)), err))
			continue
		}
		if a, ok := adj.allowFor(f.Peer.IP); ok && f.Peer.Kind == flow.PeerExternal && a.Alias != "" {
			aliases[a.CIDR.Masked().String()] = a.Alias
		}
		if pw, ok := c.Workloads[f.Peer.Workload]; ok && f.Peer.Kind == flow.PeerWorkload && !pw.HostNetwork && !ts[0].dns {
			if o := sels.of(pw).others; len(o) > 0 {
				peerOverlaps[pw.Ref] = o
			}
		}
		rs := out
		if f.Direction == flow.Ingress {
			rs = in
		}
		for _, t := range ts {
			for _, port := range ports {
				rs.add(t, f.Protocol, port)
			}
		}
	}
	own := sels.of(w)
	r := Recommendation{Policy: buildPolicy(w, own, in, out, aliases), AlsoSelects: own.others}
	r.Warnings = append(overlapWarnings(w.Ref, own.others, peerOverlaps), warnings...)
	return r, nil
}

// selectedBy lists w and its workload peers: the selections a
// recommendation writes.
func selectedBy(c *Cluster, w Workload, flows []flow.Flow) []Workload {
	out := []Workload{w}
	seen := map[flow.WorkloadRef]bool{w.Ref: true}
	for i := range flows {
		ref := flows[i].Peer.Workload
		if flows[i].Peer.Kind != flow.PeerWorkload || seen[ref] {
			continue
		}
		seen[ref] = true
		if pw, ok := c.Workloads[ref]; ok && !pw.HostNetwork {
			out = append(out, pw)
		}
	}
	return out
}

// overlapWarnings say which other workloads' pods the policy selects or
// its rules let in, because no label tells them apart.
func overlapWarnings(self flow.WorkloadRef, own []flow.WorkloadRef, peers map[flow.WorkloadRef][]flow.WorkloadRef) []string {
	var out []string
	if len(own) > 0 {
		out = append(out, fmt.Sprintf("the podSelector for %s also selects the pods of %s, whose labels do not tell them apart: "+
			"the policy isolates them too; give %s's pod template a label of its own", self, refList(own), self.Name))
	}
	refs := slices.Collect(maps.Keys(peers))
	sortRefs(refs)
	for _, p := range refs {
		out = append(out, fmt.Sprintf("the rules for peer %s also match the pods of %s, whose labels do not tell them apart", p, refList(peers[p])))
	}
	return out
}

func refList(refs []flow.WorkloadRef) string {
	s := make([]string, len(refs))
	for i, r := range refs {
		s[i] = r.String()
	}
	return strings.Join(s, ", ")
}

func buildPolicy(w Workload, own podSelection, in, out ruleSet, aliases map[string]string) networkingv1.NetworkPolicy {
	np := networkingv1.NetworkPolicy{
		TypeMeta: metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: metav1.ObjectMeta{
			Namespace: w.Ref.Namespace,
			Name:      w.Ref.Name,
			Labels:    map[string]string{ManagedByLabel: ManagedByValue},
		},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: *parseCanonical(own.canon),
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
			Ingress:     []networkingv1.NetworkPolicyIngressRule{},
			Egress:      []networkingv1.NetworkPolicyEgressRule{},
		},
	}
	if len(aliases) > 0 {
		js, _ := json.Marshal(aliases) // a map of strings always marshals, keys sorted
		np.Annotations = map[string]string{AliasesAnnotation: string(js)}
	}
	for _, g := range in.groups() {
		np.Spec.Ingress = append(np.Spec.Ingress, networkingv1.NetworkPolicyIngressRule{From: g.peers(), Ports: g.policyPorts()})
	}
	for _, g := range out.groups() {
		np.Spec.Egress = append(np.Spec.Egress, networkingv1.NetworkPolicyEgressRule{To: g.peers(), Ports: g.policyPorts()})
	}
	return np
}
