package policy

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/yaml"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got, as YAML, with testdata/<name>, or rewrites the file
// with -update.
func golden(t *testing.T, name string, got any) {
	t.Helper()
	out, err := yaml.Marshal(got)
	if err != nil {
		t.Fatalf("marshal %s: %v", name, err)
	}
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatalf("update golden: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), string(out)); diff != "" {
		t.Errorf("%s differs (-want +got; run with -update if intended):\n%s", name, diff)
	}
}

// readYAML decodes testdata/<name> into v.
func readYAML(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	if err := yaml.UnmarshalStrict(data, v); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
}

// fixture is a cluster, one baseline and the user's adjustments, as data.
type fixture struct {
	Namespaces  map[string]map[string]string `json:"namespaces"`
	Workloads   []Workload                   `json:"workloads"`
	Baseline    flow.Baseline                `json:"baseline"`
	Adjustments Adjustments                  `json:"adjustments"`
}

func (f fixture) cluster() *Cluster {
	c := &Cluster{Namespaces: f.Namespaces, Workloads: map[flow.WorkloadRef]Workload{}}
	for _, w := range f.Workloads {
		c.Workloads[w.Ref] = w
	}
	return c
}

func readPolicy(t *testing.T, name string) networkingv1.NetworkPolicy {
	t.Helper()
	var np networkingv1.NetworkPolicy
	readYAML(t, name, &np)
	return np
}
