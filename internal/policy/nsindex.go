package policy

import (
	"slices"

	"k8s.io/apimachinery/pkg/labels"
)

// nsIndex holds the policies of one namespace, indexed by one matchLabels
// pair of their podSelector, so finding the policies that select a pod
// costs a few map lookups rather than a match per policy.
type nsIndex struct {
	byLabel map[labelPair][]*compiled
	// keys are the distinct label keys of byLabel: a pod's candidates are
	// found by looking each up in its labels (a namespace's policies use
	// few keys; a pod carries more labels, and ranging over a map is
	// dearer than a lookup).
	keys []string
	rest []*compiled
}

func newNSIndex(policies []*compiled) *nsIndex {
	x := &nsIndex{byLabel: make(map[labelPair][]*compiled, len(policies))}
	for _, c := range policies {
		if k, ok := c.selector.indexKey(); ok {
			if !slices.Contains(x.keys, k.key) {
				x.keys = append(x.keys, k.key)
			}
			x.byLabel[k] = append(x.byLabel[k], c)
		} else if !c.selector.invalid {
			x.rest = append(x.rest, c)
		}
	}
	return x
}

// selecting returns the policies that select a pod with these labels, in
// input order.
func (x *nsIndex) selecting(podLabels map[string]string) []*compiled {
	if x == nil {
		return nil
	}
	var out []*compiled
	set := labels.Set(podLabels)
	for _, k := range x.keys {
		v, ok := podLabels[k]
		if !ok {
			continue
		}
		for _, c := range x.byLabel[labelPair{k, v}] {
			if c.keyOnly || c.selector.matches(set) {
				out = append(out, c)
			}
		}
	}
	for _, c := range x.rest {
		if c.selector.matches(set) {
			out = append(out, c)
		}
	}
	if len(out) > 1 {
		slices.SortFunc(out, func(a, b *compiled) int { return a.order - b.order })
	}
	return out
}
