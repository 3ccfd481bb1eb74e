package observer_test

import (
	"net/netip"
	"testing"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil/netns"
	"github.com/netpol-advisor/netpol-advisor/observer"
)

// TestFullFlowTableCountsEvictions overfills a small flow table: what was
// not drained must show up in the evicted counter, so lost counts are
// visible.
func TestFullFlowTableCountsEvictions(t *testing.T) {
	testutil.RequireRoot(t)
	o, err := observer.Open(observer.Config{MaxFlows: 1024})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	node := netns.NewNode(t)
	client, server := node.AddPod(t, "client"), node.AddPod(t, "server")
	if _, err := o.Drain(); err != nil {
		t.Fatal(err)
	}
	before, err := o.Stats()
	if err != nil {
		t.Fatal(err)
	}
	const sent = 3000
	udpSpray(t, client, []netip.Addr{server.IPv4}, sent)
	obs, err := o.Drain()
	if err != nil {
		t.Fatal(err)
	}
	ours := 0
	for _, ob := range obs {
		if ob.CgroupID == client.CgroupID || ob.Client == client.IPv4 {
			ours++
		}
	}
	after, err := o.Stats()
	if err != nil {
		t.Fatal(err)
	}
	evicted := after.Evicted - before.Evicted
	t.Logf("sent %d flows into 1024 entries: drained %d of ours, evicted %d", sent, ours, evicted)
	if ours > 1024 {
		t.Errorf("drained %d of our flows from a 1024-entry table", ours)
	}
	// Every flow was drained or evicted (or, rarely, dropped); a few
	// created during the drain may be counted on the next one.
	lost := evicted + (after.DropFlowUpdate - before.DropFlowUpdate)
	if got := uint64(ours) + lost; got < sent-16 {
		t.Errorf("drained %d + evicted %d + dropped = %d, want about %d", ours, evicted, got, sent)
	}
}
