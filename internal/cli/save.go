package cli

import (
	"context"
	"encoding/json"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/netpol-advisor/netpol-advisor/internal/adjust"
	"github.com/netpol-advisor/netpol-advisor/internal/apis/v1alpha1"
)

// workloadResources are the API resources of the kinds whose adjustments
// can be saved.
var workloadResources = map[string]schema.GroupVersionResource{
	"Deployment":  {Group: "apps", Version: "v1", Resource: "deployments"},
	"StatefulSet": {Group: "apps", Version: "v1", Resource: "statefulsets"},
	"DaemonSet":   {Group: "apps", Version: "v1", Resource: "daemonsets"},
	"Job":         {Group: "batch", Version: "v1", Resource: "jobs"},
	"CronJob":     {Group: "batch", Version: "v1", Resource: "cronjobs"},
	"Pod":         {Version: "v1", Resource: "pods"},
}

// fieldManager names the CLI's writes in the objects' managed fields.
const fieldManager = "netpol-advisor-cli"

// saveAndRecommend adds the adjustments to those stored on the workload
// (with the user's own rights to patch it), then recommends with them.
func (c *common) saveAndRecommend(ctx context.Context, cl *client, ns, arg string, adj v1alpha1.Adjustments) ([]v1alpha1.Recommendation, error) {
	w, err := parseWorkload(arg)
	if err != nil {
		return nil, err
	}
	if w.Kind == "" {
		if w, err = c.findKind(ctx, cl, ns, w.Name); err != nil {
			return nil, err
		}
	}
	if err := c.save(ctx, ns, w, adj); err != nil {
		return nil, err
	}
	// The review adds the new adjustments to the stored ones, so the answer
	// holds them even before the server has seen the saved annotation.
	return c.review(ctx, cl, ns, w.Kind+"/"+w.Name, adj)
}

func (c *common) save(ctx context.Context, ns string, w v1alpha1.WorkloadReference, adj v1alpha1.Adjustments) error {
	gvr, ok := workloadResources[w.Kind]
	if !ok {
		return fmt.Errorf("adjustments can be saved on Deployments, StatefulSets, DaemonSets, Jobs, CronJobs and Pods, not on a %s", w.Kind)
	}
	add, err := adjust.FromAPI(ns, adj)
	if err != nil {
		return err
	}
	cfg, err := c.flags.ToRESTConfig()
	if err != nil {
		return err
	}
	dc, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	res := dc.Resource(gvr).Namespace(ns)
	obj, err := res.Get(ctx, w.Name, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("read %s %s/%s to save the adjustments: %w", w.Kind, ns, w.Name, err)
	}
	stored, err := adjust.FromAnnotations(ns, obj.GetAnnotations())
	if err != nil {
		return fmt.Errorf("%s %s/%s: the stored adjustments do not parse (%w): fix or remove the annotation first", w.Kind, ns, w.Name, err)
	}
	value, err := adjust.Format(adjust.Merge(stored, add))
	if err != nil {
		return err
	}
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{
		"resourceVersion": obj.GetResourceVersion(), // refuse to overwrite a concurrent change
		"annotations":     map[string]string{adjust.Annotation: value}}})
	if err != nil {
		return err
	}
	if _, err := res.Patch(ctx, w.Name, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: fieldManager}); err != nil {
		return fmt.Errorf("save the adjustments on %s %s/%s: %w", w.Kind, ns, w.Name, err)
	}
	fmt.Fprintf(c.opts.ErrOut, "saved the adjustments on %s %s/%s (annotation %s)\n", w.Kind, ns, w.Name, adjust.Annotation)
	return nil
}
