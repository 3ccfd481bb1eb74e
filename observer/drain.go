package observer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cilium/ebpf"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// drainBatch is how many entries one batch syscall moves. It must exceed
// the largest hash bucket, or the kernel answers ENOSPC.
const drainBatch = 4096

// Drain moves every aggregated record out of the kernel's flow table with
// batched lookup-and-delete and returns them decoded: counts since the
// previous drain. A flow still in use starts again in the kernel with the
// next connection. First it moves the counts that UDP sockets keep in
// their own storage (udpcache.go) to the table, so none waits there.
//
// Deleting rather than re-reading keeps the table small and the counts
// deltas. The price: an increment a BPF program makes through a value
// pointer at the very moment its element is deleted is lost, or lands on
// the flow that reuses the element, since LRU maps recycle elements without
// waiting for an RCU grace period. That is one count in a rare race; the
// flow itself is recorded again by its next connection.
func (o *Observer) Drain() ([]flow.Observation, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := o.flushUDPCache(); err != nil {
		return nil, err
	}
	created, err := o.counter(flowbpfCounterCNT_FLOWS_CREATED)
	if err != nil {
		return nil, err
	}
	putBackBefore := o.putBack
	keys := make([]flowbpfFlowKey, drainBatch)
	vals := make([]flowbpfFlowValue, drainBatch)
	clk, names := newClock(), processNames{}
	// At most every flow created since the last drain is in the table: size
	// the result once rather than growing it (100k flows are ~20 MB).
	out := make([]flow.Observation, 0, min(created-min(created, o.drained), uint64(o.objs.Flows.MaxEntries())))
	var cursor ebpf.MapBatchCursor
	for {
		n, err := o.objs.Flows.BatchLookupAndDelete(&cursor, keys, vals, nil)
		o.putBack += uint64(o.pending.putBack(o.objs.Flows, keys[:n], vals[:n], clk))
		for i := range n {
			if isPending(&vals[i]) {
				o.drainedEmpty++
				continue
			}
			o.pending.name(&keys[i], &vals[i])
			ob, derr := decode(keys[i], vals[i], clk)
			if derr != nil {
				o.log.Debug("skipping undecodable flow record", "error", derr)
				continue
			}
			ob.Process = names.intern(ob.Process)
			out = append(out, ob)
		}
		o.drained += uint64(n)
		if errors.Is(err, ebpf.ErrKeyNotExist) {
			break
		}
		if err != nil {
			return out, fmt.Errorf("drain flow table: %w", err)
		}
	}
	o.pending.expire(clk)
	// Every entry created (by the programs, or put back by an earlier
	// drain) before this drain began was drained now or earlier, or
	// evicted: a lower bound that only grows.
	if in := created + putBackBefore; in > o.drained {
		o.evicted = max(o.evicted, in-o.drained)
	}
	o.lastDrain = len(out)
	return out, nil
}

// TableFill returns how many records the last drain found in the kernel's
// flow table and how many it holds at most: near full, flows are evicted
// before they are read (raise MaxFlows or drain more often).
func (o *Observer) TableFill() (entries, capacity int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.lastDrain, int(o.objs.Flows.MaxEntries())
}

// Read drains the flow table every interval and hands each non-empty batch
// to fn until ctx ends or fn fails; a last drain runs on the way out.
func (o *Observer) Read(ctx context.Context, interval time.Duration, fn func([]flow.Observation) error) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			obs, err := o.Drain()
			if err == nil && len(obs) > 0 {
				err = fn(obs)
			}
			return err
		case <-t.C:
		}
		obs, err := o.Drain()
		if err != nil {
			return err
		}
		if len(obs) > 0 {
			if err := fn(obs); err != nil {
				return err
			}
		}
	}
}

// processNames interns process names within a drain: a node has few
// distinct ones and many flows.
type processNames map[string]string

func (p processNames) intern(s string) string {
	if v, ok := p[s]; ok {
		return v
	}
	p[s] = s
	return s
}
