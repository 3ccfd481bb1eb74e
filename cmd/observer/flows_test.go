package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil/netns"
)

// TestFlowsPrintsWhatPodsDo runs the flows mode against the real kernel
// while a process in a namespace pod (bash, through /dev/tcp) connects to
// an "external" host, and finds the connection in each output format.
func TestFlowsPrintsWhatPodsDo(t *testing.T) {
	testutil.RequireRoot(t)
	node := netns.NewNode(t)
	client := node.AddPod(t, "client")
	server := node.AddPod(t, "external", netip.MustParseAddr("203.0.113.13"))
	dst := netip.AddrPortFrom(server.IPv4, 4242)
	var ln net.Listener
	if err := server.Run(func() (err error) { ln, err = net.Listen("tcp4", dst.String()); return err }); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	tests := []struct {
		format string
		found  func(t *testing.T, out string) bool
	}{
		{"json", func(t *testing.T, out string) bool { return seenJSON(t, out, client, dst) }},
		{"text", func(t *testing.T, out string) bool {
			return strings.Contains(out, fmt.Sprintf("Egress  TCP %s -> %s port %d pod %s cgroup %d process bash count 1 failed 0\n",
				client.IPv4, dst.Addr(), dst.Port(), client.UID, client.CgroupID))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			stdout, stderr := flowsWhile(t, tt.format, func() { connectWithBash(t, client, dst) })
			if !tt.found(t, stdout) {
				t.Errorf("no egress flow %s -> %s by bash in:\n%s\nstderr:\n%s", client.IPv4, dst, stdout, stderr)
			}
		})
	}
}

// flowsWhile runs the flows mode while do runs and returns its output.
func flowsWhile(t *testing.T, format string, do func()) (string, string) {
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr testutil.SyncBuffer
	done := make(chan int)
	go func() { done <- runFlows(ctx, []string{"--interval", "200ms", "--format", format}, &stdout, &stderr) }()
	waitFor(t, func() bool { return strings.Contains(stderr.String(), "watching with") }, &stderr)
	do()
	time.Sleep(300 * time.Millisecond)
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("flows exited %d: %s", code, stderr.String())
	}
	return stdout.String(), stderr.String()
}

func connectWithBash(t *testing.T, pod *netns.Pod, dst netip.AddrPort) {
	t.Helper()
	script := fmt.Sprintf("exec 3<>/dev/tcp/%s/%d && exec 3>&-", dst.Addr(), dst.Port())
	cmd := exec.Command("bash", "-c", script)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := pod.Start(t, cmd); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("bash connect: %v: %s", err, out.String())
	}
}

func seenJSON(t *testing.T, out string, client *netns.Pod, to netip.AddrPort) bool {
	t.Helper()
	for line := range strings.Lines(out) {
		var o flow.Observation
		if err := json.Unmarshal([]byte(line), &o); err != nil {
			t.Fatalf("output line %q: %v", line, err)
		}
		if o.Direction == flow.Egress && o.Protocol == "TCP" && o.Client == client.IPv4 && o.Server == to.Addr() &&
			o.ServerPort == to.Port() && o.CgroupID == client.CgroupID && o.Process == "bash" && o.Count == 1 {
			return true
		}
	}
	return false
}

func waitFor(t *testing.T, cond func() bool, log *testutil.SyncBuffer) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out; output so far:\n%s", log.String())
		}
	}
}
