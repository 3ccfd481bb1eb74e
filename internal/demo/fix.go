package demo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/yaml"
)

// fix saves the user's adjustments through the CLI, applies the
// recommended policy in place of the hand-written one and shows the app
// working again and the alert resolving.
func (d *Demo) fix(ctx context.Context, s *Story, r *Result) error {
	args := []string{"generate", s.Workload, "-n", s.Namespace, "--save", "-o", "yaml"}
	for _, a := range s.Adjustments.AllowCIDRs {
		args = append(args, "--allow-cidr", a)
	}
	for _, e := range s.Adjustments.Exclude {
		args = append(args, "--exclude", e)
	}
	d.p.command("netpol-advisor " + joinArgs(args))
	out, err := d.cli(ctx, args...)
	if err != nil {
		return err
	}
	r.Applied = out.stdout
	path := filepath.Join(d.cfg.OutDir, s.Name+"-recommended.yaml")
	if err := os.WriteFile(path, []byte(r.Applied), 0o644); err != nil {
		return fmt.Errorf("write the recommended policy: %w", err)
	}
	d.p.block(r.Applied)
	d.p.good("the adjustments are stored on %s (annotation netpol-advisor.io/adjustments)", s.Workload)
	if err := d.replacePolicy(ctx, s, r, path); err != nil {
		return err
	}
	working := slices.DeleteFunc(slices.Clone(s.Expect.Failing), func(t string) bool { return slices.Contains(s.Expect.StillFailing, t) })
	if r.Working, err = d.waitTargets(ctx, s, working, "ok"); err != nil {
		return err
	}
	if len(s.Expect.StillFailing) > 0 {
		d.p.info("what the user dropped stays blocked, as decided:")
		if r.StillFailing, err = d.waitTargets(ctx, s, s.Expect.StillFailing, "fail"); err != nil {
			return err
		}
	}
	if err := d.waitAlert(ctx, s, ""); err != nil {
		return err
	}
	r.AlertResolved = true
	d.p.good("alert %s resolved: Prometheus no longer lists it for %s", blockedAlert, s.Workload)
	return nil
}

// replacePolicy applies the recommended policy (kubectl prints no warning)
// and removes the hand-written one when its name differs.
func (d *Demo) replacePolicy(ctx context.Context, s *Story, r *Result, path string) error {
	d.p.command("kubectl apply -f " + path)
	out, err := d.kubectl(ctx, "apply", "-f", path)
	if err != nil {
		return err
	}
	r.FixWarnings = Warnings(out.stderr)
	for _, w := range r.FixWarnings {
		d.p.bad("Warning: %s", w)
	}
	d.p.block(out.stdout)
	if len(r.FixWarnings) == 0 {
		d.p.good("no warning: the recommendation allows everything observed but what the user dropped")
	}
	hand, err := readPolicy(filepath.Join(s.Dir, s.Policy))
	if err != nil {
		return err
	}
	applied, err := parsePolicy(r.Applied)
	if err != nil {
		return err
	}
	if hand.Name != applied.Name {
		d.p.command("kubectl delete -f " + d.rel(filepath.Join(s.Dir, s.Policy)))
		if out, err = d.kubectl(ctx, "delete", "-f", filepath.Join(s.Dir, s.Policy)); err != nil {
			return err
		}
		d.p.block(out.stdout)
	}
	return nil
}

func readPolicy(path string) (networkingv1.NetworkPolicy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return networkingv1.NetworkPolicy{}, fmt.Errorf("read the policy: %w", err)
	}
	return parsePolicy(string(data))
}

func parsePolicy(text string) (networkingv1.NetworkPolicy, error) {
	var np networkingv1.NetworkPolicy
	if err := yaml.UnmarshalStrict([]byte(text), &np); err != nil {
		return np, fmt.Errorf("decode a NetworkPolicy: %w", err)
	}
	return np, nil
}
