package inventory

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

// TestNamedTargetPortOfAServiceScaledToZero: a Service whose targetPort is
// a name and whose StatefulSet is scaled to zero (no pods, no endpoints)
// is advised at the port its pod template names, not at the Service port;
// a name no template declares gives a warning and no rule, and Check says
// the flow cannot be checked rather than judging the Service port.
func TestNamedTargetPortOfAServiceScaledToZero(t *testing.T) {
	b := startBuilder(t, "ledger", nil)
	api := b.deployment("ledger-api", nil)
	db := portedTemplate("ledger-db", corev1.ContainerPort{Name: "pg", ContainerPort: 15432, Protocol: corev1.ProtocolTCP})
	b.create(&appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "ledger-db"}, Spec: appsv1.StatefulSetSpec{
		Replicas: ptr.To[int32](0), Selector: &metav1.LabelSelector{MatchLabels: db.Labels}, Template: db}})
	b.create(namedTargetService("ledger-db", 5432, "pg"))
	b.create(namedTargetService("ledger-cache", 6379, "redis")) // no workload behind it
	snap, err := Build(b.ctx, b.c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	self := Ref(api, flow.KindDeployment)
	bl := flow.Baseline{Workload: self, Flows: []flow.Flow{toService(self, "ledger-db", 5432), toService(self, "ledger-cache", 6379)}}

	r, err := policy.RecommendDetailed(snap.Cluster, bl, policy.Adjustments{})
	if err != nil {
		t.Fatal(err)
	}
	want := []networkingv1.NetworkPolicyEgressRule{{
		Ports: []networkingv1.NetworkPolicyPort{{Protocol: ptr.To(corev1.ProtocolTCP), Port: ptr.To(intstr.FromInt32(15432))}},
		To:    []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "ledger-db"}}}},
	}}
	if diff := cmp.Diff(want, r.Policy.Spec.Egress); diff != "" {
		t.Errorf("egress rules (-want +got):\n%s", diff)
	}
	wantWarn := `no egress rule: service ledger/ledger-cache port 6379/TCP targets the port named "redis": ` + policy.ErrUnresolvedTargetPort.Error()
	if len(r.Warnings) != 1 || !strings.HasPrefix(r.Warnings[0], wantWarn) {
		t.Errorf("warnings = %q, want one starting %q", r.Warnings, wantWarn)
	}

	// A policy allowing the Service port only blocks the real target port;
	// the unresolvable Service is reported as not checkable.
	np := egressPolicy(self, 5432)
	rep := policy.Check(policy.CheckInput{Cluster: snap.Cluster, Policies: snap.Policies,
		Change: policy.Change{Operation: policy.Create, New: &np}, Baselines: []flow.Baseline{bl}})
	var got []string
	for _, f := range rep.Findings {
		got = append(got, f.Message)
	}
	wantMsgs := []string{
		"egress to service ledger/ledger-cache TCP 6379 cannot be checked",
		"egress to service ledger/ledger-db TCP 15432 (in-cluster peer) is not allowed",
	}
	if diff := cmp.Diff(wantMsgs, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if np := egressPolicy(self, 15432); len(policy.Check(policy.CheckInput{Cluster: snap.Cluster, Policies: snap.Policies,
		Change: policy.Change{Operation: policy.Create, New: &np}, Baselines: []flow.Baseline{{Workload: self, Flows: bl.Flows[:1]}}}).Findings) != 0 {
		t.Error("a policy allowing the target port 15432 still blocks the flow to ledger-db")
	}
}

func portedTemplate(app string, ports ...corev1.ContainerPort) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": app}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "main", Image: "example.invalid/app", Ports: ports}}}}
}

func namedTargetService(name string, port int32, target string) *corev1.Service {
	return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.ServiceSpec{
		Selector: map[string]string{"app": name},
		Ports:    []corev1.ServicePort{{Port: port, TargetPort: intstr.FromString(target)}}}}
}

// toService is a flow as the resolver records it to a Service without
// endpoints whose target port is a name: at the Service port.
func toService(self flow.WorkloadRef, svc string, port int32) flow.Flow {
	at := time.Now()
	return flow.Flow{Key: flow.Key{Workload: self, Direction: flow.Egress, Port: port, Protocol: corev1.ProtocolTCP,
		Peer: flow.Peer{Kind: flow.PeerService, Service: flow.ServiceRef{Namespace: self.Namespace, Name: svc, Port: port}}},
		Count: 3, FirstSeen: at, LastSeen: at}
}

// egressPolicy lets ledger-api reach ledger-db's pods on one port.
func egressPolicy(self flow.WorkloadRef, port int32) networkingv1.NetworkPolicy {
	return networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: self.Namespace, Name: "api"},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app": self.Name}},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress},
			Egress: []networkingv1.NetworkPolicyEgressRule{{
				Ports: []networkingv1.NetworkPolicyPort{{Port: ptr.To(intstr.FromInt32(port))}},
				To:    []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "ledger-db"}}}},
			}}}}
}
