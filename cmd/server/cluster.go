package main

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/netpol-advisor/netpol-advisor/internal/clustercache"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/health"
	"github.com/netpol-advisor/netpol-advisor/internal/inventory"
	"github.com/netpol-advisor/netpol-advisor/internal/mismatch"
	"github.com/netpol-advisor/netpol-advisor/internal/resolve"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
	"github.com/netpol-advisor/netpol-advisor/webhook/annotator"
)

// syncTimeout bounds the first list of every watched kind: past it the
// server is likely forbidden to list one of them.
const syncTimeout = 2 * time.Minute

// watchedKinds names what the server lists and watches, for the error
// that says which RBAC it needs.
const watchedKinds = "namespaces, nodes, pods, services, endpointslices, deployments, replicasets, statefulsets, daemonsets, jobs, cronjobs and networkpolicies"

// cluster is the server's view of the cluster: one controller-runtime
// manager whose single informer cache feeds the resolver, the inventory
// and the webhooks' controllers.
type cluster struct {
	index     *resolve.Index
	inventory *inventory.Index
	// advisor answers the webhooks and the aggregated API; nil with the
	// webhooks off.
	advisor *advice.Advisor
	// done yields the manager's exit error.
	done <-chan error
	// annotate hands the annotator the workloads of applied batches; nil
	// with the webhooks off.
	annotate *annotator.Trigger
}

// ingested tells the advisor's baseline cache and the annotator that the
// store applied flows (store.Notifying); nothing with the webhooks off.
func (c *cluster) ingested(flows []flow.Flow) {
	if c.advisor != nil {
		c.advisor.Ingested(flows)
	}
	if c.annotate != nil {
		c.annotate.Ingested(flows)
	}
}

// startCluster starts the manager (serving the webhooks unless they are
// off) in a goroutine of wg and waits until the resolver's and the
// inventory's informers have synced.
//
// add registers more runnables (the mismatch evaluation) over the shared
// inventory before the manager starts.
func startCluster(ctx context.Context, wg *sync.WaitGroup, cfg Config, rc *rest.Config, baselines store.Reader, probe *health.Probe,
	reg prometheus.Registerer, log *slog.Logger, add func(ctrl.Manager, mismatch.Inventory) error) (*cluster, error) {
	hooks, err := webhookServer(cfg.Webhook)
	if err != nil {
		return nil, err
	}
	mgr, err := ctrl.NewManager(rc, ctrl.Options{
		Logger: logr.FromSlogHandler(log.Handler()),
		Cache:  clustercache.Options(),
		// The server exports its own registry on --metrics-listen.
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		PprofBindAddress:       cmp.Or(cfg.PprofAddr, "0"),
		WebhookServer:          hooks,
	})
	if err != nil {
		return nil, fmt.Errorf("informer manager: %w", err)
	}
	idx := resolve.NewIndex(cfg.Grace, nil)
	nodeLocal := []netip.Addr{}
	if cfg.NodeLocalDNS.IsValid() {
		nodeLocal = append(nodeLocal, cfg.NodeLocalDNS)
	}
	idx.SetNodeLocalDNS(nodeLocal...)
	var cidrs []netip.Prefix
	for _, c := range cfg.PodCIDRs {
		cidrs = append(cidrs, netip.MustParsePrefix(c)) // validated
	}
	idx.SetPodCIDRs(cidrs...)
	resolved, err := idx.Register(ctx, clustercache.Informers{Cache: mgr.GetCache()})
	if err != nil {
		return nil, err
	}
	inv, err := clustercache.NewInventory(mgr, inventory.Options{Grace: cfg.Grace, NodeLocalDNS: cfg.NodeLocalDNS})
	if err != nil {
		return nil, err
	}
	var trigger *annotator.Trigger
	if cfg.Webhook.Port != 0 {
		trigger = &annotator.Trigger{}
	}
	adv, err := setupWebhooks(ctx, mgr, cfg.Webhook, baselines, inv, trigger, probe, reg, log)
	if err != nil {
		return nil, err
	}
	if err := add(mgr, inv); err != nil {
		return nil, err
	}
	errc := make(chan error, 1)
	wg.Go(func() { errc <- mgr.Start(ctx) })
	sctx, cancel := context.WithTimeout(ctx, syncTimeout)
	defer cancel()
	if !mgr.GetCache().WaitForCacheSync(sctx) {
		return nil, fmt.Errorf("informer caches did not sync within %s (%w): check that the server's ServiceAccount may list and watch %s",
			syncTimeout, context.Cause(sctx), watchedKinds)
	}
	if err := waitSynced(sctx, resolved); err != nil {
		return nil, err
	}
	return &cluster{index: idx, inventory: inv, advisor: adv, done: errc, annotate: trigger}, nil
}

// waitSynced waits until synced reports true or ctx ends.
func waitSynced(ctx context.Context, synced func() bool) error {
	err := wait.PollUntilContextCancel(ctx, 50*time.Millisecond, true, func(context.Context) (bool, error) { return synced(), nil })
	if err != nil {
		return fmt.Errorf("resolver informers did not sync: %w", err)
	}
	return nil
}
