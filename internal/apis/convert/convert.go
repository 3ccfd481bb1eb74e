package convert

import (
	"math"
	"net/netip"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/apis/v1alpha1"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

// WorkloadRef drops the namespace: API objects carry it in their metadata.
func WorkloadRef(w flow.WorkloadRef) v1alpha1.WorkloadReference {
	return v1alpha1.WorkloadReference{Kind: string(w.Kind), Name: w.Name}
}

// Window renders a window; zero ends are left out.
func Window(w flow.Window) v1alpha1.Window {
	var out v1alpha1.Window
	if !w.From.IsZero() {
		out.From = &metav1.Time{Time: w.From.UTC()}
	}
	if !w.To.IsZero() {
		out.To = &metav1.Time{Time: w.To.UTC()}
	}
	return out
}

// Flow renders one flow (its workload and direction are the baseline's).
// The process name is a node's word: escaped and bounded (issue 11).
func Flow(f flow.Flow) v1alpha1.Flow {
	return v1alpha1.Flow{Peer: Peer(f.Peer), Port: f.Port, Protocol: string(f.Protocol), Process: flow.SanitizeProcess(f.Process),
		Count: Saturate(f.Count), Failed: Saturate(f.Failed),
		Refused: Saturate(f.Refused), TimedOut: Saturate(f.TimedOut), Unreachable: Saturate(f.Unreachable),
		FirstSeen: metav1.Time{Time: f.FirstSeen.UTC()}, LastSeen: metav1.Time{Time: f.LastSeen.UTC()}}
}

// Peer renders a peer, with its display form and whether it is resolved.
func Peer(p flow.Peer) v1alpha1.Peer {
	out := v1alpha1.Peer{Kind: string(p.Kind), Node: p.Node, Display: p.String(), Resolved: p.Kind != flow.PeerExternal && p.Kind != flow.PeerUnresolved}
	if p.IP.IsValid() {
		out.IP = p.IP.String()
	}
	if p.Kind == flow.PeerWorkload {
		out.Namespace, out.WorkloadKind, out.Name = p.Workload.Namespace, string(p.Workload.Kind), p.Workload.Name
	}
	if !p.Service.IsZero() {
		out.Service = p.Service.String()
		out.ServiceRef = &v1alpha1.ServiceReference{Namespace: p.Service.Namespace, Name: p.Service.Name, Port: p.Service.Port}
	}
	return out
}

// Saturate keeps counts that no longer fit an int64 (the API's integer) at
// its largest value rather than wrapping to negative.
func Saturate(n uint64) int64 {
	if n > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(n)
}

// Findings renders a check's findings.
func Findings(fs []policy.Finding) []v1alpha1.Finding {
	out := []v1alpha1.Finding{}
	for _, f := range fs {
		out = append(out, v1alpha1.Finding{Class: string(f.Class), Workload: WorkloadRef(f.Flow.Workload),
			Direction: string(f.Flow.Direction), Flow: Flow(f.Flow), Message: f.Message, Fix: f.Fix})
	}
	return out
}

// Adjustments renders stored adjustments in the annotation's form.
func Adjustments(a policy.Adjustments) v1alpha1.Adjustments {
	var out v1alpha1.Adjustments
	for _, al := range a.Allow {
		out.Allow = append(out.Allow, v1alpha1.AllowCIDR{CIDR: al.CIDR.String(), Alias: al.Alias})
	}
	for _, e := range a.Exclude {
		var ex v1alpha1.Exclusion
		if e.CIDR.IsValid() {
			ex.CIDR = e.CIDR.String()
		}
		if !e.Workload.IsZero() {
			ex.Workload = &v1alpha1.ExcludedWorkload{Namespace: e.Workload.Namespace, Kind: string(e.Workload.Kind), Name: e.Workload.Name}
		}
		out.Exclude = append(out.Exclude, ex)
	}
	return out
}

func addr(s string) netip.Addr {
	a, _ := netip.ParseAddr(s)
	return a
}

// Unused renders the rules of a checked policy that no observed flow needs.
func Unused(rs []policy.UnusedRule) []v1alpha1.UnusedRule {
	var out []v1alpha1.UnusedRule
	for _, r := range rs {
		out = append(out, v1alpha1.UnusedRule{Direction: string(r.Direction), Rule: int32(r.Rule), Message: r.Message})
	}
	return out
}
