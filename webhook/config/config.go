package config

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// The names of the configurations and the paths the handlers serve.
const (
	Name         = "netpol-advisor"
	MutatePath   = "/mutate-apps-v1-deployment"
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

func rule(group, resource string, ops ...admissionregistrationv1.OperationType) []admissionregistrationv1.RuleWithOperations {
	return []admissionregistrationv1.RuleWithOperations{{
		Operations: ops,
		Rule: admissionregistrationv1.Rule{APIGroups: []string{group}, APIVersions: []string{"v1"},
			Resources: []string{resource}, Scope: ptr.To(admissionregistrationv1.NamespacedScope)},
	}}
}

// Mutating is the configuration of the Deployment annotation webhook.
func Mutating(o Options) *admissionregistrationv1.MutatingWebhookConfiguration {
	o = o.withDefaults()
	return &admissionregistrationv1.MutatingWebhookConfiguration{
		TypeMeta:   metav1.TypeMeta{APIVersion: "admissionregistration.k8s.io/v1", Kind: "MutatingWebhookConfiguration"},
		ObjectMeta: metav1.ObjectMeta{Name: Name},
		Webhooks: []admissionregistrationv1.MutatingWebhook{{
			Name:                    "deployments.netpol-advisor.io",
			ClientConfig:            o.clientConfig(MutatePath),
			Rules:                   rule("apps", "deployments", admissionregistrationv1.Create, admissionregistrationv1.Update),
			FailurePolicy:           ptr.To(admissionregistrationv1.Ignore),
			MatchPolicy:             ptr.To(admissionregistrationv1.Equivalent),
			NamespaceSelector:       o.notOwnNamespace(),
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
