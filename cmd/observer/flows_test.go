package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil/netns"
)

// TestFlowsPrintsWhatPodsDo runs the flows mode against the real kernel
// while a namespace pod connects to an "external" host, and reads the
// connection back from its JSON output.
func TestFlowsPrintsWhatPodsDo(t *testing.T) {
	testutil.RequireRoot(t)
	node := netns.NewNode(t)
	client := node.AddPod(t, "client")
	server := node.AddPod(t, "external", netip.MustParseAddr("203.0.113.77"))
	dst := netip.AddrPortFrom(server.IPv4, 4242)
	var ln net.Listener
	if err := server.Run(func() (err error) { ln, err = net.Listen("tcp4", dst.String()); return err }); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })

	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int)
	go func() { done <- runFlows(ctx, []string{"--interval", "200ms", "--format", "json"}, &stdout, &stderr) }()
	waitFor(t, func() bool { return strings.Contains(stderr.String(), "watching with") }, &stderr)
	if err := client.Run(func() error {
		c, err := net.DialTimeout("tcp4", dst.String(), 3*time.Second)
		if err == nil {
			c.Close()
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("flows exited %d: %s", code, stderr.String())
	}
	if !seen(t, stdout.String(), client.IPv4, dst) {
		t.Errorf("no egress flow %s -> %s in:\n%s\nstderr:\n%s", client.IPv4, dst, stdout.String(), stderr.String())
	}
}

func seen(t *testing.T, out string, from netip.Addr, to netip.AddrPort) bool {
	t.Helper()
	for line := range strings.Lines(out) {
		var o flow.Observation
		if err := json.Unmarshal([]byte(line), &o); err != nil {
			t.Fatalf("output line %q: %v", line, err)
		}
		if o.Direction == flow.Egress && o.Protocol == "TCP" && o.Client == from && o.Server == to.Addr() &&
			o.ServerPort == to.Port() && o.Count == 1 {
			return true
		}
	}
	return false
}

func waitFor(t *testing.T, cond func() bool, log *syncBuffer) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out; output so far:\n%s", log.String())
		}
	}
}

// syncBuffer is a bytes.Buffer safe to read while the mode writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
