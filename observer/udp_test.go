package observer_test

import (
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil/netns"
	"github.com/netpol-advisor/netpol-advisor/observer"
)

// udpEgress and udpIngress build the expected observations of a datagram
// flow from client to server:port, seen at the client and at the server.
func udpEgress(client *netns.Pod, server netip.AddrPort, process string, count uint64) flow.Observation {
	local := client.IPv4
	if server.Addr().Is6() {
		local = client.IPv6
	}
	return flow.Observation{LocalIP: local, CgroupID: client.CgroupID, Direction: flow.Egress, Client: local,
		Server: server.Addr(), ServerPort: server.Port(), Protocol: "UDP", Process: process, Count: count}
}

// udpIngress is the flow at server of datagrams from client to at,
// received by the process named process.
func udpIngress(server *netns.Pod, client, at netip.AddrPort, process string, count uint64) flow.Observation {
	return flow.Observation{LocalIP: at.Addr(), CgroupID: server.CgroupID, Direction: flow.Ingress, Client: client.Addr(),
		Server: at.Addr(), ServerPort: at.Port(), Protocol: "UDP", Process: process, Count: count}
}

func cgroupsOf(pods ...*netns.Pod) map[uint64]bool {
	m := map[uint64]bool{}
	for _, p := range pods {
		m[p.CgroupID] = true
	}
	return m
}

func assertFlows(t *testing.T, want, got []flow.Observation) {
	t.Helper()
	sortObservations(want)
	if diff := gocmp.Diff(want, got, cmpOpts...); diff != "" {
		t.Errorf("observed flows (-want +got):\n%s", diff)
	}
}

// TestUDPGossipEveryDirectedEdge: three nodes on one port, each probing
// every other and acking every probe from the same socket (serf,
// memberlist). Every directed edge is a flow on both of its ends, counting
// every datagram sent that way (the probes and the acks).
func TestUDPGossipEveryDirectedEdge(t *testing.T) {
	assertGossip(t, openObserver(t), 5)
}

// assertGossip runs three gossip nodes on one port, k probes each way, and
// checks that o saw every directed edge at both ends, 2k datagrams each.
func assertGossip(t *testing.T, o *observer.Observer, k int) {
	t.Helper()
	node := netns.NewNode(t)
	pods := []*netns.Pod{node.AddPod(t, "n1"), node.AddPod(t, "n2"), node.AddPod(t, "n3")}
	const port = 7946
	goFile := filepath.Join(t.TempDir(), "go")
	_, _ = o.Drain()
	var cmds []interface{ Wait() error }
	for _, p := range pods {
		args := []string{"gossip", strconv.Itoa(port), strconv.Itoa(k), goFile}
		for _, q := range pods {
			if q != p {
				args = append(args, q.IPv4.String())
			}
		}
		cmds = append(cmds, startHelper(t, p, "gossip", args...))
	}
	must(t, os.WriteFile(goFile, nil, 0o600))
	for _, c := range cmds {
		must(t, c.Wait())
	}
	var want []flow.Observation
	for _, a := range pods {
		for _, b := range pods {
			if a == b {
				continue
			}
			to := netip.AddrPortFrom(b.IPv4, port)
			want = append(want, udpEgress(a, to, "gossip", uint64(2*k)),
				udpIngress(b, netip.AddrPortFrom(a.IPv4, port), to, "gossip", uint64(2*k)))
		}
	}
	sortObservations(want)
	assertFlows(t, want, collect(t, o, cgroupsOf(pods...), want))
}

// TestUDPCountIsDatagrams: a UDP flow counts the datagrams its client sent,
// the same at both ends, however they spread over sockets, peers and
// drains: one socket streaming across several drains, two clients
// interleaving at one server, one socket sending round-robin to three.
func TestUDPCountIsDatagrams(t *testing.T) {
	o := openObserver(t)
	node := netns.NewNode(t)
	c1, c2 := node.AddPod(t, "c1"), node.AddPod(t, "c2")
	servers := []*netns.Pod{node.AddPod(t, "s1"), node.AddPod(t, "s2"), node.AddPod(t, "s3")}
	at := func(i int) netip.AddrPort { return netip.AddrPortFrom(servers[i].IPv4, 8125) }
	for i, s := range servers {
		startHelper(t, s, "sink", "serve", "udpsink:"+at(i).String())
	}
	from := func(p *netns.Pod) netip.AddrPort { return netip.AddrPortFrom(p.IPv4, 0) }
	for _, c := range []struct {
		name string
		run  func()
		want []flow.Observation
	}{{
		name: "single-peer socket over several drains",
		run: func() {
			// 40 datagrams 10 ms apart, drained every 20 ms.
			must(t, startHelper(t, c1, "streamer", "stream", at(0).String(), "40", "10").Wait())
		},
		want: []flow.Observation{udpEgress(c1, at(0), "streamer", 40), udpIngress(servers[0], from(c1), at(0), "sink", 40)},
	}, {
		name: "interleaved clients",
		run: func() {
			a := startHelper(t, c1, "streamer", "stream", at(1).String(), "60", "1")
			b := startHelper(t, c2, "streamer", "stream", at(1).String(), "60", "1")
			must(t, a.Wait())
			must(t, b.Wait())
		},
		want: []flow.Observation{
			udpEgress(c1, at(1), "streamer", 60), udpEgress(c2, at(1), "streamer", 60),
			udpIngress(servers[1], from(c1), at(1), "sink", 60), udpIngress(servers[1], from(c2), at(1), "sink", 60),
		},
	}, {
		name: "round-robin sender",
		run: func() {
			must(t, startHelper(t, c1, "rr", "roundrobin", "20", at(0).String(), at(1).String(), at(2).String()).Wait())
		},
		want: []flow.Observation{
			udpEgress(c1, at(0), "rr", 20), udpEgress(c1, at(1), "rr", 20), udpEgress(c1, at(2), "rr", 20),
			udpIngress(servers[0], from(c1), at(0), "sink", 20), udpIngress(servers[1], from(c1), at(1), "sink", 20),
			udpIngress(servers[2], from(c1), at(2), "sink", 20),
		},
	}} {
		t.Run(c.name, func(t *testing.T) {
			_, _ = o.Drain()
			cgroups, merged := cgroupsOf(c1, c2, servers[0], servers[1], servers[2]), map[string]*flow.Observation{}
			drainWhile(t, o, cgroups, merged, c.run)
			sortObservations(c.want)
			assertFlows(t, c.want, collectInto(t, o, cgroups, c.want, merged))
		})
	}
}

// TestUDPRolesOnOldKernels: loaded as on a 5.10 kernel (no bind state,
// no process name in cgroup_skb), the programs verify and gossip still
// shows every directed edge: the port ranges decide.
func TestUDPRolesOnOldKernels(t *testing.T) {
	testutil.RequireRoot(t)
	o, err := observer.Open(observer.OldKernel(observer.Config{}))
	must(t, err)
	t.Cleanup(func() { o.Close() })
	node := netns.NewNode(t)
	pods := []*netns.Pod{node.AddPod(t, "n1"), node.AddPod(t, "n2")}
	goFile := filepath.Join(t.TempDir(), "go")
	_, _ = o.Drain()
	a := startHelper(t, pods[0], "gossip", "gossip", "7946", "3", goFile, pods[1].IPv4.String())
	b := startHelper(t, pods[1], "gossip", "gossip", "7946", "3", goFile, pods[0].IPv4.String())
	must(t, os.WriteFile(goFile, nil, 0o600))
	must(t, a.Wait())
	must(t, b.Wait())
	var want []flow.Observation
	for i, p := range pods {
		q := pods[1-i]
		to := netip.AddrPortFrom(q.IPv4, 7946)
		want = append(want, udpEgress(p, to, "", 6), udpIngress(q, netip.AddrPortFrom(p.IPv4, 7946), to, "", 6))
	}
	sortObservations(want)
	assertFlows(t, want, collect(t, o, cgroupsOf(pods...), want))
}
