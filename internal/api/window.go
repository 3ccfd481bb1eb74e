package api

import (
	"fmt"
	"net/url"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// parseWindow reads the window of a query: since=<duration> (e.g. 3h), or
// from= and to= as RFC 3339 times; nothing means everything kept.
func parseWindow(q url.Values, now time.Time) (flow.Window, error) {
	var w flow.Window
	if s := q.Get("since"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return w, fmt.Errorf("since=%q: want a positive duration such as 3h", s)
		}
		if q.Has("from") {
			return w, fmt.Errorf("give since or from, not both")
		}
		w.From = now.Add(-d)
	}
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"from", &w.From}, {"to", &w.To}} {
		if s := q.Get(p.name); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return w, fmt.Errorf("%s=%q: want an RFC 3339 time such as 2026-11-23T00:00:00Z", p.name, s)
			}
			*p.t = t
		}
	}
	if !w.From.IsZero() && !w.To.IsZero() && !w.From.Before(w.To) {
		return w, fmt.Errorf("from must be before to")
	}
	return w, nil
}
