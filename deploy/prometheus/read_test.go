package prometheus

import (
	"os"
	"testing"

	"sigs.k8s.io/yaml"
)

type rulesFile struct {
	Groups []struct {
		Rules []struct {
			Alert string `json:"alert"`
		} `json:"rules"`
	} `json:"groups"`
}

func readAlerts(t *testing.T, path string) []string {
	t.Helper()
	var f rulesFile
	readYAML(t, path, &f)
	var out []string
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			if r.Alert != "" {
				out = append(out, r.Alert)
			}
		}
	}
	return out
}

type tested struct{ firing, silent int }

func readTestedAlerts(t *testing.T, path string) map[string]tested {
	t.Helper()
	var f struct {
		Tests []struct {
			AlertRuleTest []struct {
				Alertname string `json:"alertname"`
				ExpAlerts []any  `json:"exp_alerts"`
			} `json:"alert_rule_test"`
		} `json:"tests"`
	}
	readYAML(t, path, &f)
	out := map[string]tested{}
	for _, tc := range f.Tests {
		for _, a := range tc.AlertRuleTest {
			n := out[a.Alertname]
			if len(a.ExpAlerts) > 0 {
				n.firing++
			} else {
				n.silent++
			}
			out[a.Alertname] = n
		}
	}
	return out
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
}
