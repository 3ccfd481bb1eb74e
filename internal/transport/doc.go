// Package transport carries observers' deltas to the server: a batch of
// records per HTTPS request, authenticated by the observer's projected
// ServiceAccount token (the product's audience, bound to the observer's
// pod and so to its node; checked with a rate-limited, cached TokenReview)
// and applied exactly once thanks to per-observer sequence numbers kept by
// the store with the batch.
//
// The server side (Handler) trusts an observer only for its own node: it
// bounds the batches in flight (a batch that finds a free slot is
// authenticated in it; one that finds none is authenticated first, then a
// few wait a moment in a queue and the rest are answered 429 with a
// Retry-After that books their observer a turn after those refused before
// it, kept by the server, so 1,000 observers refused at once come back in
// turn, see admission and bookings), refuses callers and
// batches that are not acceptable as a whole with a 4xx, and then checks
// every record on its own: the record's workload is the server's own
// resolution of the local address (Pods) and must be a pod that ran on the
// sender's node at the flow's time; times beyond the server's clock plus
// the allowed skew are clamped. Bad records are rejected one by one with a
// reason in the answer (Response.Rejected), the others stored. The wire
// format is versioned (WireVersion) and read leniently: fields a side does
// not know are ignored and counted, so observers and servers of different
// versions work together.
//
// The client side (Client) sends one batch per request and reports what the
// server said, its Retry-After included (to the millisecond from
// RetryAfterMsHeader); retrying (agent.Retry: the server's Retry-After,
// else exponential backoff), and
// quarantining what the server refuses for good, is the caller's loop
// (package agent).
package transport
