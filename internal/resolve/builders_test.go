package resolve

import (
	"net/netip"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func controller(kind, name string) []metav1.OwnerReference {
	return []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: kind, Name: name, UID: types.UID(kind + name), Controller: ptr.To(true)}}
}

// makePod builds a running pod with ip, created at created.
func makePod(ns, name, ip string, created time.Time, owners []metav1.OwnerReference) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID(ns + "/" + name + created.String()),
			CreationTimestamp: metav1.NewTime(created), OwnerReferences: owners},
		Spec:   corev1.PodSpec{NodeName: "node-1"},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, PodIP: ip, PodIPs: []corev1.PodIP{{IP: ip}}},
	}
}

func makeReplicaSet(ns, name string, owners []metav1.OwnerReference) *appsv1.ReplicaSet {
	return &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, OwnerReferences: owners}}
}

func makeService(ns, name, clusterIP string, ports ...corev1.ServicePort) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       corev1.ServiceSpec{ClusterIP: clusterIP, ClusterIPs: []string{clusterIP}, Ports: ports},
	}
}

// makeSlice builds an EndpointSlice of service with one port and endpoints
// given as ip → pod name ("" for no target pod).
func makeSlice(ns, service, portName string, port int32, endpoints map[string]string) *discoveryv1.EndpointSlice {
	es := &discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Namespace: ns, Name: service + "-abcde", Labels: map[string]string{discoveryv1.LabelServiceName: service}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Ports:       []discoveryv1.EndpointPort{{Name: ptr.To(portName), Port: ptr.To(port), Protocol: ptr.To(corev1.ProtocolTCP)}},
	}
	for ip, pod := range endpoints {
		e := discoveryv1.Endpoint{Addresses: []string{ip}}
		if pod != "" {
			e.TargetRef = &corev1.ObjectReference{Kind: "Pod", Namespace: ns, Name: pod}
		}
		es.Endpoints = append(es.Endpoints, e)
	}
	return es
}

func egress(server string, port uint16, at time.Time) flow.Observation {
	return flow.Observation{Direction: flow.Egress, Client: netip.MustParseAddr("198.18.0.99"),
		Server: netip.MustParseAddr(server), ServerPort: port, Protocol: "TCP", Count: 1, FirstSeen: at, LastSeen: at}
}

func ingress(client string, port uint16, at time.Time) flow.Observation {
	return flow.Observation{Direction: flow.Ingress, Client: netip.MustParseAddr(client),
		Server: netip.MustParseAddr("198.18.0.99"), ServerPort: port, Protocol: "TCP", Count: 1, FirstSeen: at, LastSeen: at}
}

func workload(ns string, kind flow.Kind, name string) flow.Peer {
	return flow.Peer{Kind: flow.PeerWorkload, Workload: flow.WorkloadRef{Namespace: ns, Kind: kind, Name: name}}
}
