package observer_test

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil/netns"
)

// TestUDPCacheTimes: the first and last seen of datagrams counted only in
// the sockets' slots (the cache times them in jiffies, udp_jiffies_ns turns
// them back at the flush) are those of the datagrams, to a few ticks, at
// both ends: a stream admitted to the cache, drained (which takes its
// entries), then two bursts a known time apart, flushed by the next drain.
func TestUDPCacheTimes(t *testing.T) {
	testutil.RequireRoot(t)
	o := openUDPObserver(t, true)
	node := netns.NewNode(t)
	client, server := node.AddPod(t, "client"), node.AddPod(t, "server")
	sink := udpSink(t, server, netip.AddrPortFrom(server.IPv4, 8125))
	var c net.Conn
	must(t, client.Run(func() (err error) { c, err = net.Dial("udp4", sink.addr.String()); return err }))
	defer c.Close()
	send := func(n int) {
		for range n {
			_, err := c.Write([]byte("tick"))
			must(t, err)
		}
	}
	const gap, slack = 200 * time.Millisecond, 25 * time.Millisecond
	send(2 * testCacheAfter)
	waitSunk(t, sink, 2*testCacheAfter)
	_, err := o.Drain()
	must(t, err)
	from := time.Now()
	send(5)
	time.Sleep(gap)
	send(5)
	waitSunk(t, sink, 2*testCacheAfter+10)
	to := time.Now()
	obs, err := o.Drain()
	must(t, err)
	seen := 0
	for _, ob := range obs {
		// The stream comes from this test's own process (not a helper in
		// a pod's cgroup): its addresses tell its flows.
		if ob.Protocol != "UDP" || ob.Client != client.IPv4 || ob.Server != server.IPv4 {
			continue
		}
		seen++
		if ob.Count != 10 {
			t.Errorf("%s: count %d, want 10", obsKey(ob), ob.Count)
		}
		if ob.FirstSeen.Before(from.Add(-slack)) || ob.LastSeen.After(to.Add(slack)) {
			t.Errorf("%s: seen %v..%v, outside the datagrams' %v..%v", obsKey(ob), ob.FirstSeen, ob.LastSeen, from, to)
		}
		if span := ob.LastSeen.Sub(ob.FirstSeen); span < gap-slack {
			t.Errorf("%s: first to last seen %v, want about %v (the bursts' gap)", obsKey(ob), span, gap)
		}
	}
	if seen != 2 {
		t.Errorf("got %d flows of the stream (egress at the client, ingress at the server), want 2: %v", seen, obs)
	}
}

// waitSunk waits until s has counted n datagrams.
func waitSunk(t *testing.T, s *sink, n uint64) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); s.n.Load() < n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the sink counted %d datagrams, want %d", s.n.Load(), n)
		}
	}
}
