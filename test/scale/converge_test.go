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
// (a cold start: nothing read yet) and for a later one (the steady state),
// and returns the time each took.
func waitFullEvaluation(tb testing.TB, s *server, timeout time.Duration) (first, later time.Duration) {
	n1, sum1 := waitFullRounds(tb, s, 1, timeout)
	n2, sum2 := waitFullRounds(tb, s, n1+1, timeout)
	return seconds(sum1 / float64(n1)), seconds((sum2 - sum1) / float64(n2-n1))
}

// waitFullRounds waits until the server has made at least n full rounds
// and returns how many and their total time in seconds.
func waitFullRounds(tb testing.TB, s *server, n uint64, timeout time.Duration) (uint64, float64) {
	full := map[string]string{"mode": "full"}
	for deadline := time.Now().Add(timeout); ; time.Sleep(500 * time.Millisecond) {
		mfs := s.scrape(tb)
		if sum(mfs, "netpol_advisor_mismatch_evaluations_total", map[string]string{"mode": "full", "result": "error"}) > 0 {
			tb.Fatalf("a full mismatch evaluation failed:\n%s", tail(s.stderr.String()))
		}
		var got uint64
		for _, m := range mfs["netpol_advisor_mismatch_evaluation_duration_seconds"].GetMetric() {
			if hasLabels(m, full) {
				got += m.GetHistogram().GetSampleCount()
			}
		}
		if got >= n {
			return got, sum(mfs, "netpol_advisor_mismatch_evaluation_duration_seconds", full)
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%d full mismatch evaluations within %s, want %d", got, timeout, n)
		}
	}
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
