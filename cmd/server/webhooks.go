package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
	ctrl "sigs.k8s.io/controller-runtime"
	crwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"

	"github.com/netpol-advisor/netpol-advisor/internal/health"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/store/badgerstore"
	"github.com/netpol-advisor/netpol-advisor/webhook"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
	"github.com/netpol-advisor/netpol-advisor/webhook/annotator"
	"github.com/netpol-advisor/netpol-advisor/webhook/certs"
	"github.com/netpol-advisor/netpol-advisor/webhook/workloads"
)

// webhookServer is the admission webhooks' HTTPS server (HTTP/1.1 only,
// requiring the API server's client certificate when configured); nil with
// the webhooks off (the manager then serves none).
func webhookServer(cfg WebhookConfig) (crwebhook.Server, error) {
	if cfg.Port == 0 {
		return nil, nil
	}
	return certs.NewServer(crwebhook.Options{Port: cfg.Port, CertDir: cfg.CertDir},
		certs.ClientAuth{CAFile: cfg.ClientCAFile, Names: cfg.ClientNames})
}

// setupWebhooks registers the admission webhooks, their certificate
// rotation, their readiness checks and the annotator with mgr, unless the
// webhooks are off. The advisor the webhooks share also serves the
// aggregated API's recommendations; with the webhooks off there is none.
func setupWebhooks(ctx context.Context, mgr ctrl.Manager, cfg WebhookConfig, baselines store.Reader, inv advice.Inventory, trigger *annotator.Trigger,
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
	opts := webhook.Options{Namespace: cfg.Namespace, Window: cfg.Window, MaxWarnings: cfg.MaxWarnings, AnnotateNamespaces: annotate,
		Annotator: annotator.Options{QPS: cfg.AnnotateQPS, Burst: cfg.AnnotateBurst, Trigger: trigger}}
	adv, err := webhook.Setup(mgr, opts, webhook.Deps{Baselines: baselines, Inventory: inv, Metrics: webhook.NewMetrics(reg)})
	if err != nil {
		return nil, err
	}
	log.Info("admission webhooks serving", "port", cfg.Port, "service", cfg.Namespace+"/"+cfg.Service, "configurations", cfg.Configuration,
		"clientCertificateRequired", cfg.ClientCAFile != "", "clientNames", cfg.ClientNames)
	return adv, nil
}

// The webhooks read the peers of a reviewed policy's workloads through the
// store's by-peer index, not by reading every baseline.
var _ advice.ReferencingBaselines = (*badgerstore.Store)(nil)
