package transport

import (
	"strings"
	"sync"
	"time"
)

// Bookings: the turn each refused observer was given, kept by the server.
//
// A refused batch used to keep its place in the line by sending a header
// saying it was a resend; any observer could send it on every batch and
// pass the line. Now the server itself remembers, per authenticated
// observer (its ServiceAccount and the pod and node its token is bound
// to), the turn it booked when it refused that observer, and only a batch
// of that observer whose turn has come takes a place in the queue while
// others wait theirs. A signed ticket in the answer was the other way; it
// was not chosen because the server could not tell one observer holding
// many tickets (refused on many connections at once, then coming back
// with a ticket on each) from many observers: here each observer holds at
// most one turn, a refusal while it holds one answers with the same turn,
// and it is used up when the observer is let in. Only observers that
// authenticated and may send batches book (the caller authenticates
// before admission queues or books), so a flood of made-up tokens adds
// nothing; entries expire bookingGrace after their turn and are bounded
// by maxBookings (about a dozen observers per node of a 5,000-node
// cluster).
const (
	// bookingGrace is how long after its turn a booking is kept for an
	// observer that comes back late (a client that rounds Retry-After up,
	// a pause of its node) before it counts as new.
	bookingGrace = 30 * time.Second
	// maxBookings bounds the observers remembered at once; beyond it a
	// refused observer is told when to come back but keeps no place.
	maxBookings = 1 << 16
)

// bookings maps an observer's identity to its booked turn.
type bookings struct {
	mu    sync.Mutex
	turns map[string]time.Time
}

// identity is the key of u's booking: the user and, for a token bound to
// a pod, that pod and its node, so that observers sharing a
// ServiceAccount are told apart. Observers that share an unbound token
// (--allow-unbound-tokens) share one booking.
func identity(u User) string {
	return strings.Join([]string{u.Name, u.UID, first(u.Extra[nodeNameExtra]), first(u.Extra[podUIDExtra])}, "\x00")
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// turn returns who's booked turn, if it has a live one. A due turn (come
// at now; the wait asked for is rounded up, so a client that waited it is
// never early) is taken: the caller puts it back if it could not be let
// in, so that one batch at a time uses it.
func (b *bookings) turn(who string, now time.Time) (at time.Time, booked, due bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	at, booked = b.turns[who]
	if booked && now.After(at.Add(bookingGrace)) {
		delete(b.turns, who)
		return time.Time{}, false, false
	}
	due = booked && !at.After(now)
	if due {
		delete(b.turns, who)
	}
	return at, booked, due
}

// put books at for who, keeping an earlier turn it holds. It reports
// false when the bookings are full (of live turns).
func (b *bookings) put(who string, at, now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if old, ok := b.turns[who]; ok {
		b.turns[who] = minTime(old, at)
		return true
	}
	if b.turns == nil {
		b.turns = map[string]time.Time{}
	}
	if len(b.turns) >= maxBookings {
		for k, t := range b.turns {
			if now.After(t.Add(bookingGrace)) {
				delete(b.turns, k)
			}
		}
		if len(b.turns) >= maxBookings {
			return false
		}
	}
	b.turns[who] = at
	return true
}

// done forgets who's turn: its batch was let in.
func (b *bookings) done(who string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.turns, who)
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
