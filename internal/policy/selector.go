package policy

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// selector matches labels with a metav1.LabelSelector as apimachinery's
// labels.Selector does (In/Equals need the key, NotIn and DoesNotExist match
// a missing key), without building one: Check compiles thousands of
// policies per call and LabelSelectorAsSelector validates every key and
// value with regular expressions. Syntax is the API server's job; a
// structurally invalid selector (unknown operator, In without values,
// Exists with values) matches nothing, as the API server would have
// rejected its policy. The differential test compares it with
// apimachinery.
type selector struct {
	ls      *metav1.LabelSelector
	invalid bool
	// pairs are ls.MatchLabels as a slice: ranging over a map costs more
	// than matching its pairs.
	pairs []labelPair
}

func newSelector(ls *metav1.LabelSelector) selector {
	s := selector{ls: ls}
	if ls == nil {
		return s
	}
	if len(ls.MatchLabels) > 0 {
		s.pairs = make([]labelPair, 0, len(ls.MatchLabels))
		for k, v := range ls.MatchLabels {
			s.pairs = append(s.pairs, labelPair{k, v})
		}
	}
	for _, e := range ls.MatchExpressions {
		switch e.Operator {
		case metav1.LabelSelectorOpIn, metav1.LabelSelectorOpNotIn:
			s.invalid = s.invalid || len(e.Values) == 0
		case metav1.LabelSelectorOpExists, metav1.LabelSelectorOpDoesNotExist:
			s.invalid = s.invalid || len(e.Values) != 0
		default:
			s.invalid = true
		}
	}
	return s
}

// present reports whether the selector was set (a nil peer selector is
// absent, which is not the same as empty).
func (s selector) present() bool { return s.ls != nil }

// matches reports whether the labels satisfy every requirement. An empty
// selector matches everything.
func (s selector) matches(l labels.Labels) bool { return selectorMatches(s, l) }

// selectorMatches is matches for any labels type: a namespace's nsLabels
// passed as labels.Labels would be allocated at every peer match.
func selectorMatches[L labels.Labels](s selector, l L) bool {
	if s.invalid || s.ls == nil {
		return false
	}
	for _, p := range s.pairs {
		if got, ok := l.Lookup(p.key); !ok || got != p.value {
			return false
		}
	}
	for i := range s.ls.MatchExpressions {
		if !matchesExpression(&s.ls.MatchExpressions[i], l) {
			return false
		}
	}
	return true
}

func matchesExpression[L labels.Labels](e *metav1.LabelSelectorRequirement, l L) bool {
	v, ok := l.Lookup(e.Key)
	switch e.Operator {
	case metav1.LabelSelectorOpIn:
		return ok && contains(e.Values, v)
	case metav1.LabelSelectorOpNotIn:
		return !ok || !contains(e.Values, v)
	case metav1.LabelSelectorOpExists:
		return ok
	case metav1.LabelSelectorOpDoesNotExist:
		return !ok
	}
	return false
}

func contains(values []string, v string) bool {
	for _, x := range values {
		if x == v {
			return true
		}
	}
	return false
}

// indexKey is the matchLabels pair a selector is indexed under (its
// smallest key), so a pod's candidate policies are found by its labels.
func (s selector) indexKey() (labelPair, bool) {
	if s.ls == nil || s.invalid || len(s.ls.MatchLabels) == 0 {
		return labelPair{}, false
	}
	first := true
	var best labelPair
	for k, v := range s.ls.MatchLabels {
		if first || k < best.key {
			best, first = labelPair{k, v}, false
		}
	}
	return best, true
}

type labelPair struct{ key, value string }
