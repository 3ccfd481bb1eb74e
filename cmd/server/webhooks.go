package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	crwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"

	"github.com/netpol-advisor/netpol-advisor/internal/health"
	"github.com/netpol-advisor/netpol-advisor/internal/inventory"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/webhook"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
	"github.com/netpol-advisor/netpol-advisor/webhook/certs"
	"github.com/netpol-advisor/netpol-advisor/webhook/workloads"
)

// startManager starts a controller-runtime manager until ctx ends, in a
// goroutine of wg. Its informer cache is the inventory the webhooks and the
// mismatch evaluation share; it runs the webhooks and the annotator (when
// cfg.Webhook.Port is not 0) and the runnables add adds. The channel yields
// the manager's exit error; the advisor the webhooks share (nil with the
// webhooks off) also serves the aggregated API's recommendations.
func startManager(ctx context.Context, wg *sync.WaitGroup, cfg Config, rc *rest.Config, baselines store.Reader, probe *health.Probe,
	reg prometheus.Registerer, log *slog.Logger, add func(ctrl.Manager, *inventory.Cached) error) (<-chan error, *advice.Advisor, error) {
	opts := ctrl.Options{
		Logger: logr.FromSlogHandler(log.Handler()),
		// controller-runtime's registry is served on the server's own
		// --metrics-listen (metricsRegistry), not on a second port.
		Metrics: metricsserver.Options{BindAddress: "0"},
	}
	if cfg.Webhook.Port != 0 {
		srv, err := certs.NewServer(crwebhook.Options{Port: cfg.Webhook.Port, CertDir: cfg.Webhook.CertDir},
			certs.ClientAuth{CAFile: cfg.Webhook.ClientCAFile, Names: cfg.Webhook.ClientNames})
		if err != nil {
			return nil, nil, err
		}
		opts.WebhookServer = srv
	}
	mgr, err := ctrl.NewManager(rc, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("controller manager: %w", err)
	}
	inv := &inventory.Cached{Reader: mgr.GetClient()}
	adv, err := startWebhooks(ctx, mgr, cfg.Webhook, baselines, inv, probe, reg, log)
	if err != nil {
		return nil, nil, err
	}
	if err := add(mgr, inv); err != nil {
		return nil, nil, err
	}
	errc := make(chan error, 1)
	wg.Go(func() { errc <- mgr.Start(ctx) })
	return errc, adv, nil
}

// startWebhooks registers the admission webhooks and the annotator with
// mgr, and their readiness checks with probe, and returns the advisor they
// share; with the webhooks off it does nothing and returns nil.
func startWebhooks(ctx context.Context, mgr ctrl.Manager, cfg WebhookConfig, baselines store.Reader, inv *inventory.Cached,
	probe *health.Probe, reg prometheus.Registerer, log *slog.Logger) (*advice.Advisor, error) {
	if cfg.Port == 0 {
		log.Info("admission webhooks off (--webhook-port=0)")
		return nil, nil
	}
	certOpts := certs.Options{
		Namespace: cfg.Namespace, Service: cfg.Service, Secret: cfg.Service + "-tls", CertDir: cfg.CertDir, Webhooks: cfg.Configuration,
	}
	if err := webhook.SetupCerts(ctx, mgr, certOpts); err != nil {
		return nil, err
	}
	if err := addWebhookChecks(probe, mgr, certOpts); err != nil {
		return nil, err
	}
	annotate, err := workloads.ParseSelector(cfg.AnnotateNamespaces)
	if err != nil {
		return nil, fmt.Errorf("--annotate-namespace-selector: %w", err)
	}
	opts := webhook.Options{Namespace: cfg.Namespace, Window: cfg.Window, MaxWarnings: cfg.MaxWarnings, AnnotateNamespaces: annotate}
	adv, err := webhook.Setup(mgr, opts, webhook.Deps{Baselines: baselines, Inventory: inv, Metrics: webhook.NewMetrics(reg)})
	if err != nil {
		return nil, err
	}
	log.Info("admission webhooks serving", "port", cfg.Port, "service", cfg.Namespace+"/"+cfg.Service, "configurations", cfg.Configuration,
		"clientCertificateRequired", cfg.ClientCAFile != "", "clientNames", cfg.ClientNames)
	return adv, nil
}
