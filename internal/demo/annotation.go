package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/equality"
)

const (
	policyAnnotation = "netpol-advisor.io/recommended-policy"
	statusAnnotation = "netpol-advisor.io/recommendation-status"
)

// checkAnnotation waits until the workload's recommended-policy annotation
// equals, in meaning, the policy applied in step 3.
func (d *Demo) checkAnnotation(ctx context.Context, s *Story, r *Result) error {
	applied, err := parsePolicy(r.Applied)
	if err != nil {
		return err
	}
	var status string
	d.p.command(fmt.Sprintf("kubectl -n %s get %s -o jsonpath='{.metadata.annotations}'", s.Namespace, s.Workload))
	err = d.waitFor(ctx, "the annotation to equal the applied policy", func() error {
		out, err := d.kubectl(ctx, "-n", s.Namespace, "get", s.Workload, "-o", "jsonpath={.metadata.annotations}")
		if err != nil {
			return err
		}
		var ann map[string]string
		if err := json.Unmarshal([]byte(out.stdout), &ann); err != nil {
			return fmt.Errorf("decode the annotations: %w", err)
		}
		r.Annotation, status = ann[policyAnnotation], ann[statusAnnotation]
		got, err := parsePolicy(r.Annotation)
		if err != nil {
			return err
		}
		if got.Name != applied.Name || got.Namespace != applied.Namespace || !equality.Semantic.DeepEqual(got.Spec, applied.Spec) {
			return errors.New("the annotation's policy differs from the applied one")
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.AnnotationEqual = true
	d.p.block(policyAnnotation + ":\n  " + strings.ReplaceAll(strings.TrimSpace(r.Annotation), "\n", "\n  "))
	d.p.block(statusAnnotation + ": " + status)
	d.p.good("the annotation is the policy applied in step 3 (same name, namespace and spec)")
	return nil
}
