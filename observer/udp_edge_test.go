package observer_test

import (
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil/netns"
)

// TestUDPObserverStartedMidStream: an observer opened while a reverse
// stream runs (iperf3 -u -R: the server, connect()ed to its client, sends
// a datagram every millisecond, the client a keep-alive every 50 ms) first
// sees the server sending. It must still record the client's keep-alives to
// the server's port, at both ends, and never the server's stream as a flow
// to the client's ephemeral port.
func TestUDPObserverStartedMidStream(t *testing.T) {
	node := netns.NewNode(t)
	client, server := node.AddPod(t, "client"), node.AddPod(t, "server")
	at := netip.AddrPortFrom(server.IPv4, 5201)
	startHelper(t, server, "iperf3", "reverse-server", strconv.Itoa(int(at.Port())))
	stop := filepath.Join(t.TempDir(), "stop")
	stream := startHelper(t, client, "iperf3c", "reverse-client", at.String(), stop, "50")
	time.Sleep(300 * time.Millisecond) // the stream runs
	o := openObserver(t)
	cgroups, merged := cgroupsOf(client, server), map[string]*flow.Observation{}
	drainWhile(t, o, cgroups, merged, func() {
		time.Sleep(500 * time.Millisecond) // about ten keep-alives while observed
		must(t, os.WriteFile(stop, nil, 0o600))
		must(t, stream.Wait())
	})
	want := []flow.Observation{
		udpEgress(client, at, "iperf3c", 0),
		udpIngress(server, netip.AddrPortFrom(client.IPv4, 0), at, "", 0), // bound before the observer started
	}
	sortObservations(want)
	// How many keep-alives fell after the start is timing; that both ends
	// count the same, and nothing else is a flow, is not.
	ignoreCount := cmpopts.IgnoreFields(flow.Observation{}, "Count")
	got := collectInto(t, o, cgroups, want, merged, ignoreCount)
	if diff := gocmp.Diff(want, got, append(cmpOpts, ignoreCount)...); diff != "" {
		t.Fatalf("observed flows (-want +got):\n%s", diff)
	}
	if got[0].Count == 0 || got[0].Count != got[1].Count {
		t.Errorf("keep-alives counted %d at one end and %d at the other, want equal and > 0", got[0].Count, got[1].Count)
	}
}

// TestUDPIPv6ExtensionHeaders: datagrams with a hop-by-hop options header
// between the IPv6 and UDP headers are flows at both ends, not unparsed.
func TestUDPIPv6ExtensionHeaders(t *testing.T) {
	o := openObserver(t)
	node := netns.NewNode(t)
	client, server := node.AddPod(t, "client"), node.AddPod(t, "server")
	at := netip.AddrPortFrom(server.IPv6, 8125)
	startHelper(t, server, "sink", "serve", "udpsink:"+at.String())
	_, _ = o.Drain()
	before, err := o.Stats()
	must(t, err)
	must(t, startHelper(t, client, "hopper", "hopopts", at.String(), "3").Wait())
	want := []flow.Observation{
		udpEgress(client, at, "hopper", 3),
		udpIngress(server, netip.AddrPortFrom(client.IPv6, 0), at, "sink", 3),
	}
	sortObservations(want)
	assertFlows(t, want, collect(t, o, cgroupsOf(client, server), want))
	after, err := o.Stats()
	must(t, err)
	if after.DropParse != before.DropParse {
		t.Errorf("%d datagrams unparsed", after.DropParse-before.DropParse)
	}
}
