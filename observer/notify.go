package observer

import (
	"context"
	"errors"
	"fmt"

	"github.com/cilium/ebpf/ringbuf"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// ErrNotifyOff is returned by NewFlows when Config.NotifyNewFlows was not
// set.
var ErrNotifyOff = errors.New("new-flow notifications are off: set Config.NotifyNewFlows")

// NewFlows calls fn with each flow as the kernel inserts it in its table,
// from a ring buffer, until ctx ends. Each observation is that first event
// alone (Count or Failed 1); the aggregated counts come through Drain.
// After a drain a flow still in use is new again. Notifications lost to a
// full ring are counted in Stats.DropNotify.
func (o *Observer) NewFlows(ctx context.Context, fn func(flow.Observation)) error {
	if !o.notify {
		return ErrNotifyOff
	}
	rd, err := ringbuf.NewReader(o.objs.NewFlows)
	if err != nil {
		return fmt.Errorf("open new-flow ring buffer: %w", err)
	}
	defer rd.Close()
	stop := context.AfterFunc(ctx, func() { rd.Close() }) // unblocks Read
	defer stop()
	clk := newClock()
	for {
		rec, err := rd.Read()
		if errors.Is(err, ringbuf.ErrClosed) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read new-flow ring buffer: %w", err)
		}
		ob, err := decodeNewFlow(rec.RawSample, clk)
		if err != nil {
			o.log.Debug("skipping undecodable new-flow notification", "error", err)
			continue
		}
		fn(ob)
	}
}

// decodeNewFlow decodes one ring buffer record.
func decodeNewFlow(b []byte, c clock) (flow.Observation, error) {
	var n flowbpfNewFlow
	if err := readExact(b, &n); err != nil {
		return flow.Observation{}, fmt.Errorf("decode new-flow notification: %w", err)
	}
	v := flowbpfFlowValue{Count: 1, FirstNs: n.SeenNs, LastNs: n.SeenNs, Comm: n.Comm}
	switch flowbpfFailure(n.Failed) {
	case flowbpfFailureFAIL_NONE:
	case flowbpfFailureFAIL_REFUSED:
		v.Count, v.Failed, v.Refused = 0, 1, 1
	case flowbpfFailureFAIL_TIMEOUT:
		v.Count, v.Failed, v.TimedOut = 0, 1, 1
	default:
		v.Count, v.Failed, v.Unreachable = 0, 1, 1
	}
	return decode(n.Key, v, c)
}
