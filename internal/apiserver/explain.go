package apiserver

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/netpol-advisor/netpol-advisor/internal/adjust"
	"github.com/netpol-advisor/netpol-advisor/internal/apis/v1alpha1"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

// Explainer evaluates one connection under the policies in force.
type Explainer interface {
	Explain(ctx context.Context, from, to flow.WorkloadRef, toIP netip.Addr, port int32, proto corev1.Protocol) (policy.Verdict, error)
}

// connectionReviews answers ConnectionReviews. Nothing is kept.
type connectionReviews struct{ explainer Explainer }

var _ rest.Creater = (*connectionReviews)(nil)

func (c *connectionReviews) New() runtime.Object     { return &v1alpha1.ConnectionReview{} }
func (c *connectionReviews) Destroy()                {}
func (c *connectionReviews) NamespaceScoped() bool   { return true }
func (c *connectionReviews) GetSingularName() string { return "connectionreview" }

// Create evaluates the connection the review names.
func (c *connectionReviews) Create(ctx context.Context, obj runtime.Object, _ rest.ValidateObjectFunc, _ *metav1.CreateOptions) (runtime.Object, error) {
	cr := obj.(*v1alpha1.ConnectionReview)
	ns, _ := genericapirequest.NamespaceFrom(ctx)
	from, to, ip, proto, err := parseConnection(ns, cr.Spec)
	if err != nil {
		return nil, apierrors.NewBadRequest(err.Error())
	}
	v, err := c.explainer.Explain(ctx, from, to, ip, cr.Spec.Port, proto)
	switch {
	case errors.Is(err, policy.ErrUnknownWorkload):
		return nil, apierrors.NewBadRequest(err.Error() + ": name a running workload as kind/name")
	case err != nil:
		return nil, apierrors.NewServiceUnavailable(fmt.Sprintf("cannot evaluate now (%v); retry later", err))
	}
	cr.Namespace = ns
	cr.Status = v1alpha1.ConnectionReviewStatus{Allowed: v.Allowed, Egress: side(v.Egress), Ingress: side(v.Ingress),
		Explanation: explanation(from.String(), target(to, ip), to.IsZero(), cr.Spec.Port, proto, v)}
	return cr, nil
}

func parseConnection(ns string, s v1alpha1.ConnectionReviewSpec) (from, to flow.WorkloadRef, ip netip.Addr, proto corev1.Protocol, err error) {
	kind, ok := adjust.CanonicalKind(s.From.Kind)
	if !ok || s.From.Name == "" {
		return from, to, ip, proto, fmt.Errorf("spec.from needs a kind and a name")
	}
	from = flow.WorkloadRef{Namespace: ns, Kind: kind, Name: s.From.Name}
	switch {
	case s.To.IP != "":
		if ip, err = netip.ParseAddr(s.To.IP); err != nil {
			return from, to, ip, proto, fmt.Errorf("spec.to.ip %q is not an IP address", s.To.IP)
		}
	case s.To.Name != "":
		k, ok := adjust.CanonicalKind(s.To.Kind)
		if !ok {
			return from, to, ip, proto, fmt.Errorf("spec.to needs a kind with its name")
		}
		to = flow.WorkloadRef{Namespace: cmp.Or(s.To.Namespace, ns), Kind: k, Name: s.To.Name}
	default:
		return from, to, ip, proto, fmt.Errorf("spec.to needs a workload (kind and name) or an ip")
	}
	if s.Port < 1 || s.Port > 65535 {
		return from, to, ip, proto, fmt.Errorf("spec.port %d is not a port", s.Port)
	}
	proto = corev1.Protocol(strings.ToUpper(cmp.Or(s.Protocol, "TCP")))
	if proto != corev1.ProtocolTCP && proto != corev1.ProtocolUDP && proto != corev1.ProtocolSCTP {
		return from, to, ip, proto, fmt.Errorf("spec.protocol %q: want TCP, UDP or SCTP", s.Protocol)
	}
	return from, to, ip, proto, nil
}

func target(to flow.WorkloadRef, ip netip.Addr) string {
	if to.IsZero() {
		return ip.String()
	}
	return to.String()
}

func side(s policy.Side) v1alpha1.SideVerdict {
	out := v1alpha1.SideVerdict{Isolated: s.Isolated, Allowed: s.Allowed, Isolating: s.Isolating}
	for _, r := range s.AllowedBy {
		out.AllowedBy = append(out.AllowedBy, v1alpha1.RuleReference{Policy: r.Policy, Rule: int32(r.Rule)})
	}
	return out
}

// explanation says the verdict in sentences, each end in turn.
func explanation(from, to string, toAddress bool, port int32, proto corev1.Protocol, v policy.Verdict) []string {
	verdict := "blocked"
	if v.Allowed {
		verdict = "allowed"
	}
	out := []string{fmt.Sprintf("%s → %s %s/%d is %s.", from, to, proto, port, verdict)}
	out = append(out, sideSentence("egress at "+from, "spec.egress", v.Egress))
	if toAddress {
		return append(out, fmt.Sprintf("%s is an address, not a pod: no NetworkPolicy applies at that end.", to))
	}
	return append(out, sideSentence("ingress at "+to, "spec.ingress", v.Ingress))
}

func sideSentence(where, rules string, s policy.Side) string {
	switch {
	case !s.Isolated:
		return fmt.Sprintf("The %s is not isolated: no policy selects it for that direction, so everything is allowed there.", where)
	case s.Allowed:
		var refs []string
		for _, r := range s.AllowedBy {
			refs = append(refs, fmt.Sprintf("%s %s[%d]", r.Policy, rules, r.Rule))
		}
		return fmt.Sprintf("The %s is isolated and allowed by %s.", where, strings.Join(refs, ", "))
	}
	return fmt.Sprintf("The %s is isolated by %s and no rule of theirs allows this connection: add a rule there.",
		where, strings.Join(s.Isolating, ", "))
}
