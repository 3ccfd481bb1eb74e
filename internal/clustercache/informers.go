package clustercache

import (
	"context"
	"fmt"

	"k8s.io/client-go/rest"

	crcache "sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	"github.com/netpol-advisor/netpol-advisor/internal/inventory"
	"github.com/netpol-advisor/netpol-advisor/internal/resolve"
)

// Informers hands out the informers of a controller-runtime cache.
type Informers struct{ Cache crcache.Informers }

var _ resolve.Informers = Informers{}

// Informer implements resolve.Informers.
func (i Informers) Informer(ctx context.Context, obj client.Object) (resolve.Informer, error) {
	return i.Cache.GetInformer(ctx, obj)
}

// NewInventory returns an inventory fed by mgr's cache, reading what
// reviews need fresh from the API server directly. Call it before mgr
// starts; the inventory stops with mgr.
func NewInventory(mgr manager.Manager, o inventory.Options) (*inventory.Index, error) {
	if o.Live == nil {
		live, err := liveReader(mgr)
		if err != nil {
			return nil, err
		}
		o.Live = live
	}
	x := inventory.NewIndex(o)
	ctx, cancel := context.WithCancel(context.Background())
	if err := mgr.Add(manager.RunnableFunc(func(stop context.Context) error {
		<-stop.Done()
		cancel()
		return nil
	})); err != nil {
		cancel()
		return nil, err
	}
	if err := x.Register(ctx, Informers{Cache: mgr.GetCache()}); err != nil {
		cancel()
		return nil, err
	}
	return x, nil
}

// liveReader reads the API server without a cache and without a
// client-side rate limit: a review makes a few reads, a CI job applying a
// directory of policies many reviews a second, and client-go's default of
// 5 requests a second would queue them past the webhook's timeout. The
// API server's priority and fairness bounds the load instead.
func liveReader(mgr manager.Manager) (client.Reader, error) {
	cfg := rest.CopyConfig(mgr.GetConfig())
	cfg.QPS, cfg.Burst, cfg.RateLimiter = -1, 0, nil
	c, err := client.New(cfg, client.Options{Scheme: mgr.GetScheme(), Mapper: mgr.GetRESTMapper()})
	if err != nil {
		return nil, fmt.Errorf("client for fresh reads: %w", err)
	}
	return c, nil
}
