package mismatch

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/inventory"
)

// invalidating counts Invalidate calls, as inventory.Cached has them.
type invalidating struct {
	*fakeInventory
	n atomic.Int32
}

func (i *invalidating) Invalidate() { i.n.Add(1) }

// Run evaluates at once, then after a Notify (debounced, the inventory
// invalidated first so the change is in the snapshot), without waiting for
// the period; it returns when its context ends.
func TestRunEvaluatesOnNotify(t *testing.T) {
	fi, bl, _ := threeWorkloads(t)
	inv := &invalidating{fakeInventory: fi}
	reg := prometheus.NewPedanticRegistry()
	ev := New(inv, bl, reg, slog.New(slog.DiscardHandler), Options{Period: time.Hour, Debounce: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- ev.Run(ctx) }()
	waitSamples(t, reg, "netpol_advisor_mismatch_evaluations_total", "mode=full,result=ok", 1)

	fi.update(func(s *inventory.Snapshot) {
		s.Policies = []networkingv1.NetworkPolicy{denyIngress("ns", "deny-b", "b")}
	})
	ev.Notify()
	waitSamples(t, reg, blockedFlows, "class=peer,kind=Deployment,namespace=ns,policy=ns/deny-b,workload=a", 1)
	if inv.n.Load() == 0 {
		t.Error("the round after Notify did not invalidate the inventory")
	}
	if got := samples(t, reg, "netpol_advisor_mismatch_evaluations_total")["mode=incremental,result=ok"]; got < 1 {
		t.Errorf("incremental rounds = %v, want at least 1 (the period is an hour)", got)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after cancel = %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run still running 10 s after its context ended")
	}
}

func waitSamples(t *testing.T, reg prometheus.Gatherer, name, series string, want float64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := samples(t, reg, name)[series]
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s{%s} = %v after 10 s, want %v (all: %v)", name, series, got, want, samples(t, reg, name))
		}
		time.Sleep(5 * time.Millisecond)
	}
}
