package resolve

import (
	"context"
	"net/netip"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/google/go-cmp/cmp"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

// serviceRange keeps ClusterIPs in the project's Service range.
func serviceRange(env *envtest.Environment) {
	env.ControlPlane.GetAPIServer().Configure().Set("service-cluster-ip-range", "198.19.0.0/16")
}

// TestWatchResolvesRealObjects creates every kind of peer in a real API
// server and checks the informer-fed index resolves each.
func TestWatchResolvesRealObjects(t *testing.T) {
	cp := testutil.StartControlPlane(t, serviceRange)
	cs := kubernetes.NewForConfigOrDie(cp.Config)
	c := &cluster{t: t, cs: cs, ns: "shop"}
	_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}}, metav1.CreateOptions{})
	c.check("create Namespace", err)

	d := c.deployment("api")
	rs := c.replicaSet("api-5d8f6b", c.ownedBy(appsv1.SchemeGroupVersion.WithKind("Deployment"), d))
	c.pod("api-5d8f6b-x1", "198.18.0.10", map[string]string{"pod-template-hash": "5d8f6b"},
		c.ownedBy(appsv1.SchemeGroupVersion.WithKind("ReplicaSet"), rs))
	ss := c.statefulSet("db")
	c.pod("db-0", "198.18.0.11", nil, c.ownedBy(appsv1.SchemeGroupVersion.WithKind("StatefulSet"), ss))
	cj := c.cronJob("report")
	job := c.job("report-29001", c.ownedBy(batchv1.SchemeGroupVersion.WithKind("CronJob"), cj))
	c.pod("report-29001-q", "198.18.0.12", nil, c.ownedBy(batchv1.SchemeGroupVersion.WithKind("Job"), job))
	plainJob := c.job("migrate", nil)
	c.pod("migrate-z", "198.18.0.13", nil, c.ownedBy(batchv1.SchemeGroupVersion.WithKind("Job"), plainJob))
	c.pod("debug", "198.18.0.14", nil, nil)
	ds := c.daemonSet("logs")
	c.pod("logs-8x2kq", "198.18.0.15", nil, c.ownedBy(appsv1.SchemeGroupVersion.WithKind("DaemonSet"), ds))
	c.podWith("node-agent", "198.18.255.1", nil, nil, true)
	svc := c.service("api", corev1.ServicePort{Name: "http", Port: 80, TargetPort: intstr.FromString("web")})
	c.endpointSlice("api", "http", 8080, "198.18.0.10", "api-5d8f6b-x1")
	c.node("node-1", "198.18.255.1")
	apiIP, apiPort := c.apiServerEndpoint()
	kubeSvc, err := cs.CoreV1().Services("default").Get(ctx, "kubernetes", metav1.GetOptions{})
	c.check("get the kubernetes Service", err)

	// Stop the informers before the control plane (cleanups run last first).
	wctx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	x, err := Watch(wctx, cs, WatchOptions{Grace: time.Minute})
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	at := time.Now()
	api := workload("shop", flow.KindDeployment, "api")
	viaSvc := api
	viaSvc.Service = flow.ServiceRef{Namespace: "shop", Name: "api", Port: 80}
	tests := []struct {
		name string
		obs  flow.Observation
		want []Target
	}{
		{"deployment pod", egress("198.18.0.10", 8080, at), []Target{{api, 8080}}},
		{"statefulset pod", ingress("198.18.0.11", 9000, at), []Target{{workload("shop", flow.KindStatefulSet, "db"), 9000}}},
		{"cronjob pod", ingress("198.18.0.12", 9000, at), []Target{{workload("shop", flow.KindCronJob, "report"), 9000}}},
		{"job pod", ingress("198.18.0.13", 9000, at), []Target{{workload("shop", flow.KindJob, "migrate"), 9000}}},
		{"bare pod", egress("198.18.0.14", 22, at), []Target{{workload("shop", flow.KindPod, "debug"), 22}}},
		{"daemonset pod", egress("198.18.0.15", 24224, at), []Target{{workload("shop", flow.KindDaemonSet, "logs"), 24224}}},
		{"host-network pod is its node", ingress("198.18.255.1", 8080, at), []Target{{flow.Peer{Kind: flow.PeerNode, IP: netip.MustParseAddr("198.18.255.1"), Node: "node-1"}, 8080}}},
		{"service, named target port", egress(svc.Spec.ClusterIP, 80, at), []Target{{viaSvc, 8080}}},
		{"node", egress("198.18.255.1", 10250, at), []Target{{flow.Peer{Kind: flow.PeerNode, IP: netip.MustParseAddr("198.18.255.1"), Node: "node-1"}, 10250}}},
		{"api server endpoint", egress(apiIP.String(), uint16(apiPort), at), []Target{{flow.Peer{Kind: flow.PeerAPIServer, IP: apiIP}, apiPort}}},
		{"kubernetes service", egress(kubeSvc.Spec.ClusterIP, 443, at), []Target{{flow.Peer{Kind: flow.PeerAPIServer, IP: apiIP,
			Service: flow.ServiceRef{Namespace: "default", Name: "kubernetes", Port: 443}}, apiPort}}},
		{"external", egress("203.0.113.7", 27017, at), []Target{{flow.Peer{Kind: flow.PeerExternal, IP: netip.MustParseAddr("203.0.113.7")}, 27017}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []Target
			eventually(t, tt.name, func() bool {
				got = x.Remote(tt.obs)
				return cmp.Equal(tt.want, got, equateAddr)
			})
		})
	}
	t.Run("reused pod IP", func(t *testing.T) { testReusedIP(t, c, x) })
}

// testReusedIP deletes a pod, gives its IP to a new pod of another
// workload, and checks flows resolve by their time.
func testReusedIP(t *testing.T, c *cluster, x *Index) {
	c.pod("old", "198.18.0.20", nil, nil)
	eventually(t, "the old pod", func() bool { _, ok := x.Local(netip.MustParseAddr("198.18.0.20"), time.Now()); return ok })
	before := time.Now()
	c.deletePod("old")
	// Creation timestamps have a resolution of one second.
	time.Sleep(1100 * time.Millisecond)
	c.pod("new-0", "198.18.0.20", nil, c.ownedBy(appsv1.SchemeGroupVersion.WithKind("StatefulSet"), c.statefulSet("new")))
	after := time.Now().Add(time.Second)
	wantOld := []Target{{workload("shop", flow.KindPod, "old"), 80}}
	wantNew := []Target{{workload("shop", flow.KindStatefulSet, "new"), 80}}
	eventually(t, "the new pod to take the IP", func() bool {
		return cmp.Equal(wantNew, x.Remote(egress("198.18.0.20", 80, after)), equateAddr)
	})
	if diff := cmp.Diff(wantOld, x.Remote(egress("198.18.0.20", 80, before)), equateAddr); diff != "" {
		t.Fatalf("a flow seen before the deletion (-want +got):\n%s", diff)
	}
}

func (c *cluster) service(name string, ports ...corev1.ServicePort) *corev1.Service {
	s, err := c.cs.CoreV1().Services(c.ns).Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       corev1.ServiceSpec{Selector: map[string]string{"app": name}, Ports: ports},
	}, metav1.CreateOptions{})
	c.check("create Service", err)
	return s
}

// endpointSlice creates the slice the EndpointSlice controller would: the
// Service's port name with the named target port resolved to a number.
func (c *cluster) endpointSlice(svc, portName string, port int32, ip, pod string) {
	_, err := c.cs.DiscoveryV1().EndpointSlices(c.ns).Create(ctx, &discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Name: svc + "-x7k2p", Labels: map[string]string{discoveryv1.LabelServiceName: svc}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Ports:       []discoveryv1.EndpointPort{{Name: ptr.To(portName), Port: ptr.To(port), Protocol: ptr.To(corev1.ProtocolTCP)}},
		Endpoints: []discoveryv1.Endpoint{{Addresses: []string{ip}, Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(true)},
			TargetRef: &corev1.ObjectReference{Kind: "Pod", Namespace: c.ns, Name: pod}}},
	}, metav1.CreateOptions{})
	c.check("create EndpointSlice", err)
}

func (c *cluster) node(name, ip string) {
	n, err := c.cs.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	c.check("create Node", err)
	n.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: ip}}
	_, err = c.cs.CoreV1().Nodes().UpdateStatus(ctx, n, metav1.UpdateOptions{})
	c.check("set Node addresses", err)
}

// apiServerEndpoint returns the address and port the API server publishes
// in the kubernetes Service's EndpointSlice (it maintains that slice itself).
func (c *cluster) apiServerEndpoint() (netip.Addr, int32) {
	var es *discoveryv1.EndpointSlice
	eventually(c.t, "the kubernetes EndpointSlice", func() bool {
		var err error
		es, err = c.cs.DiscoveryV1().EndpointSlices("default").Get(ctx, "kubernetes", metav1.GetOptions{})
		return err == nil && len(es.Endpoints) > 0 && len(es.Ports) > 0
	})
	return netip.MustParseAddr(es.Endpoints[0].Addresses[0]), *es.Ports[0].Port
}
