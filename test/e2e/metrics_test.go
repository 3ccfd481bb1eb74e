package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

// scrape reads a /metrics endpoint as Prometheus would.
func scrape(url string) (map[string]*dto.MetricFamily, error) {
	hc := &http.Client{Timeout: 10 * time.Second}
	resp, err := hc.Get(url)
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("scrape %s: %s", url, resp.Status)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	mfs, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("parse the exposition of %s: %w", url, err)
	}
	return mfs, nil
}

// checkExposition runs the real promtool over what a process exposes and
// checks the families want are there.
func checkExposition(t *testing.T, url string, want ...string) map[string]*dto.MetricFamily {
	t.Helper()
	mfs, err := scrape(url)
	if err != nil {
		t.Fatal(err)
	}
	testutil.Promtool(t, gatherer(mfs))
	for _, name := range want {
		if mfs[name] == nil {
			t.Errorf("%s exposes no %s", url, name)
		}
	}
	return mfs
}

// gatherer serves scraped families, sorted by name, as a Gatherer.
func gatherer(mfs map[string]*dto.MetricFamily) prometheus.Gatherer {
	return prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
		out := make([]*dto.MetricFamily, 0, len(mfs))
		for _, mf := range mfs {
			out = append(out, mf)
		}
		slices.SortFunc(out, func(a, b *dto.MetricFamily) int { return strings.Compare(a.GetName(), b.GetName()) })
		return out, nil
	})
}

// counter returns the value of the sample of family name whose labels
// include all of labels (name, value pairs); -1 when there is none.
func counter(mfs map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	mf := mfs[name]
	if mf == nil {
		return -1
	}
	for _, m := range mf.GetMetric() {
		if hasLabels(m, labels) {
			return m.GetCounter().GetValue()
		}
	}
	return -1
}

func hasLabels(m *dto.Metric, labels []string) bool {
	for i := 0; i+1 < len(labels); i += 2 {
		found := false
		for _, lp := range m.GetLabel() {
			found = found || (lp.GetName() == labels[i] && lp.GetValue() == labels[i+1])
		}
		if !found {
			return false
		}
	}
	return true
}
