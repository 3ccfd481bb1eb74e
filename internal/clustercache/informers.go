package clustercache

import (
	"context"

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
// reviews need fresh through mgr's API reader. Call it before mgr starts;
// the inventory stops with mgr.
func NewInventory(mgr manager.Manager, o inventory.Options) (*inventory.Index, error) {
	if o.Live == nil {
		o.Live = mgr.GetAPIReader()
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
