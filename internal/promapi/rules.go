package promapi

import (
	"fmt"

	"sigs.k8s.io/yaml"
)

// ShortenFor returns a Prometheus rules file with every rule's `for:` set
// to d (e.g. "5s"): the shipped rules wait minutes before firing.
func ShortenFor(rules []byte, d string) ([]byte, error) {
	var f struct {
		Groups []map[string]any `json:"groups"`
	}
	if err := yaml.Unmarshal(rules, &f); err != nil {
		return nil, fmt.Errorf("decode the rules: %w", err)
	}
	for _, g := range f.Groups {
		list, _ := g["rules"].([]any)
		for _, r := range list {
			if m, ok := r.(map[string]any); ok && m["for"] != nil {
				m["for"] = d
			}
		}
	}
	return yaml.Marshal(f)
}
