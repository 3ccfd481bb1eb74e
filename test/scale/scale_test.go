package scale

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

// Sizes and buckets come from the environment so a loaded machine can run
// a smaller set: SCALE_PODS (default 2000,10000,30000), SCALE_BUCKETS
// (default 2016, 14 days of 10 minutes), SCALE_REVIEWS (default 200).
func sizes(tb testing.TB) []int {
	var out []int
	for _, f := range strings.Split(envOr("SCALE_PODS", "2000,10000,30000"), ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 100 {
			tb.Fatalf("SCALE_PODS=%q: want a comma-separated list of pod counts, each at least 100", os.Getenv("SCALE_PODS"))
		}
		out = append(out, n)
	}
	return out
}

func envInt(tb testing.TB, name string, def int) int {
	n, err := strconv.Atoi(envOr(name, strconv.Itoa(def)))
	if err != nil || n < 1 {
		tb.Fatalf("%s=%q: want a positive number", name, os.Getenv(name))
	}
	return n
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// BenchmarkScale runs the server at each size and prints its figures, then
// each figure extrapolated to 150k pods. Run it with -benchtime 1x.
func BenchmarkScale(b *testing.B) {
	bin := buildServer(b)
	var runs []result
	for _, pods := range sizes(b) {
		b.Run(fmt.Sprintf("pods=%d", pods), func(b *testing.B) {
			for b.Loop() {
				r := runSize(b, bin, pods)
				runs = append(runs, r)
				r.report(b)
			}
		})
	}
	printExtrapolation(runs)
}

// runSize builds the world of one size and measures the server on it.
func runSize(b *testing.B, bin string, pods int) result {
	buckets, reviews := envInt(b, "SCALE_BUCKETS", 2016), envInt(b, "SCALE_REVIEWS", 200)
	cp := startControlPlane(b)
	c := newClient(b, cp.Config)
	w := newWorld(pods)
	r := result{pods: w.podCount(), workloads: len(w.workloads) + 1, buckets: buckets}
	r.create = w.create(b, c)
	cs := adminClientset(b, cp.Config)
	r.observerWatches, r.observerHeap = observeNode(b, cs, w.nodes[0])
	dir := filepath.Join(b.TempDir(), "store")
	begin := time.Now()
	r.flows, r.rollup = w.fillStore(b, dir, buckets)
	r.fill = time.Since(begin)
	r.storeBytes = du(b, dir)

	ca := testutil.NewCA(b, "netpol-advisor-scale-ca")
	pprofAddr, pprofArgs := profileArgs(b)
	s := newServer(b, bin, cp.Kubeconfig, dir, ca, append([]string{"--annotate-qps", "200", "--annotate-burst", "200"}, pprofArgs...)...)
	install(b, cp, c, s, ca)
	begin = time.Now()
	r.startup = s.start(b, 10*time.Minute)
	waitAvailable(b, cp)
	r.firstAnnotated = waitAnnotated(b, s, r.workloads, begin, 30*time.Minute)
	r.mismatchCold, r.mismatch = waitFullEvaluation(b, s, 15*time.Minute)

	viaAPI, bare := w.dryRuns(b, cs, reviews)
	r.webhookAPI, r.webhookAPIP50, r.apiBare = p99(viaAPI), quantile(viaAPI, 0.5), p99(bare)
	direct := w.direct(b, c, s, reviews)
	r.webhookDirect, r.webhookDirectP50 = p99(direct), quantile(direct, 0.5)
	r.topology = p99(w.topologies(b, cs, max(20, reviews/4)))
	mfs := s.scrape(b)
	r.rss, r.peakRSS, r.rssFile = s.rss(b)
	r.heap = sum(mfs, "go_memstats_heap_alloc_bytes", nil)
	r.handlerMean, r.handlerP99 = histogramFigures(mfs, "netpol_advisor_webhook_review_duration_seconds", map[string]string{"webhook": "validate"})
	if got := sum(mfs, "netpol_advisor_webhook_reviews_total", map[string]string{"webhook": "validate"}); got < float64(2*reviews) {
		b.Fatalf("the webhook answered %.0f NetworkPolicy reviews, want at least %d: the API server ignored it (failurePolicy Ignore)", got, 2*reviews)
	}
	w.profileReviews(b, c, s, pprofAddr, pods) // after the figures, which it would change
	s.stop(b)
	begin = time.Now()
	r.restart = s.start(b, 10*time.Minute)
	r.reannotated = waitAnnotated(b, s, r.workloads, begin, 30*time.Minute)
	return r
}

func adminClientset(tb testing.TB, cfg *rest.Config) kubernetes.Interface {
	cs, err := kubernetes.NewForConfig(fast(cfg))
	if err != nil {
		tb.Fatal(err)
	}
	return cs
}

// du is the bytes the files under dir take on disk.
func du(tb testing.TB, dir string) float64 {
	out, err := exec.Command("du", "-sb", dir).Output()
	if err != nil {
		tb.Fatalf("du %s: %v", dir, err)
	}
	n, err := strconv.ParseFloat(strings.Fields(string(out))[0], 64)
	if err != nil {
		tb.Fatalf("du %s: %q", dir, out)
	}
	return n
}
