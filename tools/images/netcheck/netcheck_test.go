package main

import (
	"net"
	"strings"
	"testing"
)

// listen starts the real TCP and UDP servers on loopback.
func listen(t *testing.T) (tcpAddr, udpAddr string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close(); pc.Close() })
	go serveTCP(ln)
	go serveUDP(pc)
	return ln.Addr().String(), pc.LocalAddr().String()
}

// closedPort is a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer closed.Close()
	return closed.Addr().String()
}

func TestProbe(t *testing.T) {
	tcpAddr, udpAddr := listen(t)
	closedAddr := closedPort(t)
	tests := []struct {
		name string
		args []string
		want int
	}{
		{name: "tcp answers", args: []string{"tcp", tcpAddr}, want: 0},
		{name: "udp answers", args: []string{"udp", "-timeout", "2s", udpAddr}, want: 0},
		{name: "tcp refused", args: []string{"tcp", "-timeout", "1s", closedAddr}, want: 1},
		{name: "udp unanswered", args: []string{"udp", "-timeout", "300ms", closedAddr}, want: 1},
		{name: "resolve localhost", args: []string{"resolve", "localhost"}, want: 0},
		{name: "no target", args: []string{"tcp"}, want: 1},
		{name: "resolve through a dead server", args: []string{"resolve", "-server", closedAddr, "-timeout", "1s", "example.invalid"}, want: 1},
		{name: "unknown command", args: []string{"fly"}, want: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := run(tt.args); got != tt.want {
				t.Errorf("run(%v) = %d, want %d", tt.args, got, tt.want)
			}
		})
	}
}

func TestGreetingNamesProtocol(t *testing.T) {
	for _, proto := range []string{"tcp", "udp"} {
		if g := greeting(proto); !strings.HasPrefix(g, "hello over "+proto+" from ") || !strings.HasSuffix(g, "\n") {
			t.Errorf("greeting(%s) = %q", proto, g)
		}
	}
}
