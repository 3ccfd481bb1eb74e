package policy

import (
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Evaluator evaluates many connections against one set of policies, each
// compiled once. It is safe for concurrent use.
type Evaluator struct {
	namespaces map[string]map[string]string
	byNS       map[string][]*compiled
}

// NewEvaluator compiles the policies. namespaces maps namespace names to
// their labels, as for Evaluate.
func NewEvaluator(policies []networkingv1.NetworkPolicy, namespaces map[string]map[string]string) *Evaluator {
	e := &Evaluator{namespaces: namespaces, byNS: make(map[string][]*compiled)}
	for i := range policies {
		c := compile(&policies[i])
		e.byNS[c.namespace] = append(e.byNS[c.namespace], c)
	}
	return e
}

// Evaluate says whether Kubernetes allows conn, and why.
func (e *Evaluator) Evaluate(conn Connection) Verdict {
	return evaluate(e.in, e.namespaces, conn)
}

func (e *Evaluator) in(ns string) []*compiled { return e.byNS[ns] }

// evaluate is shared by Evaluator and Check's lazily compiled sets: in
// returns the compiled policies of a namespace.
func evaluate(in func(string) []*compiled, namespaces map[string]map[string]string, conn Connection) Verdict {
	if conn.Protocol == "" {
		conn.Protocol = corev1.ProtocolTCP
	}
	v := Verdict{}
	if p := selectable(conn.Source); p != nil {
		v.Egress = side(in(p.Namespace), p, networkingv1.PolicyTypeEgress, conn, namespaces)
	} else {
		v.Egress.Allowed = true
	}
	if p := selectable(conn.Destination); p != nil {
		v.Ingress = side(in(p.Namespace), p, networkingv1.PolicyTypeIngress, conn, namespaces)
	} else {
		v.Ingress.Allowed = true
	}
	v.Allowed = v.Egress.Allowed && v.Ingress.Allowed
	return v
}

// selectable returns the endpoint's pod when policies can select it.
func selectable(ep Endpoint) *Pod {
	if ep.Pod == nil || ep.Pod.HostNetwork {
		return nil
	}
	return ep.Pod
}

// side evaluates one direction at pod, against the policies of its
// namespace.
func side(policies []*compiled, pod *Pod, dir networkingv1.PolicyType, conn Connection, namespaces map[string]map[string]string) Side {
	s := Side{}
	podLabels := labels.Set(pod.Labels)
	for _, c := range policies {
		rules, applies := c.rulesFor(dir)
		if !applies || c.selector == nil || !c.selector.Matches(podLabels) {
			continue
		}
		s.Isolated = true
		allowed := false
		for i := range rules {
			if rules[i].matches(c.namespace, dir, conn, namespaces) {
				s.AllowedBy = append(s.AllowedBy, RuleRef{Policy: c.name, Rule: i})
				allowed = true
			}
		}
		if !allowed {
			s.Isolating = append(s.Isolating, c.name)
		}
	}
	s.Allowed = !s.Isolated || len(s.AllowedBy) > 0
	return s
}

func (c *compiled) rulesFor(dir networkingv1.PolicyType) ([]rule, bool) {
	if dir == networkingv1.PolicyTypeIngress {
		return c.ingressRules, c.ingress
	}
	return c.egressRules, c.egress
}
