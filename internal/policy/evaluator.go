package policy

import (
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

// Evaluator evaluates many connections against one set of policies,
// indexed once. It is safe for concurrent use.
type Evaluator struct {
	namespaces map[string]map[string]string
	byNS       map[string]*nsIndex
}

// NewEvaluator indexes the policies. namespaces maps namespace names to
// their labels, as for Evaluate. The policies must not change while the
// Evaluator is used: their selectors and rules are prepared once.
func NewEvaluator(policies []networkingv1.NetworkPolicy, namespaces map[string]map[string]string) *Evaluator {
	grouped := make(map[string][]*compiled)
	for i := range policies {
		c := compile(&policies[i], i)
		grouped[c.namespace] = append(grouped[c.namespace], c)
	}
	e := &Evaluator{namespaces: namespaces, byNS: make(map[string]*nsIndex, len(grouped))}
	for ns, cs := range grouped {
		e.byNS[ns] = newNSIndex(cs)
	}
	return e
}

// Evaluate says whether Kubernetes allows conn, and why.
func (e *Evaluator) Evaluate(conn Connection) Verdict {
	return evaluate(e.selecting, e.namespaces, conn)
}

func (e *Evaluator) selecting(p *Pod) []*compiled { return e.byNS[p.Namespace].selecting(p.Labels) }

// selectingFunc returns the policies of a pod's namespace that select it.
type selectingFunc func(*Pod) []*compiled

// evaluate is shared by Evaluator and Check's lazily indexed sets.
func evaluate(selecting selectingFunc, namespaces map[string]map[string]string, conn Connection) Verdict {
	if conn.Protocol == "" {
		conn.Protocol = corev1.ProtocolTCP
	}
	v := Verdict{Egress: Side{Allowed: true}, Ingress: Side{Allowed: true}}
	if p := selectable(conn.Source); p != nil {
		v.Egress = side(selecting(p), networkingv1.PolicyTypeEgress, conn, namespaces)
	}
	if p := selectable(conn.Destination); p != nil {
		v.Ingress = side(selecting(p), networkingv1.PolicyTypeIngress, conn, namespaces)
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

// side evaluates one direction at a pod, given the policies selecting it.
func side(policies []*compiled, dir networkingv1.PolicyType, conn Connection, namespaces map[string]map[string]string) Side {
	s := Side{}
	for _, c := range policies {
		if !c.applies(dir) {
			continue
		}
		s.Isolated = true
		allowed := false
		for i := range c.rules(dir) {
			if c.ruleMatches(dir, i, conn, namespaces) {
				s.AllowedBy = append(s.AllowedBy, RuleRef{Policy: c.name(), Rule: i})
				allowed = true
			}
		}
		if !allowed {
			s.Isolating = append(s.Isolating, c.name())
		}
	}
	s.Allowed = !s.Isolated || len(s.AllowedBy) > 0
	return s
}
