package mutate

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	admissionv1 "k8s.io/api/admission/v1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

func template(labels map[string]string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "i"}}}}
}

func meta(name string, owner string) metav1.ObjectMeta {
	m := metav1.ObjectMeta{Name: name, Namespace: "shop"}
	if owner != "" {
		m.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: owner, Name: "top", UID: "1", Controller: ptr.To(true)}}
	}
	return m
}

func encode(t *testing.T, obj client.Object, gvk string) []byte {
	t.Helper()
	b, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	i := strings.LastIndex(gvk, "/")
	m["apiVersion"], m["kind"] = gvk[:i], gvk[i+1:]
	b, _ = json.Marshal(m)
	return b
}

// Every workload kind is annotated alike, as the workload its pods' flows
// are kept under; a Job (alone or as a CronJob's template) is described
// without its per-run labels; objects with a controller are left to it.
func TestHandleEveryWorkloadKind(t *testing.T) {
	app := map[string]string{"app": "api"}
	perRun := map[string]string{"app": "api", "batch.kubernetes.io/controller-uid": "u1", "controller-uid": "u1",
		"batch.kubernetes.io/job-name": "api", "job-name": "api"}
	tests := []struct {
		name   string
		gvk    string
		obj    client.Object
		want   flow.Kind // "" when not annotated
		labels map[string]string
	}{
		{"deployment", "apps/v1/Deployment", &appsv1.Deployment{ObjectMeta: meta("api", ""), Spec: appsv1.DeploymentSpec{Template: template(app)}}, flow.KindDeployment, app},
		{"statefulset", "apps/v1/StatefulSet", &appsv1.StatefulSet{ObjectMeta: meta("api", ""), Spec: appsv1.StatefulSetSpec{Template: template(app)}}, flow.KindStatefulSet, app},
		{"daemonset", "apps/v1/DaemonSet", &appsv1.DaemonSet{ObjectMeta: meta("api", ""), Spec: appsv1.DaemonSetSpec{Template: template(app)}}, flow.KindDaemonSet, app},
		{"bare replicaset", "apps/v1/ReplicaSet", &appsv1.ReplicaSet{ObjectMeta: meta("api", ""), Spec: appsv1.ReplicaSetSpec{Template: template(app)}}, flow.KindReplicaSet, app},
		{"cronjob", "batch/v1/CronJob", &batchv1.CronJob{ObjectMeta: meta("api", ""), Spec: batchv1.CronJobSpec{Schedule: "* * * * *",
			JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: template(app)}}}}, flow.KindCronJob, app},
		{"job", "batch/v1/Job", &batchv1.Job{ObjectMeta: meta("api", ""), Spec: batchv1.JobSpec{Template: template(perRun)}}, flow.KindJob, app},
		{"bare pod", "v1/Pod", &corev1.Pod{ObjectMeta: func() metav1.ObjectMeta { m := meta("api", ""); m.Labels = app; return m }(),
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "i"}}}}, flow.KindPod, app},
		{"replicaset of a deployment", "apps/v1/ReplicaSet", &appsv1.ReplicaSet{ObjectMeta: meta("api-1", "Deployment"), Spec: appsv1.ReplicaSetSpec{Template: template(app)}}, "", nil},
		{"job of a cronjob", "batch/v1/Job", &batchv1.Job{ObjectMeta: meta("api-1", "CronJob"), Spec: batchv1.JobSpec{Template: template(perRun)}}, "", nil},
		{"pod of a replicaset", "v1/Pod", &corev1.Pod{ObjectMeta: meta("api-1-x", "ReplicaSet")}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fr := &fakeRecommender{ann: ready}
			resp := handle(t, &Handler{Recommender: fr}, encode(t, tt.obj, tt.gvk))
			if !resp.Allowed {
				t.Fatalf("denied: %+v", resp.Result)
			}
			if tt.want == "" {
				if len(resp.Patches) != 0 || fr.got.Ref != (flow.WorkloadRef{}) {
					t.Errorf("owned object annotated: patches %v, recommended for %v", resp.Patches, fr.got.Ref)
				}
				return
			}
			if len(resp.Patches) == 0 {
				t.Fatalf("no patch; result %+v", resp.Result)
			}
			if want := (flow.WorkloadRef{Namespace: "shop", Kind: tt.want, Name: "api"}); fr.got.Ref != want {
				t.Errorf("recommended for %v, want %v", fr.got.Ref, want)
			}
			if diff := cmp.Diff(tt.labels, fr.got.Labels); diff != "" {
				t.Errorf("workload labels (-want +got):\n%s", diff)
			}
		})
	}
}

type scope map[string]bool

func (s scope) Includes(_ context.Context, ns string) (bool, error) {
	if ns == "broken" {
		return false, errors.New("cache not synced")
	}
	return s[ns], nil
}

// Outside the annotation scope (or when it cannot be told) the webhook
// admits without a patch and without asking for a recommendation.
func TestHandleHonoursScope(t *testing.T) {
	for ns, want := range map[string]bool{"shop": true, "other": false, "broken": false} {
		t.Run(ns, func(t *testing.T) {
			fr := &fakeRecommender{ann: ready}
			req := admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{UID: "u", Operation: admissionv1.Create, Namespace: ns,
				Object: runtime.RawExtension{Raw: deployment(nil)}}}
			resp := (&Handler{Recommender: fr, Scope: scope{"shop": true}}).Handle(context.Background(), req)
			if !resp.Allowed || (len(resp.Patches) > 0) != want || (fr.got.Ref.Name != "") != want {
				t.Errorf("allowed %v, patches %v, recommended %v; want annotated: %v", resp.Allowed, resp.Patches, fr.got.Ref, want)
			}
		})
	}
}

func handle(t *testing.T, h *Handler, obj []byte) admission.Response {
	t.Helper()
	req := admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{UID: "u", Operation: admissionv1.Create, Namespace: "shop", Object: runtime.RawExtension{Raw: obj}}}
	return h.Handle(context.Background(), req)
}
