package e2e

import (
	"context"
	"net/netip"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
)

// apiObjects creates in the API server what the real controllers and the
// kubelet would (no controller runs in envtest).
type apiObjects struct {
	t    *testing.T
	ctx  context.Context
	cs   kubernetes.Interface
	node string
}

func (a apiObjects) must(what string, err error) {
	a.t.Helper()
	if err != nil {
		a.t.Fatalf("%s: %v", what, err)
	}
}

func (a apiObjects) namespaces(names ...string) {
	for _, n := range names {
		_, err := a.cs.CoreV1().Namespaces().Create(a.ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: n}}, metav1.CreateOptions{})
		a.must("create namespace "+n, err)
	}
}

func (a apiObjects) nodeObject() {
	_, err := a.cs.CoreV1().Nodes().Create(a.ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: a.node}}, metav1.CreateOptions{})
	a.must("create node", err)
}

// deployment creates a Deployment, its ReplicaSet and one running pod on
// the node with address ip (and ip6 when valid: dual-stack), owned as the
// controllers would own them; it returns the pod's name.
func (a apiObjects) deployment(ns, name string, ip, ip6 netip.Addr, ports ...corev1.ContainerPort) string {
	return a.labelledDeployment(ns, name, map[string]string{"app": name}, ip, ip6, ports...)
}

// labelledDeployment is deployment with the pods' labels given.
func (a apiObjects) labelledDeployment(ns, name string, labels map[string]string, ip, ip6 netip.Addr, ports ...corev1.ContainerPort) string {
	tmpl := template(name, labels, ports...)
	sel := &metav1.LabelSelector{MatchLabels: labels}
	d, err := a.cs.AppsV1().Deployments(ns).Create(a.ctx, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{Selector: sel, Template: tmpl}}, metav1.CreateOptions{})
	a.must("create Deployment "+name, err)
	rs, err := a.cs.AppsV1().ReplicaSets(ns).Create(a.ctx, &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: name + "-5d8f7c9b4",
		OwnerReferences: []metav1.OwnerReference{controllerRef("apps/v1", "Deployment", d.Name, d.UID)}},
		Spec: appsv1.ReplicaSetSpec{Selector: sel, Template: tmpl}}, metav1.CreateOptions{})
	a.must("create ReplicaSet of "+name, err)
	return a.pod(ns, rs.Name+"-x7k2p", labels, controllerRef("apps/v1", "ReplicaSet", rs.Name, rs.UID), tmpl.Spec, ip, ip6)
}

// template is a workload's pod template: one container of the image named
// after the workload, with ports.
func template(name string, labels map[string]string, ports ...corev1.ContainerPort) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "main", Image: "registry.invalid/" + name + ":1", Ports: ports}}}}
}

// pod creates a pod of a controller (owner) running on the node with
// address ip (and ip6 when valid), as the kubelet reports it; it returns
// the pod's name.
func (a apiObjects) pod(ns, name string, labels map[string]string, owner metav1.OwnerReference, spec corev1.PodSpec, ip, ip6 netip.Addr) string {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels, OwnerReferences: []metav1.OwnerReference{owner}}, Spec: spec}
	pod.Spec.NodeName = a.node
	p, err := a.cs.CoreV1().Pods(ns).Create(a.ctx, pod, metav1.CreateOptions{})
	a.must("create Pod "+name, err)
	p.Status = corev1.PodStatus{Phase: corev1.PodRunning, PodIP: ip.String(), PodIPs: []corev1.PodIP{{IP: ip.String()}}}
	if ip6.IsValid() {
		p.Status.PodIPs = append(p.Status.PodIPs, corev1.PodIP{IP: ip6.String()})
	}
	_, err = a.cs.CoreV1().Pods(ns).UpdateStatus(a.ctx, p, metav1.UpdateOptions{})
	a.must("set the IP of Pod "+name, err)
	return p.Name
}

func controllerRef(apiVersion, kind, name string, uid types.UID) metav1.OwnerReference {
	return metav1.OwnerReference{APIVersion: apiVersion, Kind: kind, Name: name, UID: uid,
		Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true)}
}

// service creates a Service whose port targets the backend's named
// container port, and the EndpointSlice the controller would make; it
// returns the ClusterIP the API server allocated.
func (a apiObjects) service(ns, name string, port int32, target corev1.ContainerPort, backend netip.Addr, backendPod string) netip.Addr {
	sp := corev1.ServicePort{Name: "web", Port: port, TargetPort: intstr.FromString(target.Name), Protocol: corev1.ProtocolTCP}
	return a.serviceTo(ns, name, map[string]string{"app": name}, sp, target.ContainerPort, backend, backendPod)
}

// serviceTo creates a Service of one port that selects sel, and the
// EndpointSlice the controller would make for one backend pod listening on
// target (the target port resolved, named or not); it returns the
// ClusterIP the API server allocated.
func (a apiObjects) serviceTo(ns, name string, sel map[string]string, port corev1.ServicePort, target int32, backend netip.Addr, backendPod string) netip.Addr {
	svc, err := a.cs.CoreV1().Services(ns).Create(a.ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.ServiceSpec{Selector: sel, Ports: []corev1.ServicePort{port}}}, metav1.CreateOptions{})
	a.must("create Service "+name, err)
	_, err = a.cs.DiscoveryV1().EndpointSlices(ns).Create(a.ctx, &discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Name: name + "-abcde", Labels: map[string]string{discoveryv1.LabelServiceName: name}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Ports:       []discoveryv1.EndpointPort{{Name: ptr.To(port.Name), Port: ptr.To(target), Protocol: ptr.To(port.Protocol)}},
		Endpoints: []discoveryv1.Endpoint{{Addresses: []string{backend.String()}, NodeName: ptr.To(a.node),
			TargetRef: &corev1.ObjectReference{Kind: "Pod", Namespace: ns, Name: backendPod}}},
	}, metav1.CreateOptions{})
	a.must("create EndpointSlice of "+name, err)
	ip, err := netip.ParseAddr(svc.Spec.ClusterIP)
	a.must("ClusterIP of "+name, err)
	return ip
}
