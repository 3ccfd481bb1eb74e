package observer_test

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil/netns"
	"github.com/netpol-advisor/netpol-advisor/observer"
)

func init() {
	modes["recvclose"] = recvCloseMain
	modes["flood"] = floodMain
	readyModes["recvclose"] = true
}

// recvCloseMain: "recvclose PORT ROUNDS N" binds PORT, reads N datagrams
// and closes the socket, ROUNDS times, while a client floods the port.
func recvCloseMain(args []string) error {
	buf := make([]byte, 64)
	for r := range atoi(args[1]) {
		pc, err := net.ListenUDP("udp4", &net.UDPAddr{Port: atoi(args[0])})
		if err != nil {
			return err
		}
		if r == 0 {
			fmt.Println("ready")
		}
		for range atoi(args[2]) {
			if _, _, err := pc.ReadFromUDPAddrPort(buf); err != nil {
				return err
			}
		}
		pc.Close()
	}
	return nil
}

// floodMain: "flood ADDR STOPFILE" sends from one connected socket as fast
// as it can until STOPFILE exists (refusals, while nothing listens, are
// ignored).
func floodMain(args []string) error {
	c, err := net.Dial("udp", args[0])
	if err != nil {
		return err
	}
	defer c.Close()
	for i := 0; ; i++ {
		if _, err := c.Write([]byte("flood")); err != nil && !errors.Is(err, syscall.ECONNREFUSED) {
			return err
		}
		if i%256 == 0 {
			if _, err := os.Stat(args[1]); err == nil {
				return nil
			}
		}
	}
}

// TestUDPCacheCloseUnderFlood: the cache's observer counts at the server's end
// the same datagrams as an observer without the cache, running beside it
// on the same packets, while the server's socket closes again and again
// under a flood. cgroup/sock_release runs in inet_release before the
// socket is unhashed (udp_lib_close), so datagrams can still reach the
// socket's slot after its flush at close.
func TestUDPCacheCloseUnderFlood(t *testing.T) {
	testutil.RequireRoot(t)
	cached, plain := openUDPObserver(t, true), openUDPObserver(t, false)
	node := netns.NewNode(t)
	client, server := node.AddPod(t, "client"), node.AddPod(t, "server")
	const port, rounds, n = 9999, 40, 500
	stop := filepath.Join(t.TempDir(), "stop")
	_, _ = cached.Drain()
	_, _ = plain.Drain()
	srv := startHelper(t, server, "recvclose", "recvclose", strconv.Itoa(port), strconv.Itoa(rounds), strconv.Itoa(n))
	cl := startHelper(t, client, "flood", "flood", netip.AddrPortFrom(server.IPv4, port).String(), stop)
	must(t, srv.Wait())
	must(t, os.WriteFile(stop, nil, 0o600))
	must(t, cl.Wait())
	time.Sleep(300 * time.Millisecond) // the closed sockets' storage is freed
	count := func(o *observer.Observer) uint64 {
		obs, err := o.Drain()
		must(t, err)
		var sum uint64
		for _, ob := range obs {
			if ob.CgroupID == server.CgroupID && ob.Direction == flow.Ingress {
				sum += ob.Count
			}
		}
		return sum
	}
	c, p := count(cached), count(plain)
	t.Logf("server ingress: cached %d, uncached %d (at least %d read)", c, p, rounds*n)
	if c != p {
		t.Errorf("server ingress counted %d with the cache, %d without, over the same packets", c, p)
	}
}
