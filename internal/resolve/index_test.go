package resolve

import (
	"net/netip"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

var equateAddr = cmpopts.EquateComparable(netip.Addr{})

// fixture is a small cluster: a Deployment, a CronJob's Job, a bare pod,
// a Service with a named target port, the API server and a node.
func fixture(now *time.Time) *Index {
	x := NewIndex(time.Minute, func() time.Time { return *now })
	x.since = t0 // the index has run since t0
	x.SetOwner("ReplicaSet", makeReplicaSet("shop", "api-7d9f", controller("Deployment", "api")))
	job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "report-29000", OwnerReferences: controller("CronJob", "report")}}
	x.SetOwner("Job", job)
	x.SetPod(makePod("shop", "api-7d9f-x", "198.18.0.10", t0, controller("ReplicaSet", "api-7d9f")))
	x.SetPod(makePod("shop", "report-29000-y", "198.18.0.11", t0, controller("Job", "report-29000")))
	x.SetPod(makePod("shop", "debug", "198.18.0.12", t0, nil))
	x.SetService(makeService("shop", "api", "198.19.0.10", corev1.ServicePort{Name: "http", Port: 80, TargetPort: intstr.FromString("web")}))
	x.SetEndpointSlice(makeSlice("shop", "api", "http", 8080, map[string]string{"198.18.0.10": "api-7d9f-x"}))
	x.SetService(makeService("default", "kubernetes", "198.19.0.1", corev1.ServicePort{Name: "https", Port: 443}))
	x.SetEndpointSlice(makeSlice("default", "kubernetes", "https", 6443, map[string]string{"198.18.255.1": ""}))
	x.SetNode(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-1"},
		Status: corev1.NodeStatus{Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "198.18.255.1"}}}})
	return x
}

func TestRemote(t *testing.T) {
	now := t0.Add(90 * time.Second)
	x := fixture(&now)
	at := t0.Add(time.Minute)
	api := workload("shop", flow.KindDeployment, "api")
	viaSvc := api
	viaSvc.Service = flow.ServiceRef{Namespace: "shop", Name: "api", Port: 80}
	tests := []struct {
		name string
		obs  flow.Observation
		want []Target
	}{
		{"pod of a deployment", egress("198.18.0.10", 8080, at), []Target{{api, 8080}}},
		{"pod of a cronjob", egress("198.18.0.11", 9000, at), []Target{{workload("shop", flow.KindCronJob, "report"), 9000}}},
		{"bare pod", ingress("198.18.0.12", 8080, at), []Target{{workload("shop", flow.KindPod, "debug"), 8080}}},
		{"service with named target port", egress("198.19.0.10", 80, at), []Target{{viaSvc, 8080}}},
		{"service port not exposed", egress("198.19.0.10", 81, at), []Target{{flow.Peer{Kind: flow.PeerExternal, IP: netip.MustParseAddr("198.19.0.10")}, 81}}},
		{"kubernetes service", egress("198.19.0.1", 443, at), []Target{{flow.Peer{Kind: flow.PeerAPIServer, IP: netip.MustParseAddr("198.18.255.1"),
			Service: flow.ServiceRef{Namespace: "default", Name: "kubernetes", Port: 443}}, 6443}}},
		{"api server endpoint", egress("198.18.255.1", 6443, at), []Target{{flow.Peer{Kind: flow.PeerAPIServer, IP: netip.MustParseAddr("198.18.255.1")}, 6443}}},
		{"kubelet on the node", egress("198.18.255.1", 10250, at), []Target{{flow.Peer{Kind: flow.PeerNode, IP: netip.MustParseAddr("198.18.255.1"), Node: "node-1"}, 10250}}},
		{"external", egress("203.0.113.7", 27017, at), []Target{{flow.Peer{Kind: flow.PeerExternal, IP: netip.MustParseAddr("203.0.113.7")}, 27017}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, x.Remote(tt.obs), equateAddr); diff != "" {
				t.Fatalf("Remote (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReusedPodIPResolvesByTime(t *testing.T) {
	now := t0.Add(10 * time.Minute)
	x := fixture(&now)
	old := makePod("shop", "debug", "198.18.0.12", t0, nil)
	old.DeletionTimestamp = &metav1.Time{Time: t0.Add(10 * time.Minute)}
	x.DeletePod(old)
	now = t0.Add(10*time.Minute + 30*time.Second)
	x.SetPod(makePod("other", "new", "198.18.0.12", now, controller("StatefulSet", "db")))
	tests := []struct {
		name string
		at   time.Time
		want flow.Peer
	}{
		{"before the deletion: the old pod", t0.Add(9 * time.Minute), workload("shop", flow.KindPod, "debug")},
		{"between deletion and reuse: the old pod, in grace", t0.Add(10*time.Minute + 10*time.Second), workload("shop", flow.KindPod, "debug")},
		{"after the reuse: the new pod", t0.Add(11 * time.Minute), workload("other", flow.KindStatefulSet, "db")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := x.Remote(egress("198.18.0.12", 5432, tt.at))
			if diff := cmp.Diff([]Target{{tt.want, 5432}}, got, equateAddr); diff != "" {
				t.Fatalf("Remote (-want +got):\n%s", diff)
			}
		})
	}
	now = t0.Add(time.Hour)
	x.Collect()
	// Past the grace the old tenancy is forgotten: the address may have
	// been a pod's then, so it is unresolved, never external.
	got := x.Remote(egress("198.18.0.12", 5432, t0.Add(9*time.Minute)))
	want := []Target{{flow.Peer{Kind: flow.PeerUnresolved, IP: netip.MustParseAddr("198.18.0.12")}, 5432}}
	if diff := cmp.Diff(want, got, equateAddr); diff != "" {
		t.Fatalf("after the grace period (-want +got):\n%s", diff)
	}
}

func TestLocal(t *testing.T) {
	now := t0.Add(time.Hour)
	x := fixture(&now)
	hostPod := makePod("kube-system", "agent", "198.18.255.1", t0, controller("DaemonSet", "agent"))
	hostPod.Spec.HostNetwork = true
	x.SetPod(hostPod)
	if w, ok := x.Local(netip.MustParseAddr("198.18.0.10"), t0.Add(time.Minute)); !ok || w.Name != "api" {
		t.Fatalf("Local(pod IP) = %v, %v; want the api Deployment", w, ok)
	}
	if w, ok := x.Local(netip.MustParseAddr("198.18.255.1"), t0.Add(time.Minute)); ok {
		t.Fatalf("Local(node IP) = %v; a host-network pod must not resolve by IP", w)
	}
	want := flow.WorkloadRef{Namespace: "kube-system", Kind: flow.KindDaemonSet, Name: "agent"}
	if w, ok := x.LocalByUID(string(hostPod.UID)); !ok || w != want {
		t.Fatalf("LocalByUID = %v, %v; want %v", w, ok, want)
	}
}

func TestDualStackPodsAndServices(t *testing.T) {
	now := t0.Add(time.Hour)
	x := NewIndex(time.Minute, func() time.Time { return now })
	p := makePod("shop", "db-0", "198.18.0.30", t0, controller("StatefulSet", "db"))
	p.Status.PodIPs = append(p.Status.PodIPs, corev1.PodIP{IP: "fd00:198:18::30"})
	x.SetPod(p)
	svc := makeService("shop", "db", "fd00:198:19::a", corev1.ServicePort{Name: "pg", Port: 5432, TargetPort: intstr.FromInt32(5432)})
	x.SetService(svc)
	es := makeSlice("shop", "db", "pg", 5432, map[string]string{"fd00:198:18::30": "db-0"})
	x.SetEndpointSlice(es)
	db := workload("shop", flow.KindStatefulSet, "db")
	viaSvc := db
	viaSvc.Service = flow.ServiceRef{Namespace: "shop", Name: "db", Port: 5432}
	at := t0.Add(time.Minute)
	tests := []struct {
		name string
		obs  flow.Observation
		want []Target
	}{
		{"IPv6 pod address", egress("fd00:198:18::30", 5432, at), []Target{{db, 5432}}},
		{"IPv4-mapped IPv6 address", egress("::ffff:198.18.0.30", 5432, at), []Target{{db, 5432}}},
		{"IPv6 ClusterIP", egress("fd00:198:19::a", 5432, at), []Target{{viaSvc, 5432}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, x.Remote(tt.obs), equateAddr); diff != "" {
				t.Fatalf("Remote (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReusedPodIPOfAPendingPod: a pod created while another still held the
// IP it later gets (it waited to be scheduled) holds the IP from when its
// kubelet started it, not from its creation.
func TestReusedPodIPOfAPendingPod(t *testing.T) {
	now := t0.Add(10 * time.Minute)
	x := fixture(&now)
	old := makePod("shop", "debug", "198.18.0.12", t0, nil)
	old.DeletionTimestamp = &metav1.Time{Time: now}
	x.DeletePod(old)
	now = t0.Add(10*time.Minute + 30*time.Second)
	pending := makePod("other", "new", "198.18.0.12", t0.Add(5*time.Minute), controller("StatefulSet", "db"))
	pending.Status.StartTime = &metav1.Time{Time: now}
	x.SetPod(pending)
	tests := []struct {
		name string
		at   time.Time
		want flow.Peer
	}{
		{"after the new pod's creation, before the deletion: the old pod", t0.Add(8 * time.Minute), workload("shop", flow.KindPod, "debug")},
		{"after the new pod started: the new pod", t0.Add(11 * time.Minute), workload("other", flow.KindStatefulSet, "db")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := x.Remote(egress("198.18.0.12", 5432, tt.at))
			if diff := cmp.Diff([]Target{{tt.want, 5432}}, got, equateAddr); diff != "" {
				t.Fatalf("Remote (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDualStackServiceWithoutPods: a connection to one family's ClusterIP
// reaches only that family's endpoints (kube-proxy DNATs within a family).
func TestDualStackServiceWithoutPods(t *testing.T) {
	now := t0.Add(90 * time.Second)
	x := NewIndex(time.Minute, func() time.Time { return now })
	x.since = t0
	svc := makeService("shop", "legacy", "198.19.0.40", corev1.ServicePort{Name: "db", Port: 5432})
	svc.Spec.ClusterIPs = append(svc.Spec.ClusterIPs, "fd00:198:19::40")
	x.SetService(svc)
	x.SetEndpointSlice(makeSlice("shop", "legacy", "db", 5432, map[string]string{"203.0.113.40": ""}))
	v6 := makeSlice("shop", "legacy", "db", 5432, map[string]string{"fd00:203:113::40": ""})
	v6.Name, v6.AddressType = "legacy-v6", discoveryv1.AddressTypeIPv6
	x.SetEndpointSlice(v6)
	ref := flow.ServiceRef{Namespace: "shop", Name: "legacy", Port: 5432}
	ext := func(ip string) flow.Peer {
		return flow.Peer{Kind: flow.PeerExternal, IP: netip.MustParseAddr(ip), Service: ref}
	}
	at := t0.Add(time.Minute)
	tests := []struct {
		name string
		obs  flow.Observation
		want []Target
	}{
		{"IPv4 ClusterIP", egress("198.19.0.40", 5432, at), []Target{{ext("203.0.113.40"), 5432}}},
		{"IPv6 ClusterIP", egress("fd00:198:19::40", 5432, at), []Target{{ext("fd00:203:113::40"), 5432}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, x.Remote(tt.obs), equateAddr); diff != "" {
				t.Fatalf("Remote (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDeletedOwnerStillNamesTheWorkload: a Job deleted with its pod (a
// CronJob's ttlSecondsAfterFinished) still names the CronJob for the pod's
// last flows, drained after the deletion, until the grace period ends.
func TestDeletedOwnerStillNamesTheWorkload(t *testing.T) {
	now := t0.Add(time.Hour)
	x := fixture(&now)
	job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "report-29000", OwnerReferences: controller("CronJob", "report")}}
	x.DeleteOwner("Job", job)
	x.DeletePod(makePod("shop", "report-29000-y", "198.18.0.11", t0, controller("Job", "report-29000")))
	last := now.Add(-time.Second)
	now = now.Add(10 * time.Second)
	want := flow.WorkloadRef{Namespace: "shop", Kind: flow.KindCronJob, Name: "report"}
	if w, ok := x.Local(netip.MustParseAddr("198.18.0.11"), last); !ok || w != want {
		t.Fatalf("Local after the Job's deletion = %v, %v; want %v", w, ok, want)
	}
	now = now.Add(2 * time.Minute)
	x.Collect()
	x.SetPod(makePod("shop", "report-29000-z", "198.18.0.13", now, controller("Job", "report-29000")))
	wantJob := flow.WorkloadRef{Namespace: "shop", Kind: flow.KindJob, Name: "report-29000"}
	if w, _ := x.Local(netip.MustParseAddr("198.18.0.13"), now); w != wantJob {
		t.Fatalf("Local past the grace period = %v; want the Job itself, %v", w, wantJob)
	}
}
