package inventory

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
	"github.com/netpol-advisor/netpol-advisor/internal/resolve"
)

// ErrNotSynced is returned by Snapshot before the informers feeding the
// index have listed the cluster once.
var ErrNotSynced = errors.New("cluster inventory not synced yet")

// Index is the cluster as the policy core needs it, kept current by
// informer events: each event updates the objects it names and marks the
// workloads it changes, and Snapshot rebuilds only those (no listing, no
// copy of the informers' objects). It is safe for concurrent use.
type Index struct {
	opts Options

	now func() time.Time

	mu         sync.Mutex
	synced     func() bool
	owners     *resolve.Owners
	namespaces map[string]map[string]string
	ctrls      map[flow.WorkloadRef]controller
	pods       map[types.UID]*podState
	byCtrl     map[ctrlKey]map[types.UID]struct{}
	byWorkload map[flow.WorkloadRef]map[types.UID]struct{}
	adjust     map[flow.WorkloadRef]adjustment
	policies   map[types.NamespacedName]*networkingv1.NetworkPolicy
	services   map[flow.ServiceRef]map[string]string
	svcPorts   map[flow.ServiceRef][]corev1.ServicePort
	apiSlices  map[string][]policy.APIEndpoint
	dnsLabels  map[string]string

	gen       uint64 // bumped by every change
	dirty     map[flow.WorkloadRef]struct{}
	workloads map[flow.WorkloadRef]policy.Workload
	snap      *Snapshot
	snapGen   uint64
}

// Options tune the index. The zero value is usable.
type Options struct {
	// DNS overrides the cluster DNS identity; by default it is found from the
	// kube-dns Service in kube-system, or policy.DefaultDNS().
	DNS *policy.DNS
	// NodeLocalDNS, when valid, is NodeLocal DNSCache's address (default
	// that of policy.DefaultDNS()).
	NodeLocalDNS netip.Addr
	// Live reads the API server itself (not a cache): Current reads the
	// few objects a review depends on through it. Nil: Current is Snapshot.
	Live client.Reader
	// Grace is how long deleted ReplicaSets and Jobs still name their
	// workload (resolve.DefaultGrace).
	Grace time.Duration
}

// NewIndex returns an empty index; feed it with Register (informers) or
// the Set and Delete methods.
func NewIndex(o Options) *Index {
	if o.Grace == 0 {
		o.Grace = resolve.DefaultGrace
	}
	return &Index{
		opts: o, now: time.Now, synced: func() bool { return true }, owners: resolve.NewOwners(),
		namespaces: map[string]map[string]string{}, ctrls: map[flow.WorkloadRef]controller{},
		pods: map[types.UID]*podState{}, byCtrl: map[ctrlKey]map[types.UID]struct{}{},
		byWorkload: map[flow.WorkloadRef]map[types.UID]struct{}{}, adjust: map[flow.WorkloadRef]adjustment{},
		policies: map[types.NamespacedName]*networkingv1.NetworkPolicy{}, services: map[flow.ServiceRef]map[string]string{},
		svcPorts:  map[flow.ServiceRef][]corev1.ServicePort{},
		apiSlices: map[string][]policy.APIEndpoint{}, dirty: map[flow.WorkloadRef]struct{}{},
		workloads: map[flow.WorkloadRef]policy.Workload{}, gen: 1,
	}
}

// Snapshot returns the index's current state, waiting for the informers'
// first list if they have not finished it. Callers must not modify it; it
// is shared until the next change.
func (x *Index) Snapshot(ctx context.Context) (*Snapshot, error) {
	if err := x.waitSynced(ctx); err != nil {
		return nil, err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.snap == nil || x.snapGen != x.gen {
		x.snap = x.build()
		x.snapGen = x.gen
	}
	return x.snap, nil
}

// waitSynced waits (at most until ctx ends) for the informers' first list.
func (x *Index) waitSynced(ctx context.Context) error {
	for {
		x.mu.Lock()
		ok := x.synced()
		x.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: %w", ErrNotSynced, context.Cause(ctx))
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// changed marks the index changed and, if given, workloads to rebuild.
// x.mu is held.
func (x *Index) changed(refs ...flow.WorkloadRef) {
	x.gen++
	for _, r := range refs {
		x.dirty[r] = struct{}{}
	}
}

// collect forgets owners deleted more than the grace period ago.
func (x *Index) collect(now time.Time) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.owners.Collect(now.Add(-x.opts.Grace))
}
