package inventory

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/netpol-advisor/netpol-advisor/internal/adjust"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

// TestBuildAgainstRealAPIServer creates, as the real controllers would,
// Deployment → ReplicaSet → Pod, CronJob → Job → Pod, a bare pod and a
// hostNetwork DaemonSet, and checks the snapshot built from them.
func TestBuildAgainstRealAPIServer(t *testing.T) {
	cp := testutil.StartControlPlane(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := client.New(cp.Config, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := builder{t: t, ctx: ctx, c: c, ns: "shop"}
	b.create(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop", Labels: map[string]string{"team": "a"}}})

	dep := b.deployment("api", map[string]string{adjust.Annotation: `allow: [{cidr: 203.0.113.7/32, alias: ext}]`})
	rs := b.owned(&appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "api-5d4"}, Spec: appsv1.ReplicaSetSpec{
		Selector: dep.Spec.Selector, Template: dep.Spec.Template}}, dep, "Deployment")
	b.pod("api-5d4-x", "api", rs, "ReplicaSet", "198.18.0.21", "pod-template-hash", "5d4")
	b.pod("api-5d4-y", "api", rs, "ReplicaSet", "198.18.0.20", "pod-template-hash", "5d4")
	cj := b.cronJob("report")
	job := b.owned(&batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "report-1"}, Spec: batchv1.JobSpec{Template: cj.Spec.JobTemplate.Spec.Template}}, cj, "CronJob")
	b.pod("report-1-z", "report", job, "Job", "198.18.0.30", "job-name", "report-1", "batch.kubernetes.io/job-name", "report-1")
	b.pod("debug", "debug", nil, "", "198.18.0.40")
	b.deployment("bad", map[string]string{adjust.Annotation: `allow: [{cidr: nope}]`})
	b.create(&corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "kube-dns", Namespace: "kube-system"}, Spec: corev1.ServiceSpec{
		Selector: map[string]string{"k8s-app": "coredns"}, Ports: []corev1.ServicePort{{Port: 53, Protocol: corev1.ProtocolUDP}}}})
	b.create(&networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "deny", Namespace: "shop"}})

	s, err := Build(ctx, c, Options{})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	ref := func(kind flow.Kind, name string) flow.WorkloadRef {
		return flow.WorkloadRef{Namespace: "shop", Kind: kind, Name: name}
	}
	ip := netip.MustParseAddr
	app := func(name string, podOnly ...string) map[string]string {
		l := map[string]string{"app": name}
		for i := 0; i+1 < len(podOnly); i += 2 {
			l[podOnly[i]] = podOnly[i+1]
		}
		return l
	}
	http := []policy.NamedPort{{Name: "http", Port: 8080, Protocol: corev1.ProtocolTCP}}
	// Labels are the template's; each replica carries its pod's own labels,
	// pod-only ones included, and addresses.
	want := map[flow.WorkloadRef]policy.Workload{
		ref(flow.KindDeployment, "api"): {Ref: ref(flow.KindDeployment, "api"), Labels: app("api"), Ports: http,
			IPs: []netip.Addr{ip("198.18.0.20"), ip("198.18.0.21")},
			Pods: []policy.PodInfo{
				{Name: "api-5d4-x", Labels: app("api", "pod-template-hash", "5d4"), IPs: []netip.Addr{ip("198.18.0.21")}},
				{Name: "api-5d4-y", Labels: app("api", "pod-template-hash", "5d4"), IPs: []netip.Addr{ip("198.18.0.20")}}}},
		ref(flow.KindDeployment, "bad"): {Ref: ref(flow.KindDeployment, "bad"), Labels: app("bad"), Ports: http},
		ref(flow.KindCronJob, "report"): {Ref: ref(flow.KindCronJob, "report"), Labels: app("report"),
			IPs: []netip.Addr{ip("198.18.0.30")},
			Pods: []policy.PodInfo{{Name: "report-1-z", Labels: app("report", "job-name", "report-1", "batch.kubernetes.io/job-name", "report-1"),
				IPs: []netip.Addr{ip("198.18.0.30")}}}},
		ref(flow.KindPod, "debug"): {Ref: ref(flow.KindPod, "debug"), Labels: app("debug"), Ports: http,
			IPs: []netip.Addr{ip("198.18.0.40")}, Pods: []policy.PodInfo{{Name: "debug", Labels: app("debug"), IPs: []netip.Addr{ip("198.18.0.40")}}}},
	}
	if diff := cmp.Diff(want, s.Cluster.Workloads, cmpopts.EquateComparable(netip.Addr{}), cmpopts.EquateEmpty(),
		cmpopts.IgnoreFields(metav1.LabelSelector{}, "MatchExpressions")); diff != "" {
		t.Errorf("workloads (-want +got):\n%s", diff)
	}
	checkRest(t, s, ref)
}

func checkRest(t *testing.T, s *Snapshot, ref func(flow.Kind, string) flow.WorkloadRef) {
	t.Helper()
	if got := s.Cluster.Namespaces["shop"]; got["team"] != "a" || got[policy.MetadataNameLabel] != "shop" {
		t.Errorf("namespace labels of shop = %v", got)
	}
	if got := s.Cluster.DNS.PodLabels; !cmp.Equal(got, map[string]string{"k8s-app": "coredns"}) {
		t.Errorf("DNS pod labels = %v, want the kube-dns Service's selector", got)
	}
	if len(s.Policies) != 1 || s.Policies[0].Name != "deny" {
		t.Errorf("policies = %v, want shop/deny", s.Policies)
	}
	wantAdj := map[flow.WorkloadRef]policy.Adjustments{ref(flow.KindDeployment, "api"): {
		Allow: []policy.AllowCIDR{{CIDR: netip.MustParsePrefix("203.0.113.7/32"), Alias: "ext"}}}}
	if diff := cmp.Diff(wantAdj, s.Adjustments, cmpopts.EquateComparable(netip.Prefix{})); diff != "" {
		t.Errorf("adjustments (-want +got):\n%s", diff)
	}
	if _, ok := s.Invalid[ref(flow.KindDeployment, "bad")]; !ok || len(s.Invalid) != 1 {
		t.Errorf("invalid = %v, want shop/Deployment/bad only", s.Invalid)
	}
	// The real kube-apiserver publishes its own endpoint slice.
	if len(s.Cluster.APIServer) == 0 {
		t.Error("no API server endpoint found")
	}
	for _, ep := range s.Cluster.APIServer {
		if ep.Port == 0 || !ep.IP.IsValid() {
			t.Errorf("API server endpoint %v", ep)
		}
	}
}
