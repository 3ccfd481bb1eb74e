package agent

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/transport"
)

// Source gives the kernel's observations aggregated since the last call
// (observer.Observer implements it).
type Source interface {
	Drain() ([]flow.Observation, error)
}

// LocalResolver names the node's workload behind a local socket: by pod IP,
// or by pod UID for host-network pods (resolve.Index implements it).
type LocalResolver interface {
	Local(ip netip.Addr, at time.Time) (flow.WorkloadRef, bool)
	LocalByUID(uid string) (flow.WorkloadRef, bool)
}

// CgroupResolver maps a socket's cgroup ID to its pod's UID (cgroups.Resolver).
type CgroupResolver interface {
	PodUID(cgroupID uint64) (string, bool)
}

// Sender ships one batch to the server (transport.Client implements it).
type Sender interface {
	Send(ctx context.Context, observer string, p store.Pending) (transport.Response, error)
}

// Agent moves observations from a Source through an Outbox to a Sender.
type Agent struct {
	Source   Source
	Resolver LocalResolver
	Outbox   store.Outbox
	Sender   Sender
	// Cgroups, when set, resolves host-network pods' sockets by cgroup.
	Cgroups CgroupResolver
	// Host, when set, names this node's own addresses: connections from
	// them to a pod are never flows (see HostAddrs).
	Host       interface{ Contains(netip.Addr) bool }
	DrainEvery time.Duration
	MaxBatch   int
	RetryMin   time.Duration
	RetryMax   time.Duration
	Logger     *slog.Logger
	Metrics    *Metrics // nil: none

	// held are records drained but refused by a full outbox: at most one
	// drain's worth, retried before draining again.
	held []store.Record
	// unresolved are observations of no known local pod yet, kept for one
	// more drain.
	unresolved []flow.Observation
	wakeup     chan struct{}
}

// Run drains and sends until ctx ends. It returns ctx's error, or the first
// error it cannot recover from. When ctx ends it drains once more into the
// outbox: the kernel's maps go with the process, the outbox stays.
func (a *Agent) Run(parent context.Context) error {
	if a.Logger == nil {
		a.Logger = slog.New(slog.DiscardHandler)
	}
	a.wakeup = make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- a.sendLoop(ctx) }()
	t := time.NewTicker(a.DrainEvery)
	defer t.Stop()
	for {
		if err := a.collect(ctx); err != nil {
			cancel()
			<-errc
			if parent.Err() != nil {
				a.flush(parent)
				return parent.Err()
			}
			return err
		}
		select {
		case <-ctx.Done():
			<-errc
			a.flush(parent)
			return ctx.Err()
		case err := <-errc:
			return err
		case <-t.C:
		}
	}
}

// collect drains the source (unless records are held back) and appends the
// resolved records to the outbox in batches.
func (a *Agent) collect(ctx context.Context) error {
	if len(a.held) == 0 {
		obs, err := a.Source.Drain()
		if err != nil {
			a.Logger.Error("drain observations", "err", err)
			return nil
		}
		a.held = a.records(obs)
	}
	for len(a.held) > 0 {
		n := min(len(a.held), a.MaxBatch)
		_, err := a.Outbox.Append(ctx, a.held[:n])
		if errors.Is(err, store.ErrOutboxFull) {
			a.Metrics.pausedDrain()
			a.Logger.Warn("outbox full: draining paused until the server acknowledges batches", "held", len(a.held))
			return nil
		}
		if err != nil {
			return err
		}
		a.held = a.held[n:]
		a.notify()
	}
	a.held = nil
	return nil
}

// records resolves the observations' local ends. Those of no pod of this
// node are given one more drain, in case the pod cache was behind (a pod
// that just started); then they are dropped and counted: host processes,
// or pods gone past the grace period.
func (a *Agent) records(obs []flow.Observation) []store.Record {
	out := make([]store.Record, 0, len(obs)+len(a.unresolved))
	dropped := 0
	for _, o := range a.unresolved {
		if rec, ok := a.local(o); ok {
			out = append(out, rec)
		} else {
			dropped++
		}
	}
	a.unresolved = a.unresolved[:0]
	for _, o := range obs {
		if o.Peer().Unmap().IsLoopback() {
			continue // never crosses a NetworkPolicy (and is no pod's peer)
		}
		if o.Direction == flow.Ingress && a.Host != nil && a.Host.Contains(o.Client) {
			continue // from the pod's own node: always allowed
		}
		if rec, ok := a.local(o); ok {
			out = append(out, rec)
		} else {
			a.unresolved = append(a.unresolved, o)
		}
	}
	if dropped > 0 {
		a.Metrics.unresolvedObservations(dropped)
		a.Logger.Debug("observations of no local pod dropped", "count", dropped)
	}
	return out
}

// local resolves by pod IP, else by cgroup (host-network pods, whose UID
// the record then carries: the server checks it against its own view).
func (a *Agent) local(o flow.Observation) (store.Record, bool) {
	if w, ok := a.Resolver.Local(o.LocalIP, o.LastSeen); ok {
		return store.Record{Workload: w, Observation: o}, true
	}
	if a.Cgroups == nil || o.CgroupID == 0 {
		return store.Record{}, false
	}
	uid, ok := a.Cgroups.PodUID(o.CgroupID)
	if !ok {
		return store.Record{}, false
	}
	w, ok := a.Resolver.LocalByUID(uid)
	return store.Record{Workload: w, PodUID: uid, Observation: o}, ok
}

// flush drains into the outbox once more when the agent stops.
func (a *Agent) flush(parent context.Context) {
	if err := a.collect(context.WithoutCancel(parent)); err != nil {
		a.Logger.Error("drain observations at shutdown", "err", err)
	}
}

func (a *Agent) notify() {
	select {
	case a.wakeup <- struct{}{}:
	default:
	}
}
