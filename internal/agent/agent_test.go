package agent

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	promtest "github.com/prometheus/client_golang/prometheus/testutil"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/resolve"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/store/outbox"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/transport"
)

var t0 = time.Now().Add(-time.Minute).UTC()

// scriptedSource hands out the prepared drains, then nothing.
type scriptedSource struct {
	mu     sync.Mutex
	drains [][]flow.Observation
	calls  int
}

func (s *scriptedSource) Drain() ([]flow.Observation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if len(s.drains) == 0 {
		return nil, nil
	}
	d := s.drains[0]
	s.drains = s.drains[1:]
	return d, nil
}

// flakySender fails its first failures sends, then records what it got.
type flakySender struct {
	mu       sync.Mutex
	failures int
	got      []store.Pending
}

func (s *flakySender) Send(_ context.Context, _ string, p store.Pending) (transport.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failures > 0 {
		s.failures--
		return transport.Response{}, errors.New("connection refused")
	}
	s.got = append(s.got, p)
	return transport.Response{Applied: true, LastSeq: p.Seq}, nil
}

func localPods() *resolve.Index {
	x := resolve.NewIndex(0, nil)
	x.SetPod(&corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "api", UID: "u1", CreationTimestamp: metav1.NewTime(t0.Add(-time.Hour))},
		Status:     corev1.PodStatus{Phase: corev1.PodRunning, PodIPs: []corev1.PodIP{{IP: "198.18.0.10"}}},
	})
	return x
}

func observation(local string, count uint64) flow.Observation {
	return flow.Observation{LocalIP: netip.MustParseAddr(local), Direction: flow.Egress, Client: netip.MustParseAddr(local),
		Server: netip.MustParseAddr("203.0.113.7"), ServerPort: 443, Protocol: "TCP", Count: count, FirstSeen: t0, LastSeen: t0}
}

func newAgent(t *testing.T, src Source, snd Sender, maxRecords int) (*Agent, *outbox.Outbox) {
	ob, err := outbox.Open(t.TempDir(), outbox.Options{Node: "node-1", MaxRecords: maxRecords})
	if err != nil {
		t.Fatalf("open outbox: %v", err)
	}
	t.Cleanup(func() { _ = ob.Close() })
	return &Agent{Source: src, Resolver: localPods(), Outbox: ob, Sender: snd,
		DrainEvery: 10 * time.Millisecond, MaxBatch: 2, RetryMin: time.Millisecond, RetryMax: 5 * time.Millisecond}, ob
}

func TestAgentDeliversEveryRecordDespiteFailedSends(t *testing.T) {
	src := &scriptedSource{drains: [][]flow.Observation{
		{observation("198.18.0.10", 1), observation("198.18.0.10", 2), observation("198.18.0.10", 3)},
		{observation("198.18.0.99", 100)}, // no local pod: dropped
		{observation("198.18.0.10", 4)},
	}}
	snd := &flakySender{failures: 3}
	a, ob := newAgent(t, src, snd, 100)
	reg := prometheus.NewPedanticRegistry()
	a.Metrics = NewMetrics(reg, ob.PendingRecords)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- a.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for !(ob.PendingRecords() == 0 && src.drained()) {
		if time.Now().After(deadline) {
			t.Fatalf("batches still pending: %d records", ob.PendingRecords())
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	var total uint64
	var seqs []uint64
	records := 0
	for _, p := range snd.got {
		seqs = append(seqs, p.Seq)
		records += len(p.Records)
		for _, r := range p.Records {
			total += r.Observation.Count
		}
	}
	if total != 10 {
		t.Fatalf("the server got counts totalling %d, want 10 (1+2+3+4)", total)
	}
	testutil.Promtool(t, reg)
	if got := promtest.ToFloat64(a.Metrics.records); got != float64(records) || records == 0 {
		t.Errorf("netpol_advisor_agent_records_sent_total = %v, want the %d records the server acknowledged", got, records)
	}
	for i := range seqs {
		if seqs[i] != uint64(i+1) {
			t.Fatalf("batches arrived as %v, want 1, 2, 3 in order", seqs)
		}
	}
	want := `
# HELP netpol_advisor_agent_batches_sent_total Batches sent to the server, by result: acknowledged, quarantined (refused for good, kept in the outbox), failed (retried).
# TYPE netpol_advisor_agent_batches_sent_total counter
netpol_advisor_agent_batches_sent_total{result="acknowledged"} 3
netpol_advisor_agent_batches_sent_total{result="failed"} 3
netpol_advisor_agent_batches_sent_total{result="quarantined"} 0
# HELP netpol_advisor_agent_outbox_pending_records Records in the outbox not yet acknowledged by the server.
# TYPE netpol_advisor_agent_outbox_pending_records gauge
netpol_advisor_agent_outbox_pending_records 0
# HELP netpol_advisor_agent_unresolved_observations_total Observations dropped because their local socket is no pod of this node.
# TYPE netpol_advisor_agent_unresolved_observations_total counter
netpol_advisor_agent_unresolved_observations_total 1
`
	if err := promtest.GatherAndCompare(reg, strings.NewReader(want), "netpol_advisor_agent_batches_sent_total",
		"netpol_advisor_agent_outbox_pending_records", "netpol_advisor_agent_unresolved_observations_total"); err != nil {
		t.Fatalf("metrics: %v", err)
	}
}

func (s *scriptedSource) drained() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.drains) == 0
}

func TestAgentStopsDrainingWhenOutboxIsFull(t *testing.T) {
	many := func() []flow.Observation {
		return []flow.Observation{observation("198.18.0.10", 1), observation("198.18.0.10", 1), observation("198.18.0.10", 1)}
	}
	src := &scriptedSource{drains: [][]flow.Observation{many(), many(), many(), many()}}
	snd := &flakySender{failures: 1 << 30} // the server is away
	a, ob := newAgent(t, src, snd, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_ = a.Run(ctx)
	if src.calls != 1 {
		t.Fatalf("Drain called %d times with a full outbox, want 1", src.calls)
	}
	if n := ob.PendingRecords(); n != 2 || len(a.held) != 1 {
		t.Fatalf("outbox holds %d records and the agent %d, want 2 and 1", n, len(a.held))
	}
}

func TestAgentGivesUnresolvedObservationsOneMoreDrain(t *testing.T) {
	x := localPods()
	a := &Agent{Resolver: x, Logger: slog.New(slog.DiscardHandler)}
	if recs := a.records([]flow.Observation{observation("198.18.0.20", 1), observation("198.18.0.21", 1)}); len(recs) != 0 {
		t.Fatalf("records of unknown pods = %v, want none yet", recs)
	}
	// The informer catches up with a pod that just started.
	x.SetPod(&corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "job-x", UID: "u2", CreationTimestamp: metav1.NewTime(t0.Add(-time.Second))},
		Status:     corev1.PodStatus{Phase: corev1.PodRunning, PodIPs: []corev1.PodIP{{IP: "198.18.0.20"}}},
	})
	recs := a.records(nil)
	if len(recs) != 1 || recs[0].Workload.Name != "job-x" {
		t.Fatalf("records on the next drain = %v, want the new pod's observation", recs)
	}
	if recs := a.records(nil); len(recs) != 0 || len(a.unresolved) != 0 {
		t.Fatalf("the still unknown observation was kept beyond one drain: %v, %v", recs, a.unresolved)
	}
}

// TestAgentDrainsOnceMoreAtShutdown: what the kernel aggregated since the
// last drain reaches the durable outbox when the agent stops (the BPF maps
// go with the process; the outbox is shipped by the next one).
func TestAgentDrainsOnceMoreAtShutdown(t *testing.T) {
	src := &scriptedSource{drains: [][]flow.Observation{
		{observation("198.18.0.10", 1)},
		{observation("198.18.0.10", 2)},
	}}
	a, ob := newAgent(t, src, &flakySender{failures: 1 << 30}, 100) // the server is away
	a.DrainEvery = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- a.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for ob.PendingRecords() != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("the first drain did not reach the outbox")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	if n := ob.PendingRecords(); n != 2 {
		t.Fatalf("outbox holds %d records after shutdown, want 2 (the last drain's included)", n)
	}
}
