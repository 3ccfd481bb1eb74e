package observer_test

import (
	"net/netip"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	promtest "github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil/netns"
	"github.com/netpol-advisor/netpol-advisor/observer"
)

func TestCollectorReadsBPFCountersAtScrape(t *testing.T) {
	o := openObserver(t)
	reg := prometheus.NewPedanticRegistry()
	c := observer.NewCollector(o)
	if err := reg.Register(c); err != nil {
		t.Fatal(err)
	}
	before := scrape(t, reg)

	node := netns.NewNode(t)
	a, b := node.AddPod(t, "a"), node.AddPod(t, "b")
	startHelper(t, b, "server", "serve", "tcp:0.0.0.0:8080")
	client := startHelper(t, a, "client", "client", "tcp:"+netip.AddrPortFrom(b.IPv4, 8080).String())
	if err := client.Wait(); err != nil {
		t.Fatalf("client: %v", err)
	}
	if _, err := o.Drain(); err != nil {
		t.Fatal(err)
	}
	after := scrape(t, reg)
	// One connect and one accept happened; the machine may add more.
	for _, name := range []string{"bpf_events_total", "bpf_flows_created_total", "flow_records_drained_total"} {
		if after[name] < before[name]+2 {
			t.Errorf("%s went from %v to %v, want at least +2", name, before[name], after[name])
		}
	}
	// The drain found the connect and the accept in the table, which holds
	// the default 65,536.
	if after["flow_table_entries"] < 2 || after["flow_table_capacity_entries"] != 65536 {
		t.Errorf("flow table fill %v of %v, want at least 2 of 65536", after["flow_table_entries"], after["flow_table_capacity_entries"])
	}
	problems, err := promtest.CollectAndLint(c)
	if err != nil || len(problems) > 0 {
		t.Errorf("metric lint: %v %+v", err, problems)
	}
	testutil.Promtool(t, reg)
}

// scrape gathers reg and sums each metric's samples by short name.
func scrape(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		name := mf.GetName()[len("netpol_advisor_observer_"):]
		for _, m := range mf.GetMetric() {
			out[name] += m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	if _, ok := out["bpf_drops_total"]; !ok {
		t.Errorf("no drop counters in %v", out)
	}
	return out
}
