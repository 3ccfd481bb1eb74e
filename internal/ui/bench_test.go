package ui_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/netpol-advisor/netpol-advisor/internal/ui"
)

const (
	benchNS      = "bench"
	benchPeers   = 300
	benchPorts   = 10 // edges per peer: 3,000 in all
	benchWindow  = "720h"
	benchHubName = "hub"
)

// benchCluster is a namespace with the hub and its peers as Deployments.
func benchCluster() string {
	objs := namespaces(benchNS) + workload("Deployment", benchNS, benchHubName)
	for i := 1; i <= benchPeers; i++ {
		objs += workload("Deployment", benchNS, fmt.Sprintf("peer-%03d", i))
	}
	return objs
}

// benchBaseline is the hub calling each peer on benchPorts ports.
func benchBaseline(now time.Time) string {
	var b strings.Builder
	b.WriteString("observer: bench\nseq: 1\nflows:\n")
	hub := benchNS + "/Deployment/" + benchHubName
	for i := 1; i <= benchPeers; i++ {
		for p := 0; p < benchPorts; p++ {
			b.WriteString(flowYAML(hub, "Egress", fmt.Sprintf("%s/Deployment/peer-%03d", benchNS, i), "", 8000+p, 10+i+p, now))
		}
	}
	return b.String()
}

// BenchmarkPage measures the page in headless Chromium with 300 workloads
// and 3,000 edges: how long until it is interactive (map drawn, tables
// rendered) after navigation, and how long a proposal change (one peer
// unticked or ticked again) takes to redraw the map and the tables.
// make bench-ui runs it.
func BenchmarkPage(b *testing.B) {
	f := serveFixture(b, benchCluster(), benchBaseline(time.Now()), benchNS)
	srv := f.srv
	for _, res := range []string{"baselines"} {
		start := time.Now()
		req, _ := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d/api/namespaces/%s/%s?window=%s", srv.Port(), benchNS, res, benchWindow), nil)
		req.Header.Set(ui.TokenHeader, tokenOf(srv.URL()))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		b.Logf("GET %s through the page's server: %d bytes in %v", res, n, time.Since(start).Round(time.Millisecond))
	}
	bctx := newBrowser(b, f.chrome)
	url := srv.URL() + "#ns=" + benchNS + "&w=Deployment/" + benchHubName + "&window=" + benchWindow

	eval := func(expr string) any {
		b.Helper()
		tctx, cancel := context.WithTimeout(bctx, 90*time.Second)
		defer cancel()
		v, err := chromedp.Run(tctx, chromedp.Evaluate[any](expr))
		if err != nil {
			b.Fatalf("%s: %v", expr, err)
		}
		return v
	}
	wait := func(expr string) {
		b.Helper()
		deadline := time.Now().Add(90 * time.Second)
		var err error
		for time.Now().Before(deadline) {
			// A poll started while the page loads loses its JavaScript
			// context: start it again.
			tctx, cancel := context.WithDeadline(bctx, deadline)
			_, err = chromedp.Run(tctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(time.Until(deadline))))
			cancel()
			if err == nil || !strings.Contains(err.Error(), "context with specified id") {
				break
			}
		}
		if err != nil {
			errText, _ := chromedp.Run(bctx, chromedp.Evaluate[string](`(document.getElementById('error')||{}).textContent||''`))
			b.Fatalf("wait for %s: %v (page error %q)", expr, err, errText)
		}
	}
	ready := `window.netpolUI && window.netpolUI.readyAt > 0 && document.getElementById('egress') && document.getElementById('egress').dataset.rows === '` +
		fmt.Sprint(benchPeers*benchPorts) + "'"

	var interactive, redraw []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tctx, cancel := context.WithTimeout(bctx, 90*time.Second)
		if err := chromedp.Do(tctx, chromedp.Navigate("about:blank"), chromedp.Navigate(url)); err != nil {
			cancel()
			b.Fatal(err)
		}
		cancel()
		wait(ready)
		interactive = append(interactive, eval(`window.netpolUI.readyAt`).(float64))
		for j, on := range []bool{false, true} {
			eval(fmt.Sprintf(`(() => { const i = document.querySelectorAll('#egress tbody tr')[%d].querySelector('input'); if (i.checked !== %t) i.click(); return 1 })()`, (i*benchPorts)%(benchPeers*benchPorts), on))
			want := j + 1
			wait(fmt.Sprintf(`window.netpolUI.redraws.length >= %d`, want))
			redraw = append(redraw, eval(fmt.Sprintf(`window.netpolUI.redraws[%d]`, j)).(float64))
		}
	}
	b.StopTimer()
	b.Logf("last load, ms after navigation: %v; drawing the map, ms: %v", eval(`JSON.stringify(window.netpolUI.marks)`), eval(`JSON.stringify(window.netpolUI.draw)`))
	nodes := eval(`window.netpolUI.cy.nodes().length`).(float64)
	edges := eval(`window.netpolUI.cy.edges().length`).(float64)
	b.ReportMetric(median(interactive), "ms-interactive")
	b.ReportMetric(median(redraw), "ms-redraw")
	b.Logf("%v nodes, %v edges: interactive in %.0f ms (median of %d, max %.0f); a proposal change redraws in %.0f ms (median of %d, max %.0f)",
		nodes, edges, median(interactive), len(interactive), slices.Max(interactive), median(redraw), len(redraw), slices.Max(redraw))
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
