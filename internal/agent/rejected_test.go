package agent_test

import (
	"context"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/store/outbox"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

// TestRejectedRecordsAndRefusedBatchesAreAccountedFor runs a real server
// and a real observer: some records have a process name longer than the
// server accepts, and one batch is larger than the server takes. The bad
// records are rejected one by one (the rest of their batches stored), the
// large batch is quarantined in the outbox (not dropped, not wedging the
// queue), and nothing acknowledged is lost or counted twice.
func TestRejectedRecordsAndRefusedBatchesAreAccountedFor(t *testing.T) {
	const perDrain, longEvery, burst = 5, 7, 60
	r := newFaultRig(t)
	srv := r.startServer("--max-batch-bytes=12000")
	obs := r.startObserver(func(hc *helperConfig) {
		hc.PerDrain, hc.LongProcessEvery, hc.BurstAt, hc.BurstSize = perDrain, longEvery, 20, burst
		hc.Agent.MaxBatch = burst
	})
	r.waitTotal(func(n uint64) bool { return n > 200 }, "flows past the large batch")
	testutil.WriteFile(t, filepath.Join(r.dir, "stop"), nil)
	final := r.waitStable()
	rejected := r.metricValue(`netpol_advisor_ingest_records_rejected_total{reason="invalid"}`)
	obs.stop(t, syscall.SIGTERM)
	srv.stop(t, syscall.SIGTERM)

	ob, err := outbox.Open(filepath.Join(r.dir, "observer"), outbox.Options{Node: "node-1", History: 24 * time.Hour})
	if err != nil {
		t.Fatalf("open the observer's outbox: %v", err)
	}
	defer ob.Close()
	hist, err := ob.History(context.Background())
	if err != nil {
		t.Fatalf("history: %v", err)
	}
	var good, long uint64
	for _, rec := range hist {
		if strings.HasPrefix(rec.Observation.Process, "long-") {
			long += rec.Observation.Count
		} else {
			good += rec.Observation.Count
		}
	}
	q, err := ob.Quarantined(context.Background())
	if err != nil {
		t.Fatalf("quarantined: %v", err)
	}
	t.Logf("acknowledged %d good and %d rejected records; server counted %d; %d batches quarantined", good, long, final, len(q))
	if final != good {
		t.Fatalf("the server counted %d connections, the outbox delivered %d good ones", final, good)
	}
	if long == 0 || float64(long) != rejected {
		t.Fatalf("the server rejected %v records as invalid, the outbox had %d with long process names acknowledged", rejected, long)
	}
	if len(q) != 1 || len(q[0].Records) != burst || !strings.Contains(q[0].Reason, "413") {
		t.Fatalf("quarantined = %d batches (%+v), want the one batch of %d records refused with 413", len(q), q, burst)
	}
	if n := ob.PendingRecords(); n != 0 {
		t.Fatalf("%d records still pending", n)
	}
	if !strings.Contains(obs.stderr.String(), "rejected a record") {
		t.Fatalf("the observer did not log the rejections:\n%s", obs.stderr.String())
	}
}
