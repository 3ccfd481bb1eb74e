package apiserver

import (
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/selection"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// query is what a list's field selector asks for: a window and, with
// metadata.name, one object.
type query struct {
	window flow.Window
	name   string
}

// parseQuery reads the field selector; def is the window when none is
// given (zero: everything the store keeps).
func parseQuery(sel fields.Selector, now time.Time, def time.Duration) (query, error) {
	var q query
	if def > 0 {
		q.window.From = now.Add(-def)
	}
	if sel == nil || sel.Empty() {
		return q, nil
	}
	for _, r := range sel.Requirements() {
		if r.Operator != selection.Equals && r.Operator != selection.DoubleEquals {
			return query{}, fmt.Errorf("field selector %s: only = is supported", r.Field)
		}
		if err := q.set(r.Field, r.Value, now); err != nil {
			return query{}, err
		}
	}
	if !q.window.From.IsZero() && !q.window.To.IsZero() && !q.window.From.Before(q.window.To) {
		return query{}, fmt.Errorf("the window is empty: since %s is not before until %s",
			q.window.From.Format(time.RFC3339), q.window.To.Format(time.RFC3339))
	}
	return q, nil
}

func (q *query) set(field, value string, now time.Time) error {
	switch field {
	case fieldWindow:
		d, err := time.ParseDuration(value)
		if err != nil || d <= 0 {
			return fmt.Errorf("window=%q: want a positive duration such as 3h or 90m", value)
		}
		q.window.From = now.Add(-d)
	case fieldSince, fieldUntil:
		t, err := time.Parse(time.RFC3339, value)
		if err != nil {
			return fmt.Errorf("%s=%q: want an RFC 3339 time such as 2026-11-30T09:00:00Z", field, value)
		}
		if field == fieldSince {
			q.window.From = t
		} else {
			q.window.To = t
		}
	case "metadata.name":
		q.name = value
	}
	return nil
}
