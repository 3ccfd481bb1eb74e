package chart

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

type ruleFile struct {
	Groups []struct {
		Name string `json:"name"`
	} `json:"groups"`
}

// TestChartShipsTheAlertRules: every rule file of deploy/prometheus has an
// identical copy in the chart (make chart-rules), and with the
// PrometheusRule on, the rendered object holds each of their groups.
func TestChartShipsTheAlertRules(t *testing.T) {
	root, err := testutil.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	sources, _ := filepath.Glob(filepath.Join(root, "deploy", "prometheus", "*.yaml"))
	var groups []string
	for _, src := range sources {
		if strings.HasSuffix(src, "_test.yaml") || strings.HasSuffix(src, ".test.yaml") {
			continue // promtool unit tests, not rules
		}
		want, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		copyPath := filepath.Join(chartDir(t), "files", "prometheus", filepath.Base(src))
		got, err := os.ReadFile(copyPath)
		if err != nil || string(got) != string(want) {
			t.Errorf("%s is missing or differs from %s: run make chart-rules and commit", copyPath, src)
			continue
		}
		var rf ruleFile
		if err := yaml.Unmarshal(want, &rf); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		for _, g := range rf.Groups {
			groups = append(groups, g.Name)
		}
	}
	if len(sources) == 0 {
		t.Log("deploy/prometheus holds no rule files yet: only metrics.prometheusRule.extraGroups are rendered")
		return
	}
	h := testutil.NewHelm(t)
	out := mustRender(t, h, valueSet{name: "rules", release: "netpol-advisor", namespace: "netpol-advisor",
		args: []string{"--set", "metrics.prometheusRule.enabled=true"}})
	for _, g := range groups {
		if !strings.Contains(out, "name: "+g+"\n") {
			t.Errorf("the rendered PrometheusRule lacks group %s of deploy/prometheus", g)
		}
	}
}
