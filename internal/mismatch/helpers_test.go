package mismatch

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/yaml"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/inventory"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

// fakeInventory hands out the snapshot a test set last.
type fakeInventory struct {
	mu   sync.Mutex
	snap *inventory.Snapshot
}

func (f *fakeInventory) Snapshot(context.Context) (*inventory.Snapshot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.snap, nil
}

// update replaces the snapshot by a copy that edit changed.
func (f *fakeInventory) update(edit func(*inventory.Snapshot)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := *f.snap.Cluster
	c.Workloads = maps.Clone(c.Workloads)
	s := &inventory.Snapshot{Cluster: &c, Policies: append([]networkingv1.NetworkPolicy(nil), f.snap.Policies...),
		Adjustments: maps.Clone(f.snap.Adjustments), Taken: time.Now()}
	edit(s)
	f.snap = s
}

// fakeBaselines serves baselines from memory and counts reads.
type fakeBaselines struct {
	mu    sync.Mutex
	by    map[flow.WorkloadRef]flow.Baseline
	reads int
}

func (f *fakeBaselines) Baseline(_ context.Context, w flow.WorkloadRef, _ flow.Window) (flow.Baseline, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	b, ok := f.by[w]
	if !ok {
		return flow.Baseline{}, fmt.Errorf("baseline of %s: %w", w, store.ErrNotFound)
	}
	return b, nil
}

func (f *fakeBaselines) Namespace(_ context.Context, ns string, _ flow.Window) ([]flow.Baseline, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	var out []flow.Baseline
	for _, w := range sortedRefs(f.by) {
		if ns == "" || w.Namespace == ns {
			out = append(out, f.by[w])
		}
	}
	return out, nil
}

// story is internal/policy's story data.
type story struct {
	Namespaces  map[string]map[string]string `json:"namespaces"`
	Workloads   []policy.Workload            `json:"workloads"`
	Baseline    flow.Baseline                `json:"baseline"`
	Adjustments policy.Adjustments           `json:"adjustments"`
}

func loadStory(t testing.TB) (story, *inventory.Snapshot) {
	t.Helper()
	var s story
	readYAML(t, "../policy/testdata/story/cluster.yaml", &s)
	c := &policy.Cluster{Namespaces: s.Namespaces, Workloads: map[flow.WorkloadRef]policy.Workload{}}
	for _, w := range s.Workloads {
		c.Workloads[w.Ref] = w
	}
	return s, &inventory.Snapshot{Cluster: c, Adjustments: map[flow.WorkloadRef]policy.Adjustments{}, Taken: time.Now()}
}

func readYAML(t testing.TB, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
}

func readPolicy(t testing.TB, path string) networkingv1.NetworkPolicy {
	var np networkingv1.NetworkPolicy
	readYAML(t, path, &np)
	return np
}

// samples gathers family name from reg as label values joined by "|"
// (in the order of the family's labels) to values.
func samples(t *testing.T, reg prometheus.Gatherer, name string) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			var vals []string
			for _, lp := range m.GetLabel() {
				vals = append(vals, lp.GetName()+"="+lp.GetValue())
			}
			v := m.GetGauge().GetValue() + m.GetCounter().GetValue()
			out[strings.Join(vals, ",")] = v
		}
	}
	return out
}

func newTestEvaluator(inv Inventory, bl Baselines) (*Evaluator, *prometheus.Registry) {
	reg := prometheus.NewPedanticRegistry()
	return New(inv, bl, reg, slog.New(slog.DiscardHandler), Options{}), reg
}
