package inventory

import (
	"context"
	"net/netip"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

// TestPolicyOnPodOnlyLabelsIsSeen: a policy selecting one StatefulSet
// replica by statefulset.kubernetes.io/pod-name (a label no template
// carries) touches that workload and blocks the flows of that replica only.
// Built from the real API server, the inventory hands Check each pod's own
// labels and address.
func TestPolicyOnPodOnlyLabelsIsSeen(t *testing.T) {
	cp := testutil.StartControlPlane(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := client.New(cp.Config, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := builder{t: t, ctx: ctx, c: c, ns: "shop"}
	b.create(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}})
	tmpl := template("db")
	sts := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "db"}, Spec: appsv1.StatefulSetSpec{
		Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "db"}}, Template: tmpl}}
	sts.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyAlways
	b.create(sts)
	b.pod("db-0", "db", sts, "StatefulSet", "198.18.0.50", "statefulset.kubernetes.io/pod-name", "db-0")
	b.pod("db-1", "db", sts, "StatefulSet", "198.18.0.51", "statefulset.kubernetes.io/pod-name", "db-1")
	snap, err := Build(ctx, c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	db := flow.WorkloadRef{Namespace: "shop", Kind: flow.KindStatefulSet, Name: "db"}
	deny := networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "db-0-no-egress"},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"statefulset.kubernetes.io/pod-name": "db-0"}},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}}}
	change := policy.Change{Operation: policy.Create, New: &deny}
	touched := policy.Touched(snap.Cluster, change)
	if len(touched) != 1 || touched[0] != db {
		t.Fatalf("Touched = %v, want the StatefulSet db", touched)
	}
	at := time.Now()
	ext := flow.Peer{Kind: flow.PeerExternal, IP: netip.MustParseAddr("203.0.113.9")}
	bl := flow.Baseline{Workload: db, Flows: []flow.Flow{{Key: flow.Key{Workload: db, Direction: flow.Egress, Peer: ext,
		Port: 443, Protocol: corev1.ProtocolTCP}, Count: 3, FirstSeen: at, LastSeen: at}}}
	r := policy.Check(policy.CheckInput{Cluster: snap.Cluster, Policies: snap.Policies, Change: change, Baselines: []flow.Baseline{bl}})
	if len(r.Findings) != 1 {
		t.Fatalf("findings = %v, want the egress to 203.0.113.9 (blocked for db-0)", r.Findings)
	}
}
