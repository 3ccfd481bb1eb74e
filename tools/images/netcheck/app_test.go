package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		in      string
		want    endpoint
		wantErr bool
	}{
		{in: "tcp::8443", want: endpoint{proto: "tcp", port: "8443"}},
		{in: "udp:ledger-statsd:8125", want: endpoint{proto: "udp", host: "ledger-statsd", port: "8125"}},
		{in: "tcp:203.0.113.9:443", want: endpoint{proto: "tcp", host: "203.0.113.9", port: "443"}},
		{in: "sctp:x:1", wantErr: true},
		{in: "tcp:x:", wantErr: true},
		{in: "tcp", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseEndpoint(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("parseEndpoint(%q) = %+v, %v; want %+v (error %v)", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

// TestAttemptReportsOkAndFail talks to real loopback servers: one line per
// attempt, "ok" with the answer or "fail" with the error.
func TestAttemptReportsOkAndFail(t *testing.T) {
	tcpAddr, udpAddr := listen(t)
	closedAddr := closedPort(t)
	tests := []struct {
		target string
		want   string
	}{
		{target: "tcp:" + tcpAddr, want: "ok tcp:" + tcpAddr + " (" + tcpAddr + "): hello over tcp from "},
		{target: "udp:" + udpAddr, want: "ok udp:" + udpAddr + " (" + udpAddr + "): hello over udp from "},
		{target: "tcp:" + closedAddr, want: "fail tcp:" + closedAddr + " (" + closedAddr + "): dial tcp " + closedAddr + ": "},
		{target: "tcp:name.invalid:80", want: "fail tcp:name.invalid:80: resolve: "},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			ep, err := parseEndpoint(tt.target)
			if err != nil {
				t.Fatal(err)
			}
			if got := attempt(context.Background(), ep, time.Second); !strings.HasPrefix(got, tt.want) {
				t.Errorf("attempt(%s) = %q, want prefix %q", tt.target, got, tt.want)
			}
		})
	}
}

// TestTalkLoopRepeats: every interval one line per target, until cancelled.
func TestTalkLoopRepeats(t *testing.T) {
	tcpAddr, _ := listen(t)
	ep, _ := parseEndpoint("tcp:" + tcpAddr)
	ctx, cancel := context.WithCancel(context.Background())
	var out lockedBuffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		talkLoop(ctx, &out, endpoints{ep}, 20*time.Millisecond, time.Second)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && strings.Count(out.String(), "\n") < 3 {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) < 3 {
		t.Fatalf("talkLoop wrote %d lines, want at least 3:\n%s", len(lines), out.String())
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "ok tcp:"+tcpAddr) {
			t.Errorf("line %q, want an ok for %s", l, tcpAddr)
		}
	}
}

func TestAppNeedsWork(t *testing.T) {
	if got := run([]string{"app"}); got != 1 {
		t.Errorf("netcheck app with nothing to do = %d, want 1", got)
	}
	if got := run([]string{"app", "-talk", "bogus"}); got != 1 {
		t.Errorf("netcheck app -talk bogus = %d, want 1", got)
	}
}

// lockedBuffer is a bytes.Buffer safe to read while talkLoop writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
