package adjust

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

// Annotation is the workload annotation that holds the adjustments.
const Annotation = "netpol-advisor.io/adjustments"

// maxAlias bounds an alias: it ends up in a policy annotation and in
// warning lines.
const maxAlias = 63

// FromAnnotations returns the adjustments declared in a workload's
// annotations; no annotation means no adjustment. ns is the workload's
// namespace, the default for excluded workloads.
func FromAnnotations(ns string, annotations map[string]string) (policy.Adjustments, error) {
	v, ok := annotations[Annotation]
	if !ok || strings.TrimSpace(v) == "" {
		return policy.Adjustments{}, nil
	}
	return Parse(ns, v)
}

// Parse decodes an annotation value (YAML or JSON), fills in default
// namespaces, checks it and returns it normalised (sorted, deduplicated).
func Parse(ns, value string) (policy.Adjustments, error) {
	var adj policy.Adjustments
	if err := yaml.UnmarshalStrict([]byte(value), &adj); err != nil {
		return policy.Adjustments{}, fmt.Errorf("decode annotation %s: %w", Annotation, err)
	}
	for i := range adj.Exclude {
		if w := &adj.Exclude[i].Workload; !w.IsZero() && w.Namespace == "" {
			w.Namespace = ns
		}
	}
	if err := Validate(adj); err != nil {
		return policy.Adjustments{}, fmt.Errorf("annotation %s: %w", Annotation, err)
	}
	return Normalize(adj), nil
}

// Format encodes adjustments as an annotation value (compact JSON,
// normalised, so equal adjustments give equal strings).
func Format(adj policy.Adjustments) (string, error) {
	if err := Validate(adj); err != nil {
		return "", err
	}
	out, err := json.Marshal(Normalize(adj))
	if err != nil {
		return "", fmt.Errorf("encode adjustments: %w", err)
	}
	return string(out), nil
}

// Validate checks that every allowed CIDR is valid and every exclusion
// names exactly one peer.
func Validate(adj policy.Adjustments) error {
	var errs []error
	for i, a := range adj.Allow {
		if !a.CIDR.IsValid() {
			errs = append(errs, fmt.Errorf("allow[%d]: cidr is missing or invalid", i))
		}
		if len(a.Alias) > maxAlias || strings.ContainsAny(a.Alias, "\n\r\t") {
			errs = append(errs, fmt.Errorf("allow[%d]: alias must be one line of at most %d characters", i, maxAlias))
		}
	}
	for i, e := range adj.Exclude {
		hasW, hasC := !e.Workload.IsZero(), e.CIDR.IsValid()
		if hasW == hasC {
			errs = append(errs, fmt.Errorf("exclude[%d]: set exactly one of workload and cidr", i))
		}
		if hasW && (e.Workload.Kind == "" || e.Workload.Name == "") {
			errs = append(errs, fmt.Errorf("exclude[%d]: workload needs kind and name", i))
		}
	}
	return errors.Join(errs...)
}

// Normalize sorts and deduplicates adjustments and masks CIDRs to their
// network address.
func Normalize(adj policy.Adjustments) policy.Adjustments {
	out := policy.Adjustments{}
	for _, a := range adj.Allow {
		a.CIDR = a.CIDR.Masked()
		out.Allow = append(out.Allow, a)
	}
	for _, e := range adj.Exclude {
		e.CIDR = e.CIDR.Masked()
		out.Exclude = append(out.Exclude, e)
	}
	slices.SortFunc(out.Allow, func(a, b policy.AllowCIDR) int {
		return cmp.Or(cmp.Compare(a.CIDR.String(), b.CIDR.String()), cmp.Compare(a.Alias, b.Alias))
	})
	slices.SortFunc(out.Exclude, compareExclusions)
	out.Allow = slices.Compact(out.Allow)
	out.Exclude = slices.Compact(out.Exclude)
	return out
}

func compareExclusions(a, b policy.Exclusion) int {
	return cmp.Or(cmp.Compare(a.Workload.String(), b.Workload.String()), cmp.Compare(cidrString(a), cidrString(b)))
}

func cidrString(e policy.Exclusion) string {
	if !e.CIDR.IsValid() {
		return ""
	}
	return e.CIDR.String()
}
