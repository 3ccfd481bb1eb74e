// Package webhook wires netpol-advisor's admission webhooks and the
// annotator controller into a controller-runtime manager: Setup registers
// the workload annotation webhook (mutate) and the NetworkPolicy warning
// webhook (validate) on the manager's webhook server, at the paths of the
// configurations in webhook/config, and the annotator controller;
// SetupCerts keeps the serving certificate and the configurations' caBundle.
//
// Baselines are read through advice.Baselines (store.Reader has it); the
// cluster through the manager's cache. This package never sees how
// baselines are stored.
//
// Wiring, in the server command:
//
//	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
//		WebhookServer: crwebhook.NewServer(crwebhook.Options{Port: 9443, CertDir: dir}),
//	})
//	err = webhook.SetupCerts(ctx, mgr, certs.Options{Namespace: ns, Service: svc,
//		CertDir: dir, Webhooks: config.Name})
//	_, err = webhook.Setup(mgr, webhook.Options{Namespace: ns}, webhook.Deps{Baselines: store})
//	err = mgr.Start(ctx)
//
// The configurations themselves are installed by the chart
// (charts/netpol-advisor/templates/webhooks.yaml); the server only patches
// their caBundle. The server's RBAC needs: list and watch
// namespaces, pods, services, endpointslices, deployments, replicasets,
// statefulsets, daemonsets, jobs, cronjobs and networkpolicies; patch
// (server-side apply, field manager netpol-advisor-annotator) deployments,
// statefulsets, daemonsets, replicasets, jobs, cronjobs and pods, in the
// namespaces annotated (--annotate-namespace-selector); get, create and update Secrets in its namespace; get and
// update the two webhook configurations named config.Name.
package webhook
