package store

import (
	"context"
	"errors"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// ErrOutboxFull is returned by Outbox.Append when the outbox holds as many
// unacknowledged records as it may. The caller should stop draining its
// source (the kernel keeps aggregating) until the server acknowledges
// batches: back-pressure instead of unbounded memory or disk.
var ErrOutboxFull = errors.New("outbox full")

// Record is one observer delta before cluster-wide resolution: a kernel
// observation whose local end the observer resolved to one of its own
// node's workloads. The remote end stays an address; the server resolves it.
//
// The server does not take Workload on trust: it resolves the local end
// itself (by IP at the flow's time, or by PodUID for host-network pods) and
// keeps the record only when that pod ran on the sending observer's node.
type Record struct {
	Workload flow.WorkloadRef `json:"workload"`
	// PodUID names the local pod when its address does not (host-network
	// pods, resolved by cgroup on the node).
	PodUID      string           `json:"podUID,omitempty"`
	Observation flow.Observation `json:"observation"`
}

// Pending is a batch in the outbox waiting for the server's acknowledgement.
type Pending struct {
	Seq     uint64   `json:"seq"`
	Records []Record `json:"records"`
}

// Outbox is an observer's durable queue of batches not yet acknowledged by
// the server. A batch keeps its sequence number across restarts, so a
// retried batch is recognised by the server and applied once.
type Outbox interface {
	// ID names this outbox; it is the observer's identity towards the
	// server and changes only when the outbox is created afresh.
	ID() string
	// Append durably stores recs as the next batch and returns its
	// sequence number. It returns ErrOutboxFull when over capacity.
	Append(ctx context.Context, recs []Record) (seq uint64, err error)
	// Pending returns up to max unacknowledged batches, oldest first.
	Pending(ctx context.Context, max int) ([]Pending, error)
	// Ack removes every batch with a sequence number up to seq.
	Ack(ctx context.Context, seq uint64) error
	// Quarantine moves the pending batch seq, which can never be sent
	// (the server refused it as a whole for good), out of the queue into
	// a quarantine kept for inspection, with the reason.
	Quarantine(ctx context.Context, seq uint64, reason string) error
}
