package scale

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// result is what one size measured.
type result struct {
	pods, workloads, buckets, flows int
	create, fill, rollup            time.Duration
	startup, restart                time.Duration
	firstAnnotated, reannotated     time.Duration
	mismatchCold, mismatch          time.Duration
	webhookAPI, webhookDirect       time.Duration
	webhookDirectP50, webhookAPIP50 time.Duration
	apiBare                         time.Duration // dry-runs the webhook skips
	// handlerMean, handlerP99: the server's own time per validate review
	// (its duration histogram: the mean, and the upper bound of the
	// bucket holding the 99th percentile), without the client's share.
	handlerMean, handlerP99 time.Duration
	topology                time.Duration
	rss, peakRSS, rssFile   float64
	heap, storeBytes        float64
	observerWatches         int
	observerHeap            float64 // MiB
}

// figure is one printed figure: its name, unit and value in a result.
type figure struct {
	name, unit string
	of         func(r result) float64
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 }

var figures = []figure{
	{"server-rss", "MiB", func(r result) float64 { return r.rss / (1 << 20) }},
	{"server-peak-rss", "MiB", func(r result) float64 { return r.peakRSS / (1 << 20) }},
	{"server-rss-mapped-files", "MiB", func(r result) float64 { return r.rssFile / (1 << 20) }},
	{"server-heap", "MiB", func(r result) float64 { return r.heap / (1 << 20) }},
	{"startup-until-ready", "s", func(r result) float64 { return r.startup.Seconds() }},
	{"restart-until-ready", "s", func(r result) float64 { return r.restart.Seconds() }},
	{"webhook-p99-through-apiserver", "ms", func(r result) float64 { return ms(r.webhookAPI) }},
	{"webhook-p50-through-apiserver", "ms", func(r result) float64 { return ms(r.webhookAPIP50) }},
	{"apiserver-p99-without-webhook", "ms", func(r result) float64 { return ms(r.apiBare) }},
	{"webhook-p99-direct", "ms", func(r result) float64 { return ms(r.webhookDirect) }},
	{"webhook-p50-direct", "ms", func(r result) float64 { return ms(r.webhookDirectP50) }},
	{"webhook-handler-mean", "ms", func(r result) float64 { return ms(r.handlerMean) }},
	{"webhook-handler-p99-bucket", "ms", func(r result) float64 { return ms(r.handlerP99) }},
	{"mismatch-first-full-evaluation", "ms", func(r result) float64 { return ms(r.mismatchCold) }},
	{"mismatch-full-evaluation", "ms", func(r result) float64 { return ms(r.mismatch) }},
	{"read-api-namespace-topology-p99", "ms", func(r result) float64 { return ms(r.topology) }},
	{"store-on-disk", "MiB", func(r result) float64 { return r.storeBytes / (1 << 20) }},
	{"annotator-first-converge", "s", func(r result) float64 { return r.firstAnnotated.Seconds() }},
	{"annotator-converge-after-restart", "s", func(r result) float64 { return r.reannotated.Seconds() }},
	{"observer-watches", "", func(r result) float64 { return float64(r.observerWatches) }},
	{"observer-index-heap", "MiB", func(r result) float64 { return r.observerHeap }},
}

func (r result) report(b *testing.B) {
	for _, f := range figures {
		b.ReportMetric(f.of(r), strings.TrimSuffix(f.name+"-"+f.unit, "-"))
	}
	b.Logf("%d pods, %d workloads, %d buckets, %d flows written in %s (of which the rollup and compaction %s); objects created in %s",
		r.pods, r.workloads, r.buckets, r.flows, r.fill.Round(time.Second), r.rollup.Round(time.Second), r.create.Round(time.Second))
}

// targetPods is the largest cluster: 150k pods on 5,000 nodes.
const targetPods = 150000

// printExtrapolation prints one line per figure at targetPods, from a
// least-squares line through the sizes that ran (value = a + b·pods).
func printExtrapolation(runs []result) {
	if len(runs) < 2 {
		fmt.Println("extrapolation: needs at least two sizes")
		return
	}
	fmt.Printf("extrapolation to %d pods / %d nodes: least-squares line value = a + b*pods through %d sizes\n", targetPods, targetPods/podsPerNode, len(runs))
	for _, f := range figures {
		a, slope := fit(runs, f.of)
		if slope <= 0 {
			// Noise on a flat figure would extrapolate to nonsense.
			fmt.Printf("  %-34s %10.1f %-3s (no growth with size measured: the largest size's value)\n", f.name, f.of(runs[len(runs)-1]), f.unit)
			continue
		}
		fmt.Printf("  %-34s %10.1f %-3s (a=%.3g, b=%.3g per 1k pods)\n", f.name, a+slope*targetPods, f.unit, a, slope*1000)
	}
}

func fit(runs []result, of func(result) float64) (a, b float64) {
	var sx, sy, sxx, sxy float64
	n := float64(len(runs))
	for _, r := range runs {
		x, y := float64(r.pods), of(r)
		sx, sy, sxx, sxy = sx+x, sy+y, sxx+x*x, sxy+x*y
	}
	b = (n*sxy - sx*sy) / (n*sxx - sx*sx)
	return (sy - b*sx) / n, b
}
