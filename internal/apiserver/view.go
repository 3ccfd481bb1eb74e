package apiserver

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/netpol-advisor/netpol-advisor/internal/apis/v1alpha1"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

// Baselines reads what workloads were seen doing (store.Reader has it).
type Baselines interface {
	Baseline(ctx context.Context, w flow.WorkloadRef, win flow.Window) (flow.Baseline, error)
	Namespace(ctx context.Context, ns string, win flow.Window) ([]flow.Baseline, error)
}

var _ Baselines = store.Reader(nil)

// view is a read-only resource whose objects are computed from one
// workload's baseline each: baselines, topologies and recommendations.
type view struct {
	resource, singular, kind string
	newObj, newList          func() runtime.Object
	// render turns a baseline into the resource's object.
	render func(ctx context.Context, name string, b flow.Baseline) (runtime.Object, error)
	table  tableFormat

	baselines     Baselines
	defaultWindow time.Duration
	now           func() time.Time
}

var (
	_ rest.Storage              = (*view)(nil)
	_ rest.Scoper               = (*view)(nil)
	_ rest.Getter               = (*view)(nil)
	_ rest.Lister               = (*view)(nil)
	_ rest.SingularNameProvider = (*view)(nil)
)

func (v *view) New() runtime.Object                 { return v.newObj() }
func (v *view) NewList() runtime.Object             { return v.newList() }
func (v *view) Destroy()                            {}
func (v *view) NamespaceScoped() bool               { return true }
func (v *view) GetSingularName() string             { return v.singular }
func (v *view) groupResource() schema.GroupResource { return v1alpha1.Resource(v.resource) }

// Get renders the named workload's object over the default window.
func (v *view) Get(ctx context.Context, name string, _ *metav1.GetOptions) (runtime.Object, error) {
	ns, _ := genericapirequest.NamespaceFrom(ctx)
	q, _ := parseQuery(nil, v.now(), v.defaultWindow)
	q.name = name
	items, err := v.read(ctx, ns, q)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, v.notFound(ns, name)
	}
	return items[0], nil
}

// List renders every workload of the namespace (or of all namespaces) that
// was seen in the window the field selector chooses.
func (v *view) List(ctx context.Context, opts *metainternalversion.ListOptions) (runtime.Object, error) {
	ns, _ := genericapirequest.NamespaceFrom(ctx)
	q, err := parseQuery(opts.FieldSelector, v.now(), v.defaultWindow)
	if err != nil {
		return nil, apierrors.NewBadRequest(err.Error())
	}
	list := v.newList()
	if opts.LabelSelector != nil && !opts.LabelSelector.Empty() {
		return list, nil // the objects carry no labels
	}
	items, err := v.read(ctx, ns, q)
	if err != nil {
		return nil, err
	}
	if err := meta.SetList(list, items); err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	return list, nil
}

// read renders the namespace's baselines in q's window, only the one q
// names when it names one.
func (v *view) read(ctx context.Context, ns string, q query) ([]runtime.Object, error) {
	bls, err := v.baselines.Namespace(ctx, ns, q.window)
	if err != nil {
		return nil, apierrors.NewServiceUnavailable(fmt.Sprintf("cannot read baselines now (%v); retry later", err))
	}
	byNS := map[string][]flow.WorkloadRef{}
	for _, b := range bls {
		byNS[b.Workload.Namespace] = append(byNS[b.Workload.Namespace], b.Workload)
	}
	names := map[flow.WorkloadRef]string{}
	for _, refs := range byNS {
		for r, n := range objectNames(refs) {
			names[r] = n
		}
	}
	if q.name != "" {
		var all []flow.WorkloadRef
		for _, refs := range byNS {
			match := matchName(refs, q.name)
			if len(match) > 1 {
				return nil, v.ambiguous(q.name, match)
			}
			all = append(all, match...)
		}
		bls = keep(bls, all)
	}
	// Lists come in namespace and object-name order, as kubectl lists.
	slices.SortStableFunc(bls, func(a, b flow.Baseline) int {
		return cmp.Or(cmp.Compare(a.Workload.Namespace, b.Workload.Namespace), cmp.Compare(names[a.Workload], names[b.Workload]))
	})
	out := make([]runtime.Object, 0, len(bls))
	for _, b := range bls {
		obj, err := v.render(ctx, names[b.Workload], b)
		if err != nil {
			return nil, renderError(err)
		}
		out = append(out, obj)
	}
	return out, nil
}

func keep(bls []flow.Baseline, refs []flow.WorkloadRef) []flow.Baseline {
	var out []flow.Baseline
	for _, b := range bls {
		for _, r := range refs {
			if b.Workload == r {
				out = append(out, b)
			}
		}
	}
	return out
}

func (v *view) notFound(ns, name string) error {
	err := apierrors.NewNotFound(v.groupResource(), name)
	err.ErrStatus.Message = fmt.Sprintf("%s: no traffic of a workload named %q was observed in namespace %s in the window "+
		"(a new workload is still learning; list what exists with: kubectl get baselines -n %s)", err.ErrStatus.Message, name, ns, ns)
	return err
}

func (v *view) ambiguous(name string, refs []flow.WorkloadRef) error {
	var alts []string
	for _, r := range refs {
		alts = append(alts, qualified(r))
	}
	return apierrors.NewBadRequest(fmt.Sprintf("%q names %d workloads: ask for one of %s", name, len(refs), strings.Join(alts, ", ")))
}

// renderError keeps API errors a renderer chose and turns the rest into an
// internal error that says what failed.
func renderError(err error) error {
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		return err
	}
	return apierrors.NewInternalError(err)
}
