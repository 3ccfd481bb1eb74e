package resolve

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Informer is what Register needs of a shared informer: client-go's
// SharedIndexInformer and controller-runtime's cache.Informer have it.
type Informer interface {
	AddEventHandler(h cache.ResourceEventHandler) (cache.ResourceEventHandlerRegistration, error)
	HasSynced() bool
}

// Informers hands out the shared informer of an object's kind, so that
// the resolver, the inventory and the webhooks' controllers of one server
// share one cache of each kind.
type Informers interface {
	Informer(ctx context.Context, obj client.Object) (Informer, error)
}

// Watched is one kind to watch and its handler.
type Watched struct {
	Obj     client.Object
	Handler cache.ResourceEventHandler
}

// RegisterAll adds each handler to its kind's informer from src and
// returns a function reporting whether all of them have synced.
func RegisterAll(ctx context.Context, src Informers, ws []Watched) (func() bool, error) {
	var regs []cache.ResourceEventHandlerRegistration
	for _, w := range ws {
		inf, err := src.Informer(ctx, w.Obj)
		if err != nil {
			return nil, fmt.Errorf("informer of %T: %w", w.Obj, err)
		}
		reg, err := inf.AddEventHandler(w.Handler)
		if err != nil {
			return nil, fmt.Errorf("watch %T: %w", w.Obj, err)
		}
		regs = append(regs, reg)
	}
	return func() bool {
		for _, r := range regs {
			if !r.HasSynced() {
				return false
			}
		}
		return true
	}, nil
}

// Register feeds x, cluster-wide, from src's informers and collects
// expired tenancies until ctx ends. The returned function reports whether
// every handler has seen its informer's initial list.
func (x *Index) Register(ctx context.Context, src Informers) (func() bool, error) {
	synced, err := RegisterAll(ctx, src, []Watched{
		{&corev1.Pod{}, Handler(x.SetPod, x.DeletePod)},
		{&appsv1.ReplicaSet{}, ownerHandler[*appsv1.ReplicaSet](x, "ReplicaSet")},
		{&batchv1.Job{}, ownerHandler[*batchv1.Job](x, "Job")},
		{&corev1.Service{}, Handler(x.SetService, x.DeleteService)},
		{&discoveryv1.EndpointSlice{}, Handler(x.SetEndpointSlice, x.DeleteEndpointSlice)},
		{&corev1.Node{}, Handler(x.SetNode, x.DeleteNode)},
	})
	if err != nil {
		return nil, fmt.Errorf("watch for resolution: %w", err)
	}
	go x.collectEvery(ctx, time.Minute)
	return synced, nil
}
