package scale

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// owner is the object that owns a workload's pods, with the objects
// created before it (a CronJob before its Job) and the owner reference its
// pods carry. No controllers run in envtest: the benchmark creates every
// object a controller would.
func (wl workload) owners() ([]client.Object, metav1.OwnerReference) {
	meta := metav1.ObjectMeta{Namespace: wl.ref.Namespace, Name: wl.ref.Name, Labels: wl.labels()}
	sel := &metav1.LabelSelector{MatchLabels: wl.labels()}
	tmpl := corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: wl.labels()}, Spec: podSpec(wl)}
	switch wl.ref.Kind {
	case flow.KindStatefulSet:
		sts := &appsv1.StatefulSet{ObjectMeta: meta, Spec: appsv1.StatefulSetSpec{Replicas: ptr.To(int32(replicas)), Selector: sel, Template: tmpl, ServiceName: wl.ref.Name}}
		return []client.Object{sts}, ref(sts, "StatefulSet", "apps/v1")
	case flow.KindDaemonSet:
		ds := &appsv1.DaemonSet{ObjectMeta: meta, Spec: appsv1.DaemonSetSpec{Selector: sel, Template: tmpl}}
		return []client.Object{ds}, ref(ds, "DaemonSet", "apps/v1")
	case flow.KindJob:
		job := jobOf(meta, tmpl)
		return []client.Object{job}, ref(job, "Job", "batch/v1")
	case flow.KindCronJob:
		cj := &batchv1.CronJob{ObjectMeta: meta, Spec: batchv1.CronJobSpec{Schedule: "*/10 * * * *",
			JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: tmpl}}}}
		jm := meta
		jm.Name = wl.ref.Name + "-29000000"
		job := jobOf(jm, tmpl)
		job.OwnerReferences = []metav1.OwnerReference{ref(cj, "CronJob", "batch/v1")}
		return []client.Object{cj, job}, ref(job, "Job", "batch/v1")
	}
	d := &appsv1.Deployment{ObjectMeta: meta, Spec: appsv1.DeploymentSpec{Replicas: ptr.To(int32(replicas)), Selector: sel, Template: tmpl}}
	rsMeta := meta
	rsMeta.Name = wl.ref.Name + "-7c9d8f6b5"
	rs := &appsv1.ReplicaSet{ObjectMeta: rsMeta, Spec: appsv1.ReplicaSetSpec{Replicas: ptr.To(int32(replicas)), Selector: sel, Template: tmpl}}
	rs.OwnerReferences = []metav1.OwnerReference{ref(d, "Deployment", "apps/v1")}
	return []client.Object{d, rs}, ref(rs, "ReplicaSet", "apps/v1")
}

func jobOf(meta metav1.ObjectMeta, tmpl corev1.PodTemplateSpec) *batchv1.Job {
	tmpl.Spec.RestartPolicy = corev1.RestartPolicyNever
	return &batchv1.Job{ObjectMeta: meta, Spec: batchv1.JobSpec{Template: tmpl}}
}

// ref is an owner reference to o; its UID is filled in once o is created.
func ref(o client.Object, kind, apiVersion string) metav1.OwnerReference {
	return metav1.OwnerReference{APIVersion: apiVersion, Kind: kind, Name: o.GetName(), UID: o.GetUID(), Controller: ptr.To(true)}
}

func podSpec(wl workload) corev1.PodSpec {
	restart := corev1.RestartPolicyAlways
	if wl.ref.Kind == flow.KindJob || wl.ref.Kind == flow.KindCronJob {
		restart = corev1.RestartPolicyNever
	}
	return corev1.PodSpec{RestartPolicy: restart, Containers: []corev1.Container{{Name: "app", Image: "example.invalid/app:1",
		Ports: []corev1.ContainerPort{{Name: "serve", ContainerPort: wl.port}}}}}
}

// podObject is pod p of wl on its node, owned by owner; its IP is set in
// the status, as the kubelet would.
func podObject(wl workload, p pod, owner metav1.OwnerReference) *corev1.Pod {
	spec := podSpec(wl)
	spec.NodeName = p.node
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: wl.ref.Namespace, Name: p.name, Labels: wl.labels(),
		OwnerReferences: []metav1.OwnerReference{owner}}, Spec: spec}
}

func podStatus(p pod, hostIP string) corev1.PodStatus {
	return corev1.PodStatus{Phase: corev1.PodRunning, PodIP: p.ip.String(), PodIPs: []corev1.PodIP{{IP: p.ip.String()}}, HostIP: hostIP,
		Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}}
}

// service and endpointSlice front wl's pods, as the EndpointSlice
// controller would publish them.
func service(wl workload) *corev1.Service {
	return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: wl.ref.Namespace, Name: wl.ref.Name},
		Spec: corev1.ServiceSpec{Selector: wl.labels(), Ports: []corev1.ServicePort{{Name: "serve", Port: 80, TargetPort: intstr.FromString("serve"), Protocol: corev1.ProtocolTCP}}}}
}

func endpointSlice(wl workload, pods []*corev1.Pod) *discoveryv1.EndpointSlice {
	es := &discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Namespace: wl.ref.Namespace, Name: wl.ref.Name + "-abcde",
		Labels: map[string]string{discoveryv1.LabelServiceName: wl.ref.Name, discoveryv1.LabelManagedBy: "endpointslice-controller.k8s.io"}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Ports:       []discoveryv1.EndpointPort{{Name: ptr.To("serve"), Port: ptr.To(wl.port), Protocol: ptr.To(corev1.ProtocolTCP)}}}
	for i, p := range pods {
		es.Endpoints = append(es.Endpoints, discoveryv1.Endpoint{Addresses: []string{wl.pods[i].ip.String()}, NodeName: ptr.To(wl.pods[i].node),
			Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(true)},
			TargetRef:  &corev1.ObjectReference{Kind: "Pod", Namespace: p.Namespace, Name: p.Name, UID: p.UID}})
	}
	return es
}

// policy is wl's NetworkPolicy as a team would write it: ingress from its
// namespace on its port, egress to its peers' namespaces and DNS.
func (w *world) policy(wl workload) *networkingv1.NetworkPolicy {
	port := intstr.FromInt32(wl.port)
	var to []networkingv1.NetworkPolicyPeer
	for _, p := range wl.peers {
		peer := w.workloads[p]
		to = append(to, networkingv1.NetworkPolicyPeer{
			NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{corev1.LabelMetadataName: peer.ref.Namespace}},
			PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{"app.kubernetes.io/name": peer.ref.Name}}})
	}
	return &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: wl.ref.Namespace, Name: wl.ref.Name},
		Spec: networkingv1.NetworkPolicySpec{PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app.kubernetes.io/name": wl.ref.Name}},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
			Ingress:     []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{}}}, Ports: []networkingv1.NetworkPolicyPort{{Port: &port}}}},
			Egress:      []networkingv1.NetworkPolicyEgressRule{{To: to}}}}
}

func node(name string, i int) *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{corev1.LabelHostname: name}},
		Status: corev1.NodeStatus{Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: nodeIP(i)}}}}
}

// nodeIP is the address of node i, above the pods' addresses.
func nodeIP(i int) string { return fmt.Sprintf("198.18.%d.%d", 240+i/250, 1+i%250) }
