package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	networkingv1 "k8s.io/api/networking/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/netpol-advisor/netpol-advisor/internal/apis/v1alpha1"
)

// ErrBlocks is returned (after the report is printed) when a checked policy
// would block observed traffic: the command exits non-zero, so it gates CI.
var ErrBlocks = errors.New("a policy would block observed traffic")

func (c *common) checkCommand() *cobra.Command {
	var files []string
	var offline string
	cmd := &cobra.Command{
		Use:   "check -f POLICY.yaml",
		Short: "What observed traffic NetworkPolicies would block if applied; exits 1 when something would break",
		Example: "  netpol-advisor check -f policy.yaml\n" +
			"  netpol-advisor check -f policies/ -o json\n" +
			"  helm template my-app | netpol-advisor check -f -",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(files) == 0 {
				return errors.New("name the policies with -f FILE, -f DIRECTORY or -f - (standard input)")
			}
			return c.check(cmd.Context(), files, offline)
		},
	}
	cmd.Flags().StringVar(&offline, "baseline", "", "judge against baselines exported with `baseline -n NS -o yaml` instead of the cluster "+
		"(offline: each policy is judged as the only one in force)")
	cmd.Flags().StringArrayVarP(&files, "filename", "f", nil, "file, directory or - with NetworkPolicies (YAML or JSON, multi-document; repeatable)")
	c.addOutputFlag(cmd, "yaml or json (default: a report)")
	return cmd
}

func (c *common) check(ctx context.Context, files []string, offline string) error {
	defNS := "default"
	if offline == "" || c.flags.Namespace != nil && *c.flags.Namespace != "" {
		var err error
		if defNS, err = c.namespace(); err != nil {
			return err
		}
	}
	pols, err := c.readPolicies(files)
	if err != nil {
		return err
	}
	if len(pols) == 0 {
		return errors.New("no NetworkPolicy in the files given")
	}
	byNS := map[string][]networkingv1.NetworkPolicy{}
	for _, p := range pols {
		if p.Namespace == "" {
			p.Namespace = defNS
		}
		byNS[p.Namespace] = append(byNS[p.Namespace], p)
	}
	order := slices.Sorted(maps.Keys(byNS))
	checks, err := c.checks(ctx, byNS, order, offline)
	if err != nil {
		return err
	}
	blocks := false
	for _, pc := range checks {
		blocks = blocks || pc.Status.Blocks
	}
	if c.output != "" {
		if err := writeData(c.opts.Out, c.output, checks); err != nil {
			return err
		}
	} else {
		c.printChecks(checks)
	}
	if blocks {
		return ErrBlocks
	}
	return nil
}

// checks asks the server, or judges against the export when offline names
// one.
func (c *common) checks(ctx context.Context, byNS map[string][]networkingv1.NetworkPolicy, order []string, offline string) ([]*v1alpha1.PolicyCheck, error) {
	if offline != "" {
		return checkOffline(offline, byNS, order)
	}
	cl, err := c.client()
	if err != nil {
		return nil, err
	}
	var checks []*v1alpha1.PolicyCheck
	for _, ns := range order {
		pc := &v1alpha1.PolicyCheck{Spec: v1alpha1.PolicyCheckSpec{Policies: byNS[ns]}}
		pc.Kind, pc.APIVersion = "PolicyCheck", v1alpha1.SchemeGroupVersion.String()
		if err := c.withProgress(ctx, "checks", func(ctx context.Context) error { return cl.create(ctx, ns, "policychecks", pc) }); err != nil {
			return nil, err
		}
		checks = append(checks, pc)
	}
	return checks, nil
}

func (c *common) printChecks(checks []*v1alpha1.PolicyCheck) {
	w := c.opts.Out
	for _, pc := range checks {
		for _, r := range pc.Status.Results {
			if len(r.Findings) == 0 {
				fmt.Fprintf(w, "%s %s/%s blocks no observed traffic\n", c.colour.green("ok"), pc.Namespace, r.Policy)
			} else {
				fmt.Fprintf(w, "%s %s/%s would block %d observed flows:\n", c.colour.red("BLOCKS"), pc.Namespace, r.Policy, len(r.Findings))
			}
			for _, f := range r.Findings {
				fmt.Fprintf(w, "  - [%s] %s/%s: %s\n      fix: %s\n", f.Class, f.Workload.Kind, f.Workload.Name, f.Message, f.Fix)
			}
			for _, f := range r.Excluded {
				fmt.Fprintf(w, "  - excluded on purpose: %s/%s: %s\n", f.Workload.Kind, f.Workload.Name, f.Message)
			}
			for _, u := range r.Unused {
				fmt.Fprintf(w, "  - wider than observed: %s\n", u.Message)
			}
			for _, l := range r.Learning {
				fmt.Fprintf(w, "  - %s/%s has no baseline yet: nothing can be said about it\n", l.Kind, l.Name)
			}
		}
	}
}

// readPolicies reads every NetworkPolicy of the files, directories and
// standard input named; other kinds are skipped with a note.
func (c *common) readPolicies(names []string) ([]networkingv1.NetworkPolicy, error) {
	var out []networkingv1.NetworkPolicy
	for _, name := range names {
		paths, err := expand(name)
		if err != nil {
			return nil, err
		}
		for _, p := range paths {
			pols, err := c.decodeFile(p)
			if err != nil {
				return nil, err
			}
			out = append(out, pols...)
		}
	}
	return out, nil
}

func expand(name string) ([]string, error) {
	if name == "-" {
		return []string{"-"}, nil
	}
	st, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{name}, nil
	}
	var out []string
	for _, pat := range []string{"*.yaml", "*.yml", "*.json"} {
		m, _ := filepath.Glob(filepath.Join(name, pat))
		out = append(out, m...)
	}
	slices.Sort(out)
	return out, nil
}

func (c *common) decodeFile(path string) ([]networkingv1.NetworkPolicy, error) {
	var r io.Reader = c.opts.In
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	dec := utilyaml.NewYAMLOrJSONDecoder(r, 4096)
	var out []networkingv1.NetworkPolicy
	for i := 1; ; i++ {
		var np networkingv1.NetworkPolicy
		err := dec.Decode(&np)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s, document %d: %w", path, i, err)
		}
		switch {
		case np.Kind == "" && np.Name == "":
			continue // an empty document
		case np.Kind != "NetworkPolicy" || !strings.HasPrefix(np.APIVersion, "networking.k8s.io/"):
			fmt.Fprintf(c.opts.ErrOut, "%s, document %d: skipping %s %s (not a NetworkPolicy)\n", path, i, np.Kind, np.Name)
			continue
		}
		out = append(out, np)
	}
}
