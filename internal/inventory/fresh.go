package inventory

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"

	"golang.org/x/sync/errgroup"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

// Current is Snapshot with what a review of a NetworkPolicy in namespace
// depends on read from the API server itself: that namespace's labels (the
// enforce label), its NetworkPolicies (one deleted a moment ago is not in
// force) and its workloads' adjustments annotations (saved a moment ago).
//
// The informers lag the API server by a few milliseconds, and no watch
// tells when it has caught up with a write to another object (resource
// versions are comparable, but a kind without newer events never moves
// its informer's version, and bookmarks come about once a minute). So
// these few objects, scoped to one namespace, are read at quorum: a few
// small requests in parallel, the workloads as metadata only and only of
// the kinds the namespace has (a workload the informers have not seen yet
// has no baseline either, so its adjustments cannot matter).
func (x *Index) Current(ctx context.Context, namespace string) (*Snapshot, error) {
	base, err := x.Snapshot(ctx)
	if err != nil || x.opts.Live == nil || namespace == "" {
		return base, err
	}
	f := fresh{kinds: kindsIn(base, namespace)}
	if err := f.read(ctx, x.opts.Live, namespace); err != nil {
		return nil, fmt.Errorf("read namespace %s from the API server: %w", namespace, err)
	}
	return f.overlay(base, namespace), nil
}

// fresh is what Current reads of one namespace.
type fresh struct {
	ns       *corev1.Namespace // nil: not found
	policies networkingv1.NetworkPolicyList
	kinds    [len(workloadKinds)]bool // which workload kinds to read
	metas    [len(workloadKinds)]metav1.PartialObjectMetadataList
}

// kindsIn reports which of workloadKinds the namespace has workloads of.
func kindsIn(s *Snapshot, namespace string) [len(workloadKinds)]bool {
	var out [len(workloadKinds)]bool
	mark := func(ref flow.WorkloadRef) {
		for i, k := range workloadKinds {
			out[i] = out[i] || k.kind == ref.Kind
		}
	}
	if byNS := s.Cluster.ByNamespace; byNS != nil { // the namespace's, not the cluster's
		for _, ref := range byNS[namespace] {
			mark(ref)
		}
		return out
	}
	for ref := range s.Cluster.Workloads {
		if ref.Namespace == namespace {
			mark(ref)
		}
	}
	return out
}

// workloadKinds are the kinds whose objects carry adjustments.
var workloadKinds = [...]struct {
	list string
	gv   string
	kind flow.Kind
}{
	{"DeploymentList", appsv1.SchemeGroupVersion.String(), flow.KindDeployment},
	{"StatefulSetList", appsv1.SchemeGroupVersion.String(), flow.KindStatefulSet},
	{"DaemonSetList", appsv1.SchemeGroupVersion.String(), flow.KindDaemonSet},
	{"ReplicaSetList", appsv1.SchemeGroupVersion.String(), flow.KindReplicaSet},
	{"CronJobList", batchv1.SchemeGroupVersion.String(), flow.KindCronJob},
	{"JobList", batchv1.SchemeGroupVersion.String(), flow.KindJob},
}

func (f *fresh) read(ctx context.Context, r client.Reader, namespace string) error {
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		var ns corev1.Namespace
		err := r.Get(ctx, client.ObjectKey{Name: namespace}, &ns)
		if client.IgnoreNotFound(err) != nil {
			return fmt.Errorf("get namespace: %w", err)
		}
		if err == nil {
			f.ns = &ns
		}
		return nil
	})
	g.Go(func() error { return r.List(ctx, &f.policies, client.InNamespace(namespace)) })
	for i, k := range workloadKinds {
		if !f.kinds[i] {
			continue
		}
		f.metas[i].APIVersion, f.metas[i].Kind = k.gv, k.list
		g.Go(func() error { return r.List(ctx, &f.metas[i], client.InNamespace(namespace)) })
	}
	return g.Wait()
}

// overlay returns base with the namespace's part replaced by f.
func (f *fresh) overlay(base *Snapshot, namespace string) *Snapshot {
	s := *base
	c := *base.Cluster
	c.Namespaces = maps.Clone(c.Namespaces)
	delete(c.Namespaces, namespace)
	if f.ns != nil {
		c.Namespaces[namespace] = f.ns.Labels
	}
	s.Cluster = &c
	s.Policies = replacePolicies(base.Policies, f.policies.Items, namespace)
	s.Adjustments, s.Invalid = maps.Clone(base.Adjustments), maps.Clone(base.Invalid)
	for i, k := range workloadKinds {
		if f.kinds[i] {
			f.overlayAdjustments(&s, namespace, k.kind, f.metas[i].Items)
		}
	}
	return &s
}

// overlayAdjustments replaces the adjustments of the namespace's workloads
// of kind by those their objects carry now.
func (f *fresh) overlayAdjustments(s *Snapshot, namespace string, kind flow.Kind, items []metav1.PartialObjectMetadata) {
	isNS := func(ref flow.WorkloadRef, _ policy.Adjustments) bool {
		return ref.Namespace == namespace && ref.Kind == kind
	}
	maps.DeleteFunc(s.Adjustments, isNS)
	maps.DeleteFunc(s.Invalid, func(ref flow.WorkloadRef, _ string) bool { return isNS(ref, policy.Adjustments{}) })
	for i := range items {
		m := &items[i]
		intermediate := kind == flow.KindReplicaSet || kind == flow.KindJob
		if intermediate && metav1.GetControllerOfNoCopy(m) != nil {
			continue // not a workload of its own
		}
		ref := Ref(m, kind)
		a, ok := parseAdjustment(namespace, m.Annotations)
		switch {
		case ok && a.invalid != "":
			s.Invalid[ref] = a.invalid
		case ok:
			s.Adjustments[ref] = a.adj
		}
	}
}

// replacePolicies returns all (sorted by namespace and name, as snapshots
// keep them) with namespace's policies replaced by fresh, in place of
// re-sorting the cluster's: the namespace's are one run of the list. When
// fresh holds the very objects all has, at the same versions (the common
// case: the informers have caught up), all itself is returned; snapshots
// are never changed in place.
func replacePolicies(all, fresh []networkingv1.NetworkPolicy, namespace string) []networkingv1.NetworkPolicy {
	lo, _ := slices.BinarySearchFunc(all, namespace, func(p networkingv1.NetworkPolicy, ns string) int {
		return cmp.Compare(p.Namespace, ns)
	})
	hi := lo
	for hi < len(all) && all[hi].Namespace == namespace {
		hi++
	}
	sortPolicies(fresh)
	if sameVersions(all[lo:hi], fresh) {
		return all
	}
	out := make([]networkingv1.NetworkPolicy, 0, len(all)-(hi-lo)+len(fresh))
	out = append(out, all[:lo]...)
	out = append(out, fresh...)
	return append(out, all[hi:]...)
}

// sameVersions tells whether a and b are the same objects (UID) at the
// same resourceVersions, in the same order: the API server gives one
// content per UID and resourceVersion.
func sameVersions(a, b []networkingv1.NetworkPolicy) bool {
	return slices.EqualFunc(a, b, func(x, y networkingv1.NetworkPolicy) bool {
		return x.UID != "" && x.ResourceVersion != "" && x.UID == y.UID && x.ResourceVersion == y.ResourceVersion
	})
}
