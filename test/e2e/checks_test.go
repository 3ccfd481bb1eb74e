package e2e

import (
	"fmt"
	"net/http"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/api"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

var (
	frontend  = flow.WorkloadRef{Namespace: "shop", Kind: flow.KindDeployment, Name: "frontend"}
	catalog   = flow.WorkloadRef{Namespace: "shop", Kind: flow.KindDeployment, Name: "catalog"}
	collector = flow.WorkloadRef{Namespace: "telemetry", Kind: flow.KindDeployment, Name: "collector"}
)

// ignoreTimes leaves first/last seen out of comparisons (they are checked
// to be set instead) and compares addresses by value.
var ignoreTimes = cmp.Options{cmpopts.IgnoreFields(flow.Flow{}, "FirstSeen", "LastSeen"), cmpopts.EquateComparable(netip.Addr{})}

func (w *world) baselineURL(ref flow.WorkloadRef, view string) string {
	return w.apiURL + "/v1/namespaces/" + ref.Namespace + "/workloads/" + string(ref.Kind) + "/" + ref.Name + "/" + view
}

// checkClientBaseline waits for the frontend's baseline to hold exactly
// what its program did, then checks a few drains later that nothing was
// counted twice.
func (w *world) checkClientBaseline(t *testing.T) {
	t.Helper()
	egress := func(peer flow.Peer, port int32, proto corev1.Protocol, n uint64) flow.Flow {
		return flow.Flow{Key: flow.Key{Workload: frontend, Direction: flow.Egress, Peer: peer, Port: port, Protocol: proto, Process: "bash"}, Count: n}
	}
	want := []flow.Flow{
		egress(flow.Peer{Kind: flow.PeerWorkload, Workload: catalog, Service: flow.ServiceRef{Namespace: "shop", Name: "catalog", Port: 80}}, 8080, corev1.ProtocolTCP, viaService),
		egress(flow.Peer{Kind: flow.PeerWorkload, Workload: catalog}, 8080, corev1.ProtocolTCP, overIPv6),
		egress(flow.Peer{Kind: flow.PeerWorkload, Workload: collector}, 8125, corev1.ProtocolUDP, toPeer),
		egress(flow.Peer{Kind: flow.PeerExternal, IP: w.external}, 5432, corev1.ProtocolTCP, toExternal),
	}
	flow.SortFlows(want)
	got := w.waitBaseline(t, frontend, func(b flow.Baseline) string { return cmp.Diff(want, b.Flows, ignoreTimes) })
	time.Sleep(2 * time.Second) // four more drains and sends
	var again flow.Baseline
	if _, err := getJSON(w.https, w.baselineURL(frontend, "baseline"), w.readerToken, &again); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, again.Flows, ignoreTimes); diff != "" {
		t.Fatalf("the frontend's baseline changed after it matched (-want +got):\n%s", diff)
	}
	for _, f := range got.Flows {
		if f.FirstSeen.IsZero() || f.LastSeen.Before(f.FirstSeen) {
			t.Errorf("flow to %s: first seen %v, last seen %v", f.Peer, f.FirstSeen, f.LastSeen)
		}
	}
	var topo api.Topology
	if _, err := getJSON(w.https, w.baselineURL(frontend, "topology"), w.readerToken, &topo); err != nil {
		t.Fatal(err)
	}
	if len(topo.Edges) != 3 || topo.Excluded != 1 {
		t.Errorf("topology of the frontend has %d edges and %d excluded external peers, want 3 and 1 (external left out by default): %+v",
			len(topo.Edges), topo.Excluded, topo)
	}
}

// waitBaseline polls the read API until mismatch finds nothing wrong with
// ref's baseline ("").
func (w *world) waitBaseline(t *testing.T, ref flow.WorkloadRef, mismatch func(flow.Baseline) string) flow.Baseline {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(250 * time.Millisecond) {
		var b flow.Baseline
		_, err := getJSON(w.https, w.baselineURL(ref, "baseline"), w.readerToken, &b)
		why := fmt.Sprint(err)
		if err == nil {
			if why = mismatch(b); why == "" {
				return b
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the baseline of %s is not what the pods did after 30 s (-want +got):\n%s", ref, why)
		}
	}
}

// checkServerSide finds the accepted connections in the catalog's baseline:
// from the frontend workload on the target port, over the Service and over
// IPv6, counted once each.
func (w *world) checkServerSide(t *testing.T) {
	t.Helper()
	w.waitBaseline(t, catalog, func(b flow.Baseline) string {
		var n uint64
		for _, f := range b.Flows {
			if f.Direction == flow.Ingress && f.Peer == (flow.Peer{Kind: flow.PeerWorkload, Workload: frontend}) &&
				f.Port == 8080 && f.Protocol == corev1.ProtocolTCP {
				n += f.Count
			}
		}
		if n != viaService+overIPv6 {
			return fmt.Sprintf("%d connections accepted from %s on 8080/TCP, want %d; flows: %+v", n, frontend, viaService+overIPv6, b.Flows)
		}
		return ""
	})
}

// checkReaderScope: the reader may read shop's baselines only.
func (w *world) checkReaderScope(t *testing.T) {
	t.Helper()
	var b flow.Baseline
	code, err := getJSON(w.https, w.baselineURL(collector, "baseline"), w.readerToken, &b)
	if code != http.StatusForbidden {
		t.Errorf("reader got the collector's baseline in namespace telemetry: status %d (%v), want 403", code, err)
	}
	if code, err = getJSON(w.https, w.baselineURL(frontend, "baseline"), "not-a-token", &b); code != http.StatusUnauthorized {
		t.Errorf("a bad token got status %d (%v), want 401", code, err)
	}
}

// checkMetrics scrapes both processes, runs promtool over each exposition
// and finds the batches the observer sent acknowledged and applied.
func checkMetrics(t *testing.T, w *world) {
	t.Helper()
	srv := checkExposition(t, "http://"+w.serverMetrics+"/metrics", "netpol_advisor_ingest_batches_total", "netpol_advisor_ingest_records_total")
	obs := checkExposition(t, "http://"+w.obsMetric+"/metrics", "netpol_advisor_agent_batches_sent_total", "netpol_advisor_observer_bpf_events_total")
	applied := counter(srv, "netpol_advisor_ingest_batches_total", "result", "applied")
	acked := counter(obs, "netpol_advisor_agent_batches_sent_total", "result", "acknowledged")
	if applied < 1 || acked < 1 {
		t.Errorf("server applied %v batches, observer had %v acknowledged; want at least one each", applied, acked)
	}
}
