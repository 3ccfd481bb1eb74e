package observer

import (
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"github.com/cilium/ebpf"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

// TestCloseDetachesEverything: once closed, none of the observer's programs
// or maps exists in the kernel any more (nothing pinned, no link left).
func TestCloseDetachesEverything(t *testing.T) {
	testutil.RequireRoot(t)
	o, err := Open(Config{})
	if err != nil {
		t.Fatal(err)
	}
	var progs []ebpf.ProgramID
	for _, p := range []*ebpf.Program{o.objs.TcpState, o.objs.UdpEgress, o.objs.UdpIngress} {
		info, err := p.Info()
		if err != nil {
			t.Fatal(err)
		}
		id, ok := info.ID()
		if !ok {
			testutil.SkipOrFail(t, "kernel does not report program IDs")
		}
		progs = append(progs, id)
	}
	mapInfo, err := o.objs.Flows.Info()
	if err != nil {
		t.Fatal(err)
	}
	flowsID, _ := mapInfo.ID()
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
	// The kernel frees them after an RCU grace period or from a workqueue.
	for _, id := range progs {
		waitGone(t, "program", uint32(id), func() (io.Closer, error) { return ebpf.NewProgramFromID(id) })
	}
	waitGone(t, "flow table", uint32(flowsID), func() (io.Closer, error) { return ebpf.NewMapFromID(flowsID) })
}

func waitGone(t *testing.T, what string, id uint32, open func() (io.Closer, error)) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		c, err := open()
		if errors.Is(err, os.ErrNotExist) {
			return
		}
		if err == nil {
			c.Close()
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s %d still exists after Close (%v)", what, id, err)
		}
	}
}
