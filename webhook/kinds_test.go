package webhook

import (
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/netpol-advisor/netpol-advisor/internal/policy"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
)

// kindCase is one workload of testdata/kinds/workloads.yaml.
type kindCase struct{ resource, name, namespace string }

var kindCases = []kindCase{
	{resource: "statefulset", name: "db"}, {resource: "deployment", name: "api"}, {resource: "daemonset", name: "agent"},
	{resource: "replicaset", name: "worker"}, {resource: "cronjob", name: "report"}, {resource: "job", name: "migrate"},
	{resource: "pod", name: "debug"},
}

// The mutating webhook, called by the real kube-apiserver on the real
// kubectl's apply, annotates a workload of every kind with its policy.
func TestEveryWorkloadKindThroughTheWebhook(t *testing.T) {
	if _, err := exec.LookPath("kubectl"); err != nil {
		testutil.SkipOrFail(t, "kubectl is not on PATH")
	}
	s := startSuite(t, Options{NoAnnotator: true})
	s.applyBatch(t, "kinds/baseline.yaml")
	k := kubectl{t: t, cp: s.cp}
	// The namespace and db first, so that the others' recommendations can
	// select db.
	k.run([]byte(firstDocs(t, 2)), "apply", "-f", "-")
	s.waitForCache(t, 1)
	k.run(nil, "apply", "-f", "testdata/kinds/workloads.yaml")
	// db was admitted before api existed: its next update names api.
	s.waitForCache(t, 2)
	k.run(nil, "annotate", "statefulset", "db", "-n", "ledger", "example.com/reviewed=yes")
	for _, c := range kindCases {
		t.Run(c.resource, func(t *testing.T) { checkKindPolicy(t, k, c, "webhook") })
	}
	checkOwnedNotAnnotated(t, s)
}

// The annotator annotates workloads of every kind created before their
// traffic was seen, once their baselines arrive.
func TestEveryWorkloadKindThroughTheAnnotator(t *testing.T) {
	if _, err := exec.LookPath("kubectl"); err != nil {
		testutil.SkipOrFail(t, "kubectl is not on PATH")
	}
	s := startSuite(t, Options{Annotator: annotatorOptions(200 * time.Millisecond)})
	k := kubectl{t: t, cp: s.cp}
	k.run(nil, "apply", "-f", "testdata/kinds/workloads.yaml")
	for _, c := range kindCases {
		waitForKindState(t, k, c, advice.Learning)
	}
	s.applyBatch(t, "kinds/baseline.yaml")
	for _, c := range kindCases {
		t.Run(c.resource, func(t *testing.T) { checkKindPolicy(t, k, c, "annotator") })
	}
	checkOwnedNotAnnotated(t, s)
}

// firstDocs is the first n documents of workloads.yaml.
func firstDocs(t *testing.T, n int) string {
	docs := strings.Split(string(mustRead(t, "testdata/kinds/workloads.yaml")), "\n---\n")
	return strings.Join(docs[:n], "\n---\n")
}

// annotations reads a workload's annotations through kubectl.
func annotations(t *testing.T, k kubectl, c kindCase) map[string]string {
	t.Helper()
	ns := c.namespace
	if ns == "" {
		ns = "ledger"
	}
	out, _ := k.run(nil, "get", c.resource, c.name, "-n", ns, "-o", "json")
	var obj metav1.PartialObjectMetadata
	if err := json.Unmarshal([]byte(out), &obj); err != nil {
		t.Fatalf("decode %s/%s: %v", c.resource, c.name, err)
	}
	return obj.Annotations
}

func waitForKindState(t *testing.T, k kubectl, c kindCase, state string) map[string]string {
	t.Helper()
	var ann map[string]string
	waitFor(t, 30*time.Second, c.resource+"/"+c.name+" to be "+state, func() bool {
		ann = annotations(t, k, c)
		st, err := advice.ParseStatus(ann[advice.StatusAnnotation])
		return err == nil && st.State == state
	})
	return ann
}

// checkKindPolicy: the workload's recommendation selects its own pods by
// the labels of its pod template (a CronJob's and a Job's without per-run
// labels) and allows egress to db on 5432/TCP, as its baseline says (db:
// ingress from api on 5432/TCP).
func checkKindPolicy(t *testing.T, k kubectl, c kindCase, by string) {
	ann := waitForKindState(t, k, c, advice.Ready)
	var np networkingv1.NetworkPolicy
	if err := yaml.UnmarshalStrict([]byte(ann[advice.PolicyAnnotation]), &np); err != nil {
		t.Fatalf("%s: decode policy annotation: %v\n%s", by, err, ann[advice.PolicyAnnotation])
	}
	selects := func(name string) *metav1.LabelSelector {
		return &metav1.LabelSelector{MatchLabels: map[string]string{"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "ledger"}}
	}
	pg := []networkingv1.NetworkPolicyPort{{Protocol: ptr.To(corev1.ProtocolTCP), Port: ptr.To(intstr.FromInt32(5432))}}
	want := networkingv1.NetworkPolicySpec{
		PodSelector: *selects(c.name),
		Egress:      []networkingv1.NetworkPolicyEgressRule{{Ports: pg, To: []networkingv1.NetworkPolicyPeer{{PodSelector: selects("db")}}}},
		PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
	}
	if c.name == "db" {
		want.Egress = nil
		want.Ingress = []networkingv1.NetworkPolicyIngressRule{{Ports: pg, From: []networkingv1.NetworkPolicyPeer{{PodSelector: selects("api")}}}}
	}
	if diff := cmp.Diff(want, np.Spec); diff != "" {
		t.Errorf("%s: %s/%s policy (-want +got):\n%s", by, c.resource, c.name, diff)
	}
	if np.Name != c.name || np.Namespace != "ledger" || np.Labels[policy.ManagedByLabel] != policy.ManagedByValue {
		t.Errorf("%s: policy metadata %+v", by, np.ObjectMeta)
	}
}

// checkOwnedNotAnnotated creates what a controller would, a Job of the
// CronJob (the API server adds its per-run labels): it is not a workload
// and gets no annotation, from the webhook (on its create) or the annotator
// (a bare Job created after it, in the same Job informer and work queue, is
// annotated after the owned one would have been).
func checkOwnedNotAnnotated(t *testing.T, s *suite) {
	t.Helper()
	ctx := context.Background()
	c, err := client.New(s.cp.Config, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var cj batchv1.CronJob
	if err := c.Get(ctx, client.ObjectKey{Namespace: "ledger", Name: "report"}, &cj); err != nil {
		t.Fatal(err)
	}
	owned := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "report-29000000", Namespace: "ledger",
		OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(&cj, batchv1.SchemeGroupVersion.WithKind("CronJob"))}},
		Spec: *cj.Spec.JobTemplate.Spec.DeepCopy()}
	bare := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "migrate-again", Namespace: "ledger"}, Spec: *cj.Spec.JobTemplate.Spec.DeepCopy()}
	for _, j := range []*batchv1.Job{owned, bare} {
		if err := c.Create(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 30*time.Second, "the bare Job to be annotated", func() bool {
		return c.Get(ctx, client.ObjectKeyFromObject(bare), bare) == nil && bare.Annotations[advice.StatusAnnotation] != ""
	})
	if err := c.Get(ctx, client.ObjectKeyFromObject(owned), owned); err != nil {
		t.Fatal(err)
	}
	if len(owned.Annotations) != 0 {
		t.Errorf("the CronJob's Job was annotated: %v", owned.Annotations)
	}
	if owned.Spec.Template.Labels["job-name"] == "" {
		t.Errorf("the API server did not add the per-run labels this test relies on: %v", owned.Spec.Template.Labels)
	}
}
