package webhook

import (
	"context"
	"fmt"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	"github.com/netpol-advisor/netpol-advisor/webhook/certs"
)

// SetupCerts writes the serving certificate into o.CertDir (which must be
// the manager's webhook server CertDir) before the manager starts, patches
// the CA into the webhook configurations named o.Webhooks, and adds the
// rotator that renews them to mgr. Call it before mgr.Start.
func SetupCerts(ctx context.Context, mgr manager.Manager, o certs.Options) error {
	c, err := client.New(mgr.GetConfig(), client.Options{Scheme: mgr.GetScheme()})
	if err != nil {
		return fmt.Errorf("webhook certificates: client: %w", err)
	}
	r := &certs.Rotator{Client: c, Options: o}
	if err := r.Ensure(ctx); err != nil {
		return fmt.Errorf("webhook certificates: %w", err)
	}
	if err := mgr.Add(r); err != nil {
		return fmt.Errorf("webhook certificates: add rotator: %w", err)
	}
	return nil
}
