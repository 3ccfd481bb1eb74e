package transport

import (
	"testing"
	"time"
)

// The pace is the mean gap between batches finished back to back while
// busy: a stall moves it by a window's fraction, idle time not at all, and
// refusals are booked one pace (divided by bookAhead) apart after the
// queue.
func TestPacerMeasuresTheBusyPace(t *testing.T) {
	var p pacer
	now := time.Unix(1_800_000_000, 0)
	if got := p.interval(); got != initialInterval {
		t.Fatalf("unmeasured interval %s, want %s", got, initialInterval)
	}
	finish := func(n int, gap time.Duration, busy bool) {
		for range n {
			now = now.Add(gap)
			p.done(now, busy)
		}
	}
	finish(300, 5*time.Millisecond, true)
	if got := p.interval(); got != 5*time.Millisecond {
		t.Fatalf("steady 5 ms: interval %s", got)
	}
	finish(1, time.Second, true) // the process stalled a second
	if got := p.interval(); got < 5*time.Millisecond || got > 5*time.Millisecond+time.Second/paceWindow+time.Microsecond {
		t.Fatalf("after a 1 s stall: interval %s, want at most 5 ms + 1 s/%d", got, paceWindow)
	}
	finish(paceWindow, 5*time.Millisecond, true)
	finish(1, 10*time.Second, false) // idle: slots free
	finish(1, 5*time.Millisecond, true)
	if got := p.interval(); got != 5*time.Millisecond {
		t.Fatalf("after idle time: interval %s, want 5 ms (idle is not the pace)", got)
	}
	var last time.Duration
	for i := range 1000 {
		d := p.book(now, 32).Sub(now)
		if d <= last {
			t.Fatalf("refusal %d booked at %s, not after %s", i, d, last)
		}
		last = d
	}
	if want := (32 + 1000) * 5 * time.Millisecond / bookAhead; last != want {
		t.Fatalf("1,000 refusals behind 32 queued at 5 ms, booked %d× as dense: the last waits %s, want %s", bookAhead, last, want)
	}
	if d := p.book(now.Add(-time.Hour), 0).Sub(now.Add(-time.Hour)); d != maxRetryAfter {
		t.Fatalf("a booking past the cap: %s, want %s", d, maxRetryAfter)
	}
}
