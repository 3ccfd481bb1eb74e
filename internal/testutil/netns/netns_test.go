package netns_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil/netns"
)

// echoTCP accepts one connection on ln, answers "re:" + what it read and
// reports the addresses the server side saw.
func echoTCP(ln net.Listener) <-chan [2]string {
	seen := make(chan [2]string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			close(seen)
			return
		}
		defer c.Close()
		buf := make([]byte, 64)
		n, _ := c.Read(buf)
		_, _ = c.Write(append([]byte("re:"), buf[:n]...))
		seen <- [2]string{c.LocalAddr().String(), c.RemoteAddr().String()}
	}()
	return seen
}

// echoUDP answers one datagram on pc like echoTCP.
func echoUDP(pc net.PacketConn) <-chan [2]string {
	seen := make(chan [2]string, 1)
	go func() {
		buf := make([]byte, 64)
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			close(seen)
			return
		}
		_, _ = pc.WriteTo(append([]byte("re:"), buf[:n]...), from)
		seen <- [2]string{pc.LocalAddr().String(), from.String()}
	}()
	return seen
}

// exchange dials addr from pod, sends msg and returns the answer and the
// remote address the client socket saw.
func exchange(t *testing.T, pod *netns.Pod, network, addr, msg string) (string, string) {
	t.Helper()
	var c net.Conn
	if err := pod.Run(func() (err error) {
		c, err = net.DialTimeout(network, addr, 5*time.Second)
		return err
	}); err != nil {
		t.Fatalf("dial %s %s from %s: %v", network, addr, pod.Name, err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, msg); err != nil {
		t.Fatalf("write to %s: %v", addr, err)
	}
	buf := make([]byte, 64)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatalf("read from %s: %v", addr, err)
	}
	return string(buf[:n]), c.RemoteAddr().String()
}

func listen(t *testing.T, pod *netns.Pod, network, addr string) io.Closer {
	t.Helper()
	var l io.Closer
	err := pod.Run(func() (err error) {
		if strings.HasPrefix(network, "udp") {
			l, err = net.ListenPacket(network, addr)
		} else {
			l, err = net.Listen(network, addr)
		}
		return err
	})
	if err != nil {
		t.Fatalf("listen %s %s in %s: %v", network, addr, pod.Name, err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func TestPodsTalkThroughServiceDNAT(t *testing.T) {
	testutil.RequireRoot(t)
	node := netns.NewNode(t)
	client, server := node.AddPod(t, "client"), node.AddPod(t, "server")
	clusterIP := netip.MustParseAddr("198.19.0.10")
	tests := []struct {
		name, network string
		front, back   netip.AddrPort
		viaService    bool
		clientSrc     netip.Addr
	}{
		{"tcp via service", "tcp4", netip.AddrPortFrom(clusterIP, 80), netip.AddrPortFrom(server.IPv4, 8080), true, client.IPv4},
		{"udp via service", "udp4", netip.AddrPortFrom(clusterIP, 53), netip.AddrPortFrom(server.IPv4, 5353), true, client.IPv4},
		{"tcp ipv6 direct", "tcp6", netip.AddrPortFrom(server.IPv6, 9090), netip.AddrPortFrom(server.IPv6, 9090), false, client.IPv6},
		{"udp ipv6 direct", "udp6", netip.AddrPortFrom(server.IPv6, 8125), netip.AddrPortFrom(server.IPv6, 8125), false, client.IPv6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.viaService {
				if err := node.AddService(tt.network[:3], tt.front, tt.back); err != nil {
					t.Fatal(err)
				}
			}
			var seen <-chan [2]string
			switch l := listen(t, server, tt.network, tt.back.String()).(type) {
			case net.Listener:
				seen = echoTCP(l)
			case net.PacketConn:
				seen = echoUDP(l)
			}
			reply, remote := exchange(t, client, tt.network, tt.front.String(), "hello "+tt.name)
			if want := "re:hello " + tt.name; reply != want {
				t.Errorf("reply = %q, want %q", reply, want)
			}
			if remote != tt.front.String() {
				t.Errorf("client saw remote %s, want %s", remote, tt.front)
			}
			got := <-seen
			if got[0] != tt.back.String() {
				t.Errorf("server saw local %s, want %s", got[0], tt.back)
			}
			if from, err := netip.ParseAddrPort(got[1]); err != nil || from.Addr() != tt.clientSrc {
				t.Errorf("server saw client %s, want %s", got[1], tt.clientSrc)
			}
		})
	}
}

func TestStartRunsInPodCgroupAndNamespace(t *testing.T) {
	testutil.RequireRoot(t)
	node := netns.NewNode(t)
	mount, err := netns.Cgroup2Mount()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		add  func(testing.TB, string) *netns.Pod
	}{
		{"pod", func(t testing.TB, n string) *netns.Pod { return node.AddPod(t, n) }},
		{"host network pod", node.AddHostNetworkPod},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := tt.add(t, "web")
			out := runIn(t, pod, "cat /proc/self/cgroup; stat -L -c %i /proc/self/ns/net")
			rel := strings.TrimPrefix(pod.Cgroup, mount)
			if !strings.Contains(out, "0::"+rel+"\n") || !strings.HasSuffix(rel, "/pod"+pod.UID) {
				t.Errorf("process cgroups:\n%s\nwant the v2 entry 0::%s ending in pod<UID>", out, rel)
			}
			ino, err := pod.NetNSInode()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(out, fmt.Sprintf("\n%d\n", ino)) {
				t.Errorf("process network namespace:\n%s\nwant inode %d", out, ino)
			}
			if id, _ := netns.CgroupID(pod.Cgroup); id != pod.CgroupID || id == 0 {
				t.Errorf("CgroupID = %d, directory inode %d", pod.CgroupID, id)
			}
		})
	}
}

// runIn runs a shell script in pod and returns its output.
func runIn(t *testing.T, pod *netns.Pod, script string) string {
	t.Helper()
	var out bytes.Buffer
	cmd := exec.Command("sh", "-c", script)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := pod.Start(t, cmd); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	return out.String()
}

func mustAddrPort(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

func TestDropMakesConnectsTimeOut(t *testing.T) {
	testutil.RequireRoot(t)
	node := netns.NewNode(t)
	client, server := node.AddPod(t, "client"), node.AddPod(t, "server")
	dst := netip.AddrPortFrom(server.IPv4, 8080)
	listen(t, server, "tcp4", dst.String())
	if err := node.Drop("tcp", dst); err != nil {
		t.Fatal(err)
	}
	err := client.Run(func() error {
		c, err := net.DialTimeout("tcp4", dst.String(), 300*time.Millisecond)
		if err == nil {
			c.Close()
		}
		return err
	})
	var nerr net.Error
	if !errors.As(err, &nerr) || !nerr.Timeout() {
		t.Fatalf("dial through a drop rule: %v, want a timeout", err)
	}
}

func TestAddAddressRoutesToThePod(t *testing.T) {
	testutil.RequireRoot(t)
	node := netns.NewNode(t)
	client, server := node.AddPod(t, "client"), node.AddPod(t, "server")
	extra := netip.MustParseAddr("198.18.200.7")
	if err := node.AddAddress(client, extra); err != nil {
		t.Fatal(err)
	}
	seen := echoTCP(listen(t, server, "tcp4", netip.AddrPortFrom(server.IPv4, 7000).String()).(net.Listener))
	err := client.Run(func() error {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: extra.AsSlice()}, Timeout: 3 * time.Second}
		c, err := d.Dial("tcp4", netip.AddrPortFrom(server.IPv4, 7000).String())
		if err != nil {
			return err
		}
		defer c.Close()
		_, err = io.WriteString(c, "x")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := <-seen; !strings.HasPrefix(got[1], extra.String()+":") {
		t.Errorf("server saw client %s, want %s", got[1], extra)
	}
}
