package flow

// Failures says why connects failed, which means different things to a
// user: refused (something answered no: nothing listens on the port, or a
// policy rejects), timed out (nothing answered: a policy drops, or the host
// is gone), unreachable (the network answered with an ICMP error, e.g. host
// unreachable or administratively prohibited).
type Failures struct {
	// Refused counts TCP connects answered with an RST (nothing listens)
	// and UDP datagrams answered with an ICMP port unreachable (UDP's RST).
	Refused uint64 `json:"refused,omitempty"`
	// TimedOut counts TCP connects that got no answer before the kernel's
	// SYN retries or the program's own timeout ran out.
	TimedOut uint64 `json:"timedOut,omitempty"`
	// Unreachable counts connects and datagrams that failed with any other
	// ICMP error: for TCP any ICMP error at all, port unreachable included
	// (what a REJECT rule sends is no RST: something in the way answered).
	Unreachable uint64 `json:"unreachable,omitempty"`
}

// Add adds o into f, saturating like Flow.Merge's counts.
func (f *Failures) Add(o Failures) {
	f.Refused = saturatingAdd(f.Refused, o.Refused)
	f.TimedOut = saturatingAdd(f.TimedOut, o.TimedOut)
	f.Unreachable = saturatingAdd(f.Unreachable, o.Unreachable)
}
