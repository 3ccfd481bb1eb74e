package observer

import (
	"time"

	"github.com/cilium/ebpf"
)

// A connect in SYN_SENT finds its flow's entry, or makes one with the
// process name and no counts yet (bpf/tcp.bpf.c); its outcome counts on it.
// Drain takes every entry out of the table, so it puts back an empty entry
// with the name for every TCP egress flow (pending or just counted: other
// connects of it may still wait), and remembers the names: an outcome that
// comes while its entry is out makes a new entry without one, which Drain
// then names.

// pendingFor is how long after its last activity an egress flow's empty
// entry is kept: longer than the kernel's SYN retries (about two minutes by
// default) take.
const pendingFor = 10 * time.Minute

type pendingConnects struct {
	names map[flowbpfFlowKey]pendingName
}

type pendingName struct {
	comm   [16]int8
	lastNs uint64
}

func isPending(v *flowbpfFlowValue) bool { return v.Count == 0 && v.Failed == 0 }

// putBack puts empty entries for the TCP egress flows of a drained batch
// back into the table, first thing, to keep the time they are out short.
// It returns how many it put back.
func (p *pendingConnects) putBack(m *ebpf.Map, keys []flowbpfFlowKey, vals []flowbpfFlowValue, clk clock) int {
	n := 0
	for i := range keys {
		k, v := &keys[i], &vals[i]
		if k.Protocol != ipprotoTCP || flowbpfDirection(k.Direction) != flowbpfDirectionDIR_EGRESS ||
			v.Comm[0] == 0 || clk.age(v.LastNs) > pendingFor {
			continue
		}
		empty := flowbpfFlowValue{Comm: v.Comm, LastNs: v.LastNs}
		// NoExist: if a connect counted meanwhile, its new entry stays.
		if m.Update(k, &empty, ebpf.UpdateNoExist) == nil {
			n++
		}
		if p.names == nil {
			p.names = map[flowbpfFlowKey]pendingName{}
		}
		p.names[*k] = pendingName{comm: v.Comm, lastNs: v.LastNs}
	}
	return n
}

// name gives a drained record of connects the process name its flow had,
// if the kernel's entry lost it.
func (p *pendingConnects) name(k *flowbpfFlowKey, v *flowbpfFlowValue) {
	if n, ok := p.names[*k]; ok && v.Comm[0] == 0 {
		v.Comm = n.comm
	}
}

// expire forgets the names of flows idle for longer than pendingFor.
func (p *pendingConnects) expire(clk clock) {
	for k, n := range p.names {
		if clk.age(n.lastNs) > pendingFor {
			delete(p.names, k)
		}
	}
}
