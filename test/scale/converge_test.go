package scale

import (
	"testing"
	"time"
)

// annotatorPrefix names the annotator's controllers, one per workload kind.
const annotatorPrefix = "netpol-advisor-annotator-"

// waitAnnotated waits until the annotator has looked at every workload
// (reconciles of its controllers, all kinds, at least want) and its queues
// are empty, and returns the time since since.
func waitAnnotated(tb testing.TB, s *server, want int, since time.Time, timeout time.Duration) time.Duration {
	for deadline := time.Now().Add(timeout); ; time.Sleep(200 * time.Millisecond) {
		mfs := s.scrape(tb)
		done := sum(mfs, "controller_runtime_reconcile_total", map[string]string{"controller": annotatorPrefix})
		queued := sum(mfs, "workqueue_depth", map[string]string{"name": annotatorPrefix})
		if done >= float64(want) && queued == 0 {
			return time.Since(since)
		}
		if time.Now().After(deadline) {
			tb.Fatalf("the annotator did not converge within %s: %.0f of %d workloads reconciled, %.0f queued", timeout, done, want, queued)
		}
	}
}

// waitFullEvaluation waits for the mismatch evaluation's first full round
// and returns the mean time of its full rounds.
func waitFullEvaluation(tb testing.TB, s *server, timeout time.Duration) time.Duration {
	full := map[string]string{"mode": "full"}
	for deadline := time.Now().Add(timeout); ; time.Sleep(500 * time.Millisecond) {
		mfs := s.scrape(tb)
		if sum(mfs, "netpol_advisor_mismatch_evaluations_total", map[string]string{"mode": "full", "result": "error"}) > 0 {
			tb.Fatalf("a full mismatch evaluation failed:\n%s", tail(s.stderr.String()))
		}
		var n uint64
		for _, m := range mfs["netpol_advisor_mismatch_evaluation_duration_seconds"].GetMetric() {
			if hasLabels(m, full) {
				n += m.GetHistogram().GetSampleCount()
			}
		}
		if n > 0 {
			secs := sum(mfs, "netpol_advisor_mismatch_evaluation_duration_seconds", full)
			return time.Duration(secs / float64(n) * float64(time.Second))
		}
		if time.Now().After(deadline) {
			tb.Fatalf("no full mismatch evaluation within %s", timeout)
		}
	}
}
