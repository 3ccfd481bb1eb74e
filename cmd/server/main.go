// Command server is netpol-advisor's cluster-wide server: it receives the
// observers' batches, resolves them to Kubernetes names, keeps baselines in
// Badger and serves them through the read API.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/pflag"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	ctrl "sigs.k8s.io/controller-runtime"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/netpol-advisor/netpol-advisor/internal/api"
	"github.com/netpol-advisor/netpol-advisor/internal/health"
	"github.com/netpol-advisor/netpol-advisor/internal/metricsserver"
	"github.com/netpol-advisor/netpol-advisor/internal/mismatch"
	"github.com/netpol-advisor/netpol-advisor/internal/resolve"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/store/badgerstore"
	"github.com/netpol-advisor/netpol-advisor/internal/transport"
)

func main() { os.Exit(run()) }

func run() int {
	if len(os.Args) > 1 && os.Args[1] == "version" {
		printVersion(os.Stdout)
		return 0
	}
	cfg := DefaultConfig()
	fs := pflag.NewFlagSet("server", pflag.ContinueOnError)
	cfg.AddFlags(fs)
	showVersion := fs.Bool("version", false, "print the version and commit, and exit")
	if err := fs.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *showVersion {
		printVersion(os.Stdout)
		return 0
	}
	level := slog.LevelInfo
	if cfg.Debug {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	if err := cfg.Validate(); err != nil {
		log.Error("invalid configuration", "err", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := serve(ctx, cfg, log); err != nil {
		log.Error("server stopped", "err", err)
		return 1
	}
	return 0
}

// serve wires the store, the resolver, the ingest and the read API, and
// serves until ctx ends.
func serve(ctx context.Context, cfg Config, log *slog.Logger) error {
	rc, cs, err := clientset(cfg.Kubeconfig)
	if err != nil {
		return err
	}
	st, err := badgerstore.Open(cfg.DataDir, badgerstore.Options{Bucket: cfg.Bucket, SyncWrites: cfg.SyncWrites, Logger: log, SequenceTTL: cfg.Retention,
		Rollups: cfg.Store.Rollups, Memory: cfg.Store.memory()})
	if err != nil {
		return err
	}
	// Everything that reads or writes the store stops before it closes,
	// whichever way serve returns.
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
		if err := st.Close(); err != nil {
			log.Error("close the baseline store", "err", err)
		}
	}()
	// The Go and process collectors come with controller-runtime's
	// registry, served beside this one (metricsRegistry).
	reg := prometheus.NewRegistry()
	reg.MustRegister(storeSize(st))
	// startCluster returns once the informers have synced. Readiness also
	// waits for the store and, with webhooks on, their certificate.
	probe := health.New(health.Options{})
	probe.Add("store", storeReady(st))
	var ev *mismatch.Evaluator
	cl, err := startCluster(ctx, &wg, cfg, rc, st, probe, reg, log, func(mgr ctrl.Manager, inv mismatch.Inventory) (err error) {
		ev, err = runEvaluator(mgr, inv, cfg, st, reg, log)
		return err
	})
	if err != nil {
		return err
	}
	idx, hooks := cl.index, cl.done
	apic, err := startAggregatedAPI(ctx, &wg, cfg, st, cl.advisor, log)
	if err != nil {
		return err
	}
	wg.Go(func() { probe.Run(ctx) })
	// Applied batches reach the mismatch evaluation, the advisor's cache
	// and the annotator.
	w := store.Notifying{Writer: mismatch.NewWriter(st, ev, reg), Applied: cl.ingested}
	mux := routes(cfg, cs, idx, w, st, reg, log)
	probe.Routes(mux)
	wg.Go(func() { expire(ctx, st, cfg, log) })
	if cfg.MetricsAddr != "" {
		if err := metricsserver.Start(ctx, cfg.MetricsAddr, metricsRegistry(reg), log); err != nil {
			return err
		}
	}
	tc, err := ingestTLS(cfg, log)
	if err != nil {
		return err
	}
	srv := &http.Server{Addr: cfg.Listen, Handler: mux, TLSConfig: tc, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServeTLS("", "") }()
	log.Info("server listening", "addr", cfg.Listen, "data", cfg.DataDir, "bucket", cfg.Bucket, "retention", cfg.Retention)
	select {
	case err := <-errc:
		return fmt.Errorf("serve HTTPS on %s: %w", cfg.Listen, err)
	case err := <-hooks:
		return fmt.Errorf("controller manager (inventory, webhooks, mismatch evaluation): %w", err)
	case err := <-apic:
		return fmt.Errorf("aggregated API: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shut down: %w", err)
	}
	return nil
}

// routes serves the ingest and the read API.
func routes(cfg Config, cs kubernetes.Interface, idx *resolve.Index, w store.Writer, st *badgerstore.Store, reg prometheus.Registerer, log *slog.Logger) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("POST "+transport.BatchPath, ingestHandler(cfg, cs, idx, w, reg, log))
	// People's tokens carry the API server's audience, not the observers'.
	auth := transport.NewTokenReviewer(cs, time.Minute)
	(&api.Handler{Auth: auth, Authz: api.NewAccessReviewer(cs, time.Minute), Reader: st, Logger: log}).Routes(mux)
	return mux
}

// expire rolls up old buckets and applies the retention at start (a store
// of an older schema is rolled up then) and every bucket (at most hourly).
func expire(ctx context.Context, st *badgerstore.Store, cfg Config, log *slog.Logger) {
	t := time.NewTicker(min(cfg.Bucket, time.Hour))
	defer t.Stop()
	for now := time.Now(); ; {
		if n, err := st.Rollup(ctx, now); err != nil {
			log.Error("roll up old baselines", "err", err)
		} else if n > 0 {
			log.Info("rolled up old baselines", "rows", n)
		}
		n, err := st.Expire(ctx, now.Add(-cfg.Retention))
		if err != nil {
			log.Error("expire old baselines", "err", err)
		} else if n > 0 {
			log.Info("expired old baselines", "rows", n)
		}
		select {
		case <-ctx.Done():
			return
		case now = <-t.C:
		}
	}
}

func clientset(kubeconfig string) (*rest.Config, *kubernetes.Clientset, error) {
	var rc *rest.Config
	var err error
	if kubeconfig != "" {
		rc, err = clientcmd.BuildConfigFromFlags("", kubeconfig)
	} else {
		rc, err = rest.InClusterConfig()
	}
	if err != nil {
		return nil, nil, fmt.Errorf("kubernetes configuration (pass --kubeconfig outside a cluster): %w", err)
	}
	cs, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return nil, nil, fmt.Errorf("kubernetes client: %w", err)
	}
	return rc, cs, nil
}

// metricsRegistry is what /metrics serves: the server's own registry and
// controller-runtime's (its webhook, controller, workqueue and client
// metrics; the annotator's lag is its workqueue's queue duration).
func metricsRegistry(own prometheus.Gatherer) prometheus.Gatherer {
	return prometheus.Gatherers{own, ctrlmetrics.Registry}
}

// storeSize exports the baseline store's size on disk, read at scrape time.
func storeSize(st *badgerstore.Store) prometheus.Collector {
	return prometheus.CollectorFunc(func(ch chan<- prometheus.Metric) {
		lsm, vlog := st.Size()
		ch <- prometheus.MustNewConstMetric(storeSizeDesc, prometheus.GaugeValue, float64(lsm), "lsm")
		ch <- prometheus.MustNewConstMetric(storeSizeDesc, prometheus.GaugeValue, float64(vlog), "vlog")
	})
}

var storeSizeDesc = prometheus.NewDesc("netpol_advisor_store_size_bytes",
	"Bytes the baseline store holds on disk, by part (lsm: keys and small rows, vlog: the value log), as Badger last measured them.", []string{"part"}, nil)
