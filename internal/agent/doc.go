// Package agent is the observer's loop around the kernel: it drains
// observations from a Source, resolves their local end to one of the node's
// workloads, appends them as batches to the durable outbox, and ships the
// outbox to the server, resending each batch until it is acknowledged:
// after the wait the server asked for (the turn it booked, to the
// millisecond, else Retry-After, jittered), else after a jittered
// exponential backoff (Retry).
//
// Back-pressure instead of unbounded memory: when the outbox is full (the
// server has been away for long), the agent stops draining and the kernel
// keeps aggregating in its own bounded map.
package agent
