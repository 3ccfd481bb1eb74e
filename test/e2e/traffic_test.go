package e2e

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil/netns"
)

// randomPodSubnet picks a /24 in 198.18.0.0/16 away from the netns
// harness's defaults (198.18.0.x) and, likely, from other tests running on
// this machine at the same time: the observer sees every namespace's
// sockets, so equal pod IPs elsewhere would count as ours.
func randomPodSubnet() [3]byte { return [3]byte{198, 18, byte(100 + rand.IntN(150))} }

func addr(net [3]byte, host byte) netip.Addr {
	return netip.AddrFrom4([4]byte{net[0], net[1], net[2], host})
}

// addr6 is host's address in the ULA prefix the netns harness uses for
// pods (fd00:198:18::/48), in a /64 named after the IPv4 /24.
func addr6(net [3]byte, host byte) netip.Addr {
	a := netip.MustParseAddr("fd00:198:18::").As16()
	a[7], a[15] = net[2], host
	return netip.AddrFrom16(a)
}

// serveTCP accepts and closes connections on addr inside pod until the
// test ends.
func serveTCP(t *testing.T, pod *netns.Pod, a netip.AddrPort) {
	t.Helper()
	var ln net.Listener
	if err := pod.Run(func() (err error) { ln, err = net.Listen("tcp", a.String()); return err }); err != nil {
		t.Fatalf("listen on %s in pod %s: %v", a, pod.Name, err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { _, _ = io.Copy(io.Discard, c); c.Close() }()
		}
	}()
}

// serveUDP reads datagrams on addr inside pod until the test ends.
func serveUDP(t *testing.T, pod *netns.Pod, a netip.AddrPort) {
	t.Helper()
	var pc net.PacketConn
	if err := pod.Run(func() (err error) { pc, err = net.ListenPacket("udp", a.String()); return err }); err != nil {
		t.Fatalf("listen on udp %s in pod %s: %v", a, pod.Name, err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
}

// clientScript is what the client pod's program does: n TCP connections
// to each TCP target and n UDP sockets each sending one datagram to each
// UDP target, through bash's /dev/tcp and /dev/udp, so the process that
// opens the sockets is bash.
type clientScript struct {
	tcp map[netip.AddrPort]int
	udp map[netip.AddrPort]int
}

func (s clientScript) String() string {
	var b strings.Builder
	b.WriteString("set -e\n")
	for dst, n := range s.tcp {
		fmt.Fprintf(&b, "for ((i=0; i<%d; i++)); do exec 3<>/dev/tcp/%s/%d; exec 3>&-; done\n", n, dst.Addr(), dst.Port())
	}
	for dst, n := range s.udp {
		fmt.Fprintf(&b, "for ((i=0; i<%d; i++)); do exec 3<>/dev/udp/%s/%d; echo ping >&3; exec 3>&-; done\n", n, dst.Addr(), dst.Port())
	}
	return b.String()
}

// run runs the script with bash inside pod (its namespace and cgroup) and
// waits for it.
func (s clientScript) run(t *testing.T, pod *netns.Pod) {
	t.Helper()
	cmd := exec.Command("bash", "-c", s.String())
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := pod.Start(t, cmd); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("client in pod %s: %v\nscript:\n%s\noutput:\n%s", pod.Name, err, s, out.String())
	}
}

// selfComm is this process's name as the kernel keeps it (at most 15
// bytes): the process name of the flows its servers accept.
func selfComm(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}
