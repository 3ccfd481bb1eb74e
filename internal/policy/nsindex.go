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
	if only, ok := x.single(podLabels); ok {
		return only
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

// single is the answer without allocating when it is one bucket of
// policies selected by their key alone (a namespace's policies per app, as
// most are): the bucket itself, in input order, capped so that no append
// writes into the index. ok is false when matching is needed.
func (x *nsIndex) single(podLabels map[string]string) (only []*compiled, ok bool) {
	if len(x.rest) > 0 {
		return nil, false
	}
	for _, k := range x.keys {
		v, has := podLabels[k]
		if !has {
			continue
		}
		if b := x.byLabel[labelPair{k, v}]; len(b) > 0 {
			if only != nil {
				return nil, false
			}
			only = b[:len(b):len(b)]
		}
	}
	for _, c := range only {
		if !c.keyOnly {
			return nil, false
		}
	}
	return only, true
}
