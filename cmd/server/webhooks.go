package main

import (
	"context"
	"log/slog"

	ctrl "sigs.k8s.io/controller-runtime"
	crwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"

	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/webhook"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
	"github.com/netpol-advisor/netpol-advisor/webhook/certs"
	"github.com/netpol-advisor/netpol-advisor/webhook/config"
)

// webhookServer is the admission webhooks' HTTPS server; nil with the
// webhooks off (the manager then serves none).
func webhookServer(cfg WebhookConfig) crwebhook.Server {
	if cfg.Port == 0 {
		return nil
	}
	return crwebhook.NewServer(crwebhook.Options{Port: cfg.Port, CertDir: cfg.CertDir})
}

// setupWebhooks registers the admission webhooks, their certificate
// rotation and the annotator with mgr, unless the webhooks are off. The
// advisor the webhooks share also serves the aggregated API's
// recommendations; with the webhooks off there is none.
func setupWebhooks(ctx context.Context, mgr ctrl.Manager, cfg WebhookConfig, baselines store.Reader, inv advice.Inventory, log *slog.Logger) (*advice.Advisor, error) {
	if cfg.Port == 0 {
		log.Info("admission webhooks off (--webhook-port=0)")
		return nil, nil
	}
	err := webhook.SetupCerts(ctx, mgr, certs.Options{
		Namespace: cfg.Namespace, Service: cfg.Service, Secret: cfg.Service + "-tls", CertDir: cfg.CertDir, Webhooks: config.Name,
	})
	if err != nil {
		return nil, err
	}
	opts := webhook.Options{Namespace: cfg.Namespace, Window: cfg.Window, MaxWarnings: cfg.MaxWarnings}
	adv, err := webhook.Setup(mgr, opts, webhook.Deps{Baselines: baselines, Inventory: inv})
	if err != nil {
		return nil, err
	}
	log.Info("admission webhooks serving", "port", cfg.Port, "service", cfg.Namespace+"/"+cfg.Service)
	return adv, nil
}
