package netns_test

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil/netns"
)

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
