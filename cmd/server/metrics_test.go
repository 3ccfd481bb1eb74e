package main

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/netpol-advisor/netpol-advisor/internal/mismatch"
	"github.com/netpol-advisor/netpol-advisor/internal/store/badgerstore"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/webhook"
)

// The server's registry and controller-runtime's (with its Go and process
// collectors) gather together, without collisions, and pass promtool.
func TestMetricsRegistryGathers(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	mismatchWriter(reg)
	st, err := badgerstore.Open(t.TempDir(), badgerstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	reg.MustRegister(storeSize(st))
	g := metricsRegistry(reg)
	if _, err := g.Gather(); err != nil {
		t.Fatalf("gather: %v", err)
	}
	testutil.Promtool(t, g)
	mfs, _ := g.Gather()
	names := map[string]bool{}
	for _, mf := range mfs {
		names[mf.GetName()] = true
	}
	for _, want := range []string{"go_goroutines", "process_cpu_seconds_total", "netpol_advisor_store_write_duration_seconds", "netpol_advisor_webhook_reviews_total", "netpol_advisor_store_size_bytes"} {
		if !names[want] {
			t.Errorf("/metrics would not serve %s", want)
		}
	}
}

// mismatchWriter registers what the server registers besides the
// evaluator: the ingest's store metrics and the webhooks'.
func mismatchWriter(reg prometheus.Registerer) {
	mismatch.NewWriter(nil, nil, reg)
	webhook.NewMetrics(reg)
}
