// Package transport carries observers' deltas to the server: a batch of
// records per HTTPS request, authenticated by the observer's ServiceAccount
// token (checked with a TokenReview, cached) and applied exactly once thanks
// to per-observer sequence numbers kept by the store with the batch.
//
// The server side (Handler) rejects unauthenticated callers, malformed,
// invalid and oversized batches with a 4xx and stores nothing from them.
// The client side (Client) sends one batch per request and reports what the
// server said; retrying with backoff is the caller's loop (package agent).
package transport
