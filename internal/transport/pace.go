package transport

import (
	"sync"
	"time"
)

// pacer books the times refused batches are asked to come back at: one
// interval (the server's time per batch when busy, divided by bookAhead)
// after the last booked,
// and at least after the batches queued now. The interval is the mean gap
// between the last paceWindow pairs of batches that finished one after the
// other while every slot was taken: a moving average of handling times let
// one stall of the process book every refused observer a minute out, and
// the server then idled while they slept; one stall among 256 gaps moves
// the mean by a 256th of it.
type pacer struct {
	mu   sync.Mutex
	next time.Time
	// gaps is a ring (from gap) of the last busy gaps, sum their total.
	gaps     []time.Duration
	gap      int
	sum      time.Duration
	last     time.Time
	lastBusy bool
}

const (
	// paceWindow is how many gaps the interval is taken over: about a
	// second at this machine's 200 batches/s.
	paceWindow = 256
	// minPaceSamples are needed before the measure replaces initialInterval.
	minPaceSamples = 16
	// initialInterval is the time per batch assumed until it is measured.
	initialInterval = 10 * time.Millisecond
)

// done records a batch finished at now; busy says every slot was taken.
func (p *pacer) done(now time.Time, busy bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if busy && p.lastBusy && now.After(p.last) {
		g := now.Sub(p.last)
		if len(p.gaps) < paceWindow {
			p.gaps = append(p.gaps, g)
		} else {
			p.sum -= p.gaps[p.gap]
			p.gaps[p.gap] = g
			p.gap = (p.gap + 1) % paceWindow
		}
		p.sum += g
	}
	p.last, p.lastBusy = now, busy
}

// interval is the busy server's time per batch.
func (p *pacer) interval() time.Duration {
	if len(p.gaps) < minPaceSamples {
		return initialInterval
	}
	return max(p.sum/time.Duration(len(p.gaps)), time.Microsecond)
}

// waiting reports whether refused batches are booked after now.
func (p *pacer) waiting(now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.next.After(now)
}

// bookAhead is how much denser than the measured pace turns are booked.
// The pace measured when many observers are refused at once (a restart:
// a thousand TLS handshakes) is slower than the server's when they come
// back: an observer booked too late sleeps while the server serves
// batches sent for the first time (the unfairness the turns are for),
// one booked too early waits in the queue for its slot, in the order of
// the turns. Booking at the pace, p99 per batch was 5.4–12.1 s in four
// runs of BenchmarkIngest1000Observers; at twice it, alternating, 4.4–5.9 s
// (docs/performance.md).
const bookAhead = 2

// book returns the turn of the batch refused at now, queued batches
// being ahead of it.
func (p *pacer) book(now time.Time, queued int64) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	interval := p.interval() / bookAhead
	if ahead := now.Add(time.Duration(queued) * interval); p.next.Before(ahead) {
		p.next = ahead
	}
	p.next = p.next.Add(interval)
	if last := now.Add(maxRetryAfter); p.next.After(last) {
		p.next = last
	}
	return p.next
}

// after is the time the server needs for queued batches (at least one).
func (p *pacer) after(queued int64) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return time.Duration(max(queued, 1)) * p.interval()
}
