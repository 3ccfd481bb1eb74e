package workloads

import (
	"encoding/json"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ParseSelector reads a namespace selector as --annotate-namespace-selector
// takes it: kubectl's label selector syntax (team=a,env in (prod,staging),
// !legacy) or a LabelSelector as JSON ({"matchLabels":{"team":"a"}}), the
// form a Helm chart renders from its values with toJson. Empty selects
// every namespace (nil).
func ParseSelector(s string) (*metav1.LabelSelector, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var sel *metav1.LabelSelector
	if strings.HasPrefix(s, "{") {
		dec := json.NewDecoder(strings.NewReader(s))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&sel); err != nil {
			return nil, fmt.Errorf("namespace selector %q is not a LabelSelector in JSON: %w", s, err)
		}
	} else {
		var err error
		if sel, err = metav1.ParseToLabelSelector(s); err != nil {
			return nil, fmt.Errorf("namespace selector %q: %w (write it as kubectl -l takes it, e.g. team=a,env in (prod))", s, err)
		}
	}
	if _, err := metav1.LabelSelectorAsSelector(sel); err != nil {
		return nil, fmt.Errorf("namespace selector %q: %w", s, err)
	}
	if len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0 {
		return nil, nil
	}
	return sel, nil
}
