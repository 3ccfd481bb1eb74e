package config

import (
	"maps"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/netpol-advisor/netpol-advisor/webhook/workloads"
)

// The names of the configurations and the paths the handlers serve.
const (
	Name         = "netpol-advisor"
	MutatePath   = "/mutate-workloads"
	ValidatePath = "/validate-networking-v1-networkpolicy"
	// TimeoutSeconds is what the API server waits before it ignores the
	// webhook; kubectl users should never notice it.
	TimeoutSeconds = 3
)

// Options locate the webhook Service. The zero value of each field takes
// the default install's.
type Options struct {
	// Namespace is the product's namespace (default netpol-advisor); it is
	// excluded, so a broken product can always be repaired.
	Namespace string
	// Service is the Service in front of the webhooks (default
	// netpol-advisor-webhook, the server's --webhook-service default and the
	// name its certificate is issued for).
	Service string
	// Port is the Service port (default 443).
	Port int32
	// CABundle is the CA that signed the serving certificate.
	CABundle []byte
	// AnnotateNamespaces, when set, narrows the mutating webhook to the
	// namespaces it selects (the server's --annotate-namespace-selector,
	// parsed by workloads.ParseSelector); the product's own namespace stays
	// excluded.
	AnnotateNamespaces *metav1.LabelSelector
}

func (o Options) withDefaults() Options {
	if o.Namespace == "" {
		o.Namespace = "netpol-advisor"
	}
	if o.Service == "" {
		o.Service = "netpol-advisor-webhook"
	}
	if o.Port == 0 {
		o.Port = 443
	}
	return o
}

func (o Options) clientConfig(path string) admissionregistrationv1.WebhookClientConfig {
	return admissionregistrationv1.WebhookClientConfig{
		Service:  &admissionregistrationv1.ServiceReference{Namespace: o.Namespace, Name: o.Service, Path: ptr.To(path), Port: ptr.To(o.Port)},
		CABundle: o.CABundle,
	}
}

// notOwnNamespace selects every namespace but the product's.
func (o Options) notOwnNamespace() *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
		Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpNotIn, Values: []string{o.Namespace}}}}
}

// annotatedNamespaces is notOwnNamespace ANDed with AnnotateNamespaces.
func (o Options) annotatedNamespaces() *metav1.LabelSelector {
	sel := o.notOwnNamespace()
	if a := o.AnnotateNamespaces; a != nil {
		sel.MatchLabels = maps.Clone(a.MatchLabels)
		sel.MatchExpressions = append(sel.MatchExpressions, a.MatchExpressions...)
	}
	return sel
}

func rule(group, resource string, ops ...admissionregistrationv1.OperationType) []admissionregistrationv1.RuleWithOperations {
	return []admissionregistrationv1.RuleWithOperations{{
		Operations: ops,
		Rule: admissionregistrationv1.Rule{APIGroups: []string{group}, APIVersions: []string{"v1"},
			Resources: []string{resource}, Scope: ptr.To(admissionregistrationv1.NamespacedScope)},
	}}
}

// workloadRules are the resources of every workload kind, by API group.
func workloadRules() []admissionregistrationv1.RuleWithOperations {
	byGroup := map[string][]string{}
	var groups []string
	for _, k := range workloads.All {
		if _, seen := byGroup[k.GVK.Group]; !seen {
			groups = append(groups, k.GVK.Group)
		}
		byGroup[k.GVK.Group] = append(byGroup[k.GVK.Group], k.Resource)
	}
	var out []admissionregistrationv1.RuleWithOperations
	for _, g := range groups {
		r := rule(g, "", admissionregistrationv1.Create, admissionregistrationv1.Update)[0]
		r.Resources = byGroup[g]
		out = append(out, r)
	}
	return out
}

// TopOfChain is the CEL condition that an object has no controller: only
// those are workloads (a Deployment's ReplicaSets and pods are not), so the
// API server does not call the webhook for every pod a controller creates.
const TopOfChain = "!has(object.metadata.ownerReferences) || !object.metadata.ownerReferences.exists(r, has(r.controller) && r.controller)"

// Mutating is the configuration of the workload annotation webhook.
func Mutating(o Options) *admissionregistrationv1.MutatingWebhookConfiguration {
	o = o.withDefaults()
	return &admissionregistrationv1.MutatingWebhookConfiguration{
		TypeMeta:   metav1.TypeMeta{APIVersion: "admissionregistration.k8s.io/v1", Kind: "MutatingWebhookConfiguration"},
		ObjectMeta: metav1.ObjectMeta{Name: Name},
		Webhooks: []admissionregistrationv1.MutatingWebhook{{
			Name:                    "workloads.netpol-advisor.io",
			ClientConfig:            o.clientConfig(MutatePath),
			Rules:                   workloadRules(),
			MatchConditions:         []admissionregistrationv1.MatchCondition{{Name: "top-of-controller-chain", Expression: TopOfChain}},
			FailurePolicy:           ptr.To(admissionregistrationv1.Ignore),
			MatchPolicy:             ptr.To(admissionregistrationv1.Equivalent),
			NamespaceSelector:       o.annotatedNamespaces(),
			SideEffects:             ptr.To(admissionregistrationv1.SideEffectClassNone),
			TimeoutSeconds:          ptr.To[int32](TimeoutSeconds),
			AdmissionReviewVersions: []string{"v1"},
			ReinvocationPolicy:      ptr.To(admissionregistrationv1.NeverReinvocationPolicy),
		}},
	}
}

// Validating is the configuration of the NetworkPolicy warning webhook.
func Validating(o Options) *admissionregistrationv1.ValidatingWebhookConfiguration {
	o = o.withDefaults()
	return &admissionregistrationv1.ValidatingWebhookConfiguration{
		TypeMeta:   metav1.TypeMeta{APIVersion: "admissionregistration.k8s.io/v1", Kind: "ValidatingWebhookConfiguration"},
		ObjectMeta: metav1.ObjectMeta{Name: Name},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{
			Name:         "networkpolicies.netpol-advisor.io",
			ClientConfig: o.clientConfig(ValidatePath),
			Rules: rule("networking.k8s.io", "networkpolicies",
				admissionregistrationv1.Create, admissionregistrationv1.Update, admissionregistrationv1.Delete),
			FailurePolicy:           ptr.To(admissionregistrationv1.Ignore),
			MatchPolicy:             ptr.To(admissionregistrationv1.Equivalent),
			NamespaceSelector:       o.notOwnNamespace(),
			SideEffects:             ptr.To(admissionregistrationv1.SideEffectClassNone),
			TimeoutSeconds:          ptr.To[int32](TimeoutSeconds),
			AdmissionReviewVersions: []string{"v1"},
		}},
	}
}
