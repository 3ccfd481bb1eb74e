package promapi

import (
	"os"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// Every rule of the shipped file that waits gets the short for:, and
// nothing else changes.
func TestShortenForTheShippedRules(t *testing.T) {
	data, err := os.ReadFile("../../deploy/prometheus/netpol-advisor.rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := ShortenFor(data, "5s")
	if err != nil {
		t.Fatal(err)
	}
	var before, after struct {
		Groups []struct {
			Rules []map[string]any `json:"rules"`
		} `json:"groups"`
	}
	if err := yaml.Unmarshal(data, &before); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(out, &after); err != nil {
		t.Fatal(err)
	}
	n := 0
	for gi, g := range before.Groups {
		for ri, r := range g.Rules {
			a := after.Groups[gi].Rules[ri]
			if r["for"] != nil {
				n++
				if a["for"] != "5s" {
					t.Errorf("rule %v: for %v, want 5s", r["alert"], a["for"])
				}
			}
			if a["expr"] != r["expr"] || a["alert"] != r["alert"] {
				t.Errorf("rule %v changed beyond its for:", r["alert"])
			}
		}
	}
	if n == 0 || strings.Contains(string(out), "for: 10m") {
		t.Errorf("%d rules had a for:, output still waits minutes:\n%s", n, out)
	}
}
