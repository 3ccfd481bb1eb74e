package chart

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/webhook/config"
)

type rendered struct {
	services   map[string]corev1.Service
	secrets    map[string]corev1.Secret
	deployment appsv1.Deployment
	mutating   admissionregistrationv1.MutatingWebhookConfiguration
	validating admissionregistrationv1.ValidatingWebhookConfiguration
}

func decode(t *testing.T, manifests string) rendered {
	t.Helper()
	r := rendered{services: map[string]corev1.Service{}, secrets: map[string]corev1.Secret{}}
	for _, doc := range strings.Split(manifests, "\n---\n") {
		var meta metav1.TypeMeta
		if err := yaml.Unmarshal([]byte(doc), &meta); err != nil {
			t.Fatalf("decode %q: %v", doc, err)
		}
		var into any
		switch meta.Kind {
		case "Service":
			var s corev1.Service
			if err := yaml.UnmarshalStrict([]byte(doc), &s); err != nil {
				t.Fatal(err)
			}
			r.services[s.Name] = s
			continue
		case "Secret":
			var s corev1.Secret
			if err := yaml.UnmarshalStrict([]byte(doc), &s); err != nil {
				t.Fatal(err)
			}
			r.secrets[s.Name] = s
			continue
		case "Deployment":
			into = &r.deployment
		case "MutatingWebhookConfiguration":
			into = &r.mutating
		case "ValidatingWebhookConfiguration":
			into = &r.validating
		default:
			continue
		}
		if err := yaml.UnmarshalStrict([]byte(doc), into); err != nil {
			t.Fatalf("decode %s: %v", meta.Kind, err)
		}
	}
	return r
}

func flagValue(args []string, name string) string {
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v
		}
	}
	return ""
}

// TestChartWebhookNamesCannotDrift is the silent dead install: the
// configurations, the webhook Service, the server's --webhook-service (its
// certificate's name), the certificate Secret and --webhook-configuration
// must name the same things, for any release and namespace; and the
// configurations must mean what the server's Go definitions mean.
func TestChartWebhookNamesCannotDrift(t *testing.T) {
	h := testutil.NewHelm(t)
	for _, vs := range valueSets {
		t.Run(vs.name, func(t *testing.T) {
			r := decode(t, mustRender(t, h, vs))
			args := r.deployment.Spec.Template.Spec.Containers[0].Args
			svcName := flagValue(args, "webhook-service")
			svc, ok := r.services[svcName]
			if !ok {
				t.Fatalf("--webhook-service=%q names no Service of the chart (have %v)", svcName, keys(r.services))
			}
			if svc.Namespace != vs.namespace || flagValue(args, "namespace") != vs.namespace {
				t.Errorf("webhook Service in %q, server --namespace=%q, want both %q", svc.Namespace, flagValue(args, "namespace"), vs.namespace)
			}
			if _, ok := r.secrets[svcName+"-tls"]; !ok {
				t.Errorf("no Secret %s-tls for the server's webhook certificate (it may only update that one)", svcName)
			}
			if got := flagValue(args, "webhook-configuration"); got != r.mutating.Name || got != r.validating.Name {
				t.Errorf("--webhook-configuration=%q, configurations %q and %q", got, r.mutating.Name, r.validating.Name)
			}
			target := svc.Spec.Ports[0].TargetPort.String()
			if target != "webhook" || svc.Spec.Ports[0].Port != 443 {
				t.Errorf("webhook Service port %d -> %s, want 443 -> the container's webhook port", svc.Spec.Ports[0].Port, target)
			}
			o := config.Options{Namespace: vs.namespace, Service: svcName, Port: svc.Spec.Ports[0].Port}
			if sel := flagValue(args, "annotate-namespace-selector"); sel != "" {
				// The server's annotator and the webhook select the same namespaces.
				o.AnnotateNamespaces = &metav1.LabelSelector{}
				if err := json.Unmarshal([]byte(sel), o.AnnotateNamespaces); err != nil {
					t.Fatalf("--annotate-namespace-selector=%s: %v", sel, err)
				}
			}
			wantM, wantV := config.Mutating(o), config.Validating(o)
			ignore := []cmp.Option{cmpopts.IgnoreFields(metav1.ObjectMeta{}, "Name", "Labels"), cmpopts.IgnoreFields(admissionregistrationv1.MutatingWebhook{}, "TimeoutSeconds"),
				cmpopts.IgnoreFields(admissionregistrationv1.ValidatingWebhook{}, "TimeoutSeconds")}
			if diff := cmp.Diff(wantM, &r.mutating, ignore...); diff != "" {
				t.Errorf("mutating configuration differs from webhook/config (-Go +chart):\n%s", diff)
			}
			if diff := cmp.Diff(wantV, &r.validating, ignore...); diff != "" {
				t.Errorf("validating configuration differs from webhook/config (-Go +chart):\n%s", diff)
			}
			for _, w := range r.validating.Webhooks {
				if *w.FailurePolicy != admissionregistrationv1.Ignore || *w.TimeoutSeconds > 5 {
					t.Errorf("webhook %s: failurePolicy %s, timeout %ds; want Ignore and a short timeout", w.Name, *w.FailurePolicy, *w.TimeoutSeconds)
				}
			}
		})
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
