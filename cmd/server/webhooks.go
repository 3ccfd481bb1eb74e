package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/go-logr/logr"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	crwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"

	"github.com/netpol-advisor/netpol-advisor/internal/health"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/webhook"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
	"github.com/netpol-advisor/netpol-advisor/webhook/certs"
	"github.com/netpol-advisor/netpol-advisor/webhook/workloads"
)

// startWebhooks serves the admission webhooks and runs the annotator from a
// controller-runtime manager until ctx ends, in a goroutine of wg. The
// returned channel yields the manager's exit error; the advisor the
// webhooks share also serves the aggregated API's recommendations. With the
// webhooks off it returns a nil channel, which never yields, and no advisor.
func startWebhooks(ctx context.Context, wg *sync.WaitGroup, cfg WebhookConfig, rc *rest.Config, baselines store.Reader, probe *health.Probe, log *slog.Logger) (<-chan error, *advice.Advisor, error) {
	if cfg.Port == 0 {
		log.Info("admission webhooks off (--webhook-port=0)")
		return nil, nil, nil
	}
	mgr, err := ctrl.NewManager(rc, ctrl.Options{
		Logger: logr.FromSlogHandler(log.Handler()),
		// The server exports its own registry on --metrics-listen.
		Metrics:       metricsserver.Options{BindAddress: "0"},
		WebhookServer: crwebhook.NewServer(crwebhook.Options{Port: cfg.Port, CertDir: cfg.CertDir}),
	})
	if err != nil {
		return nil, nil, fmt.Errorf("webhook manager: %w", err)
	}
	certOpts := certs.Options{
		Namespace: cfg.Namespace, Service: cfg.Service, Secret: cfg.Service + "-tls", CertDir: cfg.CertDir, Webhooks: cfg.Configuration,
	}
	if err := webhook.SetupCerts(ctx, mgr, certOpts); err != nil {
		return nil, nil, err
	}
	if err := addWebhookChecks(probe, mgr, certOpts); err != nil {
		return nil, nil, err
	}
	annotate, err := workloads.ParseSelector(cfg.AnnotateNamespaces)
	if err != nil {
		return nil, nil, fmt.Errorf("--annotate-namespace-selector: %w", err)
	}
	opts := webhook.Options{Namespace: cfg.Namespace, Window: cfg.Window, MaxWarnings: cfg.MaxWarnings, AnnotateNamespaces: annotate}
	adv, err := webhook.Setup(mgr, opts, webhook.Deps{Baselines: baselines})
	if err != nil {
		return nil, nil, err
	}
	errc := make(chan error, 1)
	wg.Go(func() { errc <- mgr.Start(ctx) })
	log.Info("admission webhooks serving", "port", cfg.Port, "service", cfg.Namespace+"/"+cfg.Service, "configurations", cfg.Configuration)
	return errc, adv, nil
}
