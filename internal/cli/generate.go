package cli

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/spf13/cobra"

	"github.com/netpol-advisor/netpol-advisor/internal/apis/v1alpha1"
)

type generateFlags struct {
	allow   []string
	exclude []string
	save    bool
}

func (c *common) generateCommand() *cobra.Command {
	var g generateFlags
	cmd := &cobra.Command{
		Use:   "generate [WORKLOAD]",
		Short: "The minimal NetworkPolicy that allows what a workload (or each workload of the namespace) was seen doing",
		Long: "generate prints the recommended NetworkPolicy: ingress and egress as observed, DNS handled, external\n" +
			"addresses only where you allow them, and peers you exclude left out. Adjustments given on the command\n" +
			"line add to those stored on the workload; --save stores them there, where the admission webhook and the\n" +
			"web page read them.",
		Example: "  netpol-advisor generate deploy/web -n shop --window 3h\n" +
			"  netpol-advisor generate deploy/web -n shop --allow-cidr 203.0.113.7/32=billing-api --exclude deploy/legacy --save\n" +
			"  netpol-advisor generate -n shop > shop-policies.yaml",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return c.generate(cmd.Context(), args, g) },
	}
	cmd.Flags().StringArrayVar(&g.allow, "allow-cidr", nil, "allow an address range, CIDR[=alias] (repeatable)")
	cmd.Flags().StringArrayVar(&g.exclude, "exclude", nil, "leave a peer out: kind/name (deploy/db), namespace/kind/name or a CIDR (repeatable)")
	cmd.Flags().BoolVar(&g.save, "save", false, "store the adjustments on the workload (its netpol-advisor.io/adjustments annotation)")
	c.addWindowFlags(cmd)
	c.addOutputFlag(cmd, "yaml or json (default yaml)")
	return cmd
}

func (c *common) generate(ctx context.Context, args []string, g generateFlags) error {
	ns, err := c.namespace()
	if err != nil {
		return err
	}
	adj, err := parseAdjustments(g)
	if err != nil {
		return err
	}
	if len(args) == 0 && (len(adj.Allow)+len(adj.Exclude) > 0 || g.save) {
		return fmt.Errorf("--allow-cidr, --exclude and --save are about one workload: name it, e.g. generate deploy/web")
	}
	cl, err := c.client()
	if err != nil {
		return err
	}
	var recs []v1alpha1.Recommendation
	switch {
	case len(args) == 0:
		recs, err = c.recommendations(ctx, cl, ns, "")
	case g.save:
		recs, err = c.saveAndRecommend(ctx, cl, ns, args[0], adj)
	case len(adj.Allow)+len(adj.Exclude) > 0:
		recs, err = c.review(ctx, cl, ns, args[0], adj)
	default:
		var w v1alpha1.WorkloadReference
		if w, err = parseWorkload(args[0]); err == nil {
			recs, err = c.recommendations(ctx, cl, ns, objectName(w))
		}
		if err == nil && len(recs) == 0 {
			err = fmt.Errorf("no baseline of %s in namespace %s in the window, so nothing to recommend yet: "+
				"list what exists with: kubectl get baselines -n %s", args[0], ns, ns)
		}
	}
	if err != nil {
		return err
	}
	return c.printPolicies(recs)
}

func (c *common) recommendations(ctx context.Context, cl *client, ns, name string) ([]v1alpha1.Recommendation, error) {
	var list v1alpha1.RecommendationList
	err := c.withProgress(ctx, "recommendations", func(ctx context.Context) error {
		return cl.list(ctx, ns, "recommendations", name, c.window, &list)
	})
	return list.Items, err
}

// review asks for a recommendation with adjustments that are not stored.
func (c *common) review(ctx context.Context, cl *client, ns, arg string, adj v1alpha1.Adjustments) ([]v1alpha1.Recommendation, error) {
	w, err := parseWorkload(arg)
	if err != nil {
		return nil, err
	}
	if w.Kind == "" {
		if w, err = c.findKind(ctx, cl, ns, w.Name); err != nil {
			return nil, err
		}
	}
	rv := &v1alpha1.RecommendationReview{Spec: v1alpha1.RecommendationReviewSpec{Workload: w, Adjustments: adj, Window: durationText(c.window)}}
	rv.Kind, rv.APIVersion = "RecommendationReview", v1alpha1.SchemeGroupVersion.String()
	if err := cl.create(ctx, ns, "recommendationreviews", rv); err != nil {
		return nil, err
	}
	return []v1alpha1.Recommendation{rv.Status}, nil
}

// findKind finds the kind of the workload a bare name means.
func (c *common) findKind(ctx context.Context, cl *client, ns, name string) (v1alpha1.WorkloadReference, error) {
	var list v1alpha1.BaselineList
	if err := cl.list(ctx, ns, "baselines", name, c.window, &list); err != nil {
		return v1alpha1.WorkloadReference{}, err
	}
	if len(list.Items) != 1 {
		return v1alpha1.WorkloadReference{}, fmt.Errorf("no baseline of %s in namespace %s in the window: "+
			"list what exists with: kubectl get baselines -n %s", name, ns, ns)
	}
	return list.Items[0].Workload, nil
}

func durationText(w window) string {
	if w.last > 0 {
		return w.last.String()
	}
	return ""
}

// parseAdjustments reads --allow-cidr and --exclude.
func parseAdjustments(g generateFlags) (v1alpha1.Adjustments, error) {
	var adj v1alpha1.Adjustments
	for _, a := range g.allow {
		cidr, alias, _ := strings.Cut(a, "=")
		if _, err := netip.ParsePrefix(cidr); err != nil {
			return adj, fmt.Errorf("--allow-cidr %q: want CIDR[=alias], e.g. 203.0.113.7/32=billing-api", a)
		}
		adj.Allow = append(adj.Allow, v1alpha1.AllowCIDR{CIDR: cidr, Alias: alias})
	}
	for _, e := range g.exclude {
		if _, err := netip.ParsePrefix(e); err == nil {
			adj.Exclude = append(adj.Exclude, v1alpha1.Exclusion{CIDR: e})
			continue
		}
		// kind/name, or namespace/kind/name for a peer in another namespace.
		ns, ref := "", e
		if parts := strings.Split(e, "/"); len(parts) == 3 {
			ns, ref = parts[0], parts[1]+"/"+parts[2]
		}
		w, err := parseWorkload(ref)
		if err != nil || w.Kind == "" {
			return adj, fmt.Errorf("--exclude %q: want kind/name (deploy/db), namespace/kind/name or a CIDR", e)
		}
		adj.Exclude = append(adj.Exclude, v1alpha1.Exclusion{Workload: &v1alpha1.ExcludedWorkload{Namespace: ns, Kind: w.Kind, Name: w.Name}})
	}
	return adj, nil
}

// printPolicies writes the recommended policies, notes to standard error.
func (c *common) printPolicies(recs []v1alpha1.Recommendation) error {
	format := c.output
	if format == "" {
		format = "yaml"
	}
	for i, r := range recs {
		for _, n := range r.Notes {
			fmt.Fprintf(c.opts.ErrOut, "%s/%s: %s\n", r.Workload.Kind, r.Workload.Name, n)
		}
		if r.Policy.Name == "" {
			continue
		}
		if i > 0 && format == "yaml" {
			fmt.Fprintln(c.opts.Out, "---")
		}
		if err := writeData(c.opts.Out, format, r.Policy); err != nil {
			return err
		}
	}
	return nil
}
