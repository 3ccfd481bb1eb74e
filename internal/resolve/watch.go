package resolve

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// WatchOptions choose what Watch indexes.
type WatchOptions struct {
	// Node, when set, limits pods to that node and skips ReplicaSets,
	// Jobs, Services, EndpointSlices and Nodes: what an observer needs to
	// name its own sockets. Its pods are named by their own controller (a
	// Deployment's through its pod-template-hash), and the server lifts a
	// ReplicaSet or Job up to its workload (Flows): 5,000 observers no
	// longer each watch and hold every ReplicaSet and Job of the cluster.
	// Empty means cluster-wide resolution (the server).
	Node string
	// Grace is how long deleted pods' IPs still resolve (DefaultGrace).
	Grace time.Duration
	// Resync is the informers' resync period (0: none).
	Resync time.Duration
}

// Watch starts informers that keep a new Index current, waits for their
// caches to sync and returns the index. The informers stop with ctx.
func Watch(ctx context.Context, cs kubernetes.Interface, o WatchOptions) (*Index, error) {
	x := NewIndex(o.Grace, nil)
	f := informers.NewSharedInformerFactoryWithOptions(cs, o.Resync, informers.WithTransform(trim))
	podFactory := f
	if o.Node != "" {
		podFactory = informers.NewSharedInformerFactoryWithOptions(cs, o.Resync, informers.WithTransform(trim),
			informers.WithTweakListOptions(func(lo *metav1.ListOptions) {
				lo.FieldSelector = fields.OneTermEqualSelector("spec.nodeName", o.Node).String()
			}))
	}
	handlers := []watched{{podFactory.Core().V1().Pods().Informer(), Handler(x.SetPod, x.DeletePod)}}
	if o.Node == "" {
		handlers = append(handlers,
			watched{f.Apps().V1().ReplicaSets().Informer(), ownerHandler[*appsv1.ReplicaSet](x, "ReplicaSet")},
			watched{f.Batch().V1().Jobs().Informer(), ownerHandler[*batchv1.Job](x, "Job")},
			watched{f.Core().V1().Services().Informer(), Handler(x.SetService, x.DeleteService)},
			watched{f.Discovery().V1().EndpointSlices().Informer(), Handler(x.SetEndpointSlice, x.DeleteEndpointSlice)},
			watched{f.Core().V1().Nodes().Informer(), Handler(x.SetNode, x.DeleteNode)},
		)
	}
	for _, h := range handlers {
		if _, err := h.inf.AddEventHandler(h.h); err != nil {
			return nil, fmt.Errorf("watch for resolution: %w", err)
		}
	}
	f.Start(ctx.Done())
	podFactory.Start(ctx.Done())
	for _, h := range handlers {
		if !cache.WaitForCacheSync(ctx.Done(), h.inf.HasSynced) {
			return nil, fmt.Errorf("watch for resolution: caches did not sync: %w", context.Cause(ctx))
		}
	}
	go x.collectEvery(ctx, time.Minute)
	return x, nil
}

type watched struct {
	inf cache.SharedIndexInformer
	h   cache.ResourceEventHandler
}

func (x *Index) collectEvery(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			x.Collect()
		}
	}
}

// Handler adapts typed set and delete functions to an event handler,
// unwrapping the tombstones of deletes the informer missed.
func Handler[T any](set, del func(T)) cache.ResourceEventHandler {
	return cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { call(set, obj) },
		UpdateFunc: func(_, obj any) { call(set, obj) },
		DeleteFunc: func(obj any) {
			if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = d.Obj
			}
			call(del, obj)
		},
	}
}

func call[T any](fn func(T), obj any) {
	if v, ok := obj.(T); ok {
		fn(v)
	}
}

func ownerHandler[T metav1.Object](x *Index, kind string) cache.ResourceEventHandler {
	return Handler(func(o T) { x.SetOwner(kind, o) }, func(o T) { x.DeleteOwner(kind, o) })
}
