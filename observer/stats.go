package observer

import "fmt"

// Stats are the observer's counters: the BPF programs' per-CPU counters
// summed over CPUs, and what the Go side drained.
type Stats struct {
	// Events is the number of connections, failed connects and UDP
	// datagrams (and their ICMP errors) the programs recorded.
	Events uint64
	// FlowsCreated is the number of entries inserted in the flow table.
	FlowsCreated uint64
	// Drained is the number of records userspace read from the table.
	Drained uint64
	// Evicted is a lower bound of the flows the full table evicted before
	// they were drained (their counts are lost).
	Evicted uint64
	// DropFlowUpdate, DropSocketStorage and DropParse are events lost
	// because a flow could not be stored, a UDP socket/peer pair's role
	// could not be remembered (it is then decided again at its next
	// datagram), a UDP socket's cache could not be made (its datagrams
	// go on to the flow table: nothing is lost then) or a server socket's
	// process name could not be kept (its ingress flows have none), or a
	// UDP packet's headers could not be read.
	DropFlowUpdate    uint64
	DropSocketStorage uint64
	DropParse         uint64
	// DropNotify counts new-flow notifications lost to a full ring buffer
	// (the flows themselves are still counted in the table).
	DropNotify uint64
	// ConnectsWithoutProcess counts connects whose flow entry, made at
	// SYN_SENT with the process name, was gone when they finished (evicted
	// from a full table, or the observer started during the connect), so
	// the flow has no process.
	ConnectsWithoutProcess uint64
}

// Counter is one of the Stats counters, named for people.
type Counter struct {
	Name  string
	Value uint64
}

// Counters lists every counter of s, in a fixed order, so that printing all
// of them cannot forget one.
func (s Stats) Counters() []Counter {
	return []Counter{
		{"events", s.Events},
		{"flows created", s.FlowsCreated},
		{"records drained", s.Drained},
		{"evicted (lower bound)", s.Evicted},
		{"dropped: flow table full", s.DropFlowUpdate},
		{"dropped: UDP pair state", s.DropSocketStorage},
		{"dropped: unparsed packets", s.DropParse},
		{"dropped: new-flow notifications", s.DropNotify},
		{"connects without process name", s.ConnectsWithoutProcess},
	}
}

// Stats reads the counters.
func (o *Observer) Stats() (Stats, error) {
	var s Stats
	for c, dst := range map[flowbpfCounter]*uint64{
		flowbpfCounterCNT_EVENTS:           &s.Events,
		flowbpfCounterCNT_FLOWS_CREATED:    &s.FlowsCreated,
		flowbpfCounterCNT_DROP_FLOW_UPDATE: &s.DropFlowUpdate,
		flowbpfCounterCNT_DROP_SK_STORAGE:  &s.DropSocketStorage,
		flowbpfCounterCNT_DROP_PARSE:       &s.DropParse,
		flowbpfCounterCNT_NO_CONNECT_COMM:  &s.ConnectsWithoutProcess,
		flowbpfCounterCNT_DROP_NOTIFY:      &s.DropNotify,
	} {
		v, err := o.counter(c)
		if err != nil {
			return Stats{}, err
		}
		*dst = v
	}
	o.mu.Lock()
	s.Drained, s.Evicted = o.drained-o.drainedEmpty, o.evicted
	o.mu.Unlock()
	return s, nil
}

// counter sums one per-CPU counter.
func (o *Observer) counter(c flowbpfCounter) (uint64, error) {
	var perCPU []uint64
	if err := o.objs.Counters.Lookup(uint32(c), &perCPU); err != nil {
		return 0, fmt.Errorf("read BPF counter %d: %w", c, err)
	}
	var sum uint64
	for _, v := range perCPU {
		sum += v
	}
	return sum, nil
}
