package observer_test

import (
	"context"
	"errors"
	"net/netip"
	"sync"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil/netns"
	"github.com/netpol-advisor/netpol-advisor/observer"
)

// TestNewFlowsAnnouncesFirstEvents: with notifications on, each new flow is
// announced as it enters the table — a connect, its accept and a refused
// connect — while the table still aggregates the counts.
func TestNewFlowsAnnouncesFirstEvents(t *testing.T) {
	testutil.RequireRoot(t)
	o, err := observer.Open(observer.Config{NotifyNewFlows: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	node := netns.NewNode(t)
	web, api := node.AddPod(t, "web"), node.AddPod(t, "api")
	startHelper(t, api, "apiserver", "serve", "tcp:0.0.0.0:8080")
	_, _ = o.Drain()

	var mu sync.Mutex
	seen := map[string]*flow.Observation{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- o.NewFlows(ctx, func(ob flow.Observation) {
			if ob.CgroupID == web.CgroupID || ob.CgroupID == api.CgroupID {
				mu.Lock()
				mergeObservation(seen, ob)
				mu.Unlock()
			}
		})
	}()
	ok := netip.AddrPortFrom(api.IPv4, 8080)
	client := startHelper(t, web, "webclient", "client", "tcp:"+ok.String(), "tcp:"+ok.String(),
		"tcpfail:"+netip.AddrPortFrom(api.IPv4, 9999).String())
	if err := client.Wait(); err != nil {
		t.Fatal(err)
	}
	want := []flow.Observation{
		{LocalIP: web.IPv4, CgroupID: web.CgroupID, Direction: flow.Egress, Client: web.IPv4, Server: api.IPv4,
			ServerPort: 8080, Protocol: "TCP", Process: "webclient", Count: 1},
		{LocalIP: api.IPv4, CgroupID: api.CgroupID, Direction: flow.Ingress, Client: web.IPv4, Server: api.IPv4,
			ServerPort: 8080, Protocol: "TCP", Process: "apiserver", Count: 1},
		{LocalIP: web.IPv4, CgroupID: web.CgroupID, Direction: flow.Egress, Client: web.IPv4, Server: api.IPv4,
			ServerPort: 9999, Protocol: "TCP", Process: "webclient", Failed: 1, Failures: flow.Failures{Refused: 1}},
	}
	sortObservations(want)
	var got []flow.Observation
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		mu.Lock()
		got = sortedObservations(seen)
		mu.Unlock()
		if gocmp.Equal(want, got, cmpOpts...) {
			break
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Two connects, one notification: the second only counts in the table.
	if diff := gocmp.Diff(want, got, cmpOpts...); diff != "" {
		t.Errorf("notifications (-want +got):\n%s", diff)
	}
}

func TestNewFlowsNeedsNotifications(t *testing.T) {
	o := openObserver(t)
	if err := o.NewFlows(context.Background(), func(flow.Observation) {}); !errors.Is(err, observer.ErrNotifyOff) {
		t.Fatalf("NewFlows without NotifyNewFlows: %v, want ErrNotifyOff", err)
	}
}
