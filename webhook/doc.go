// Package webhook wires netpol-advisor's admission webhooks and the
// annotator controller into a controller-runtime manager: Setup registers
// the Deployment annotation webhook (mutate), the NetworkPolicy warning
// webhook (validate) on the manager's webhook server, at the paths of the
// configurations in webhook/config, and the annotator controller.
//
// Baselines are read through advice.Baselines (store.Reader has it); the
// cluster through the manager's cache. This package never sees how
// baselines are stored.
package webhook
