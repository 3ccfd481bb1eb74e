package demo

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// applyPolicy applies the hand-written policy (kubectl prints the
// webhook's warnings and creates it), then shows the app breaking: its own
// log, the observer's failed connects and Prometheus' mismatch and alert.
func (d *Demo) applyPolicy(ctx context.Context, s *Story, r *Result) error {
	before, err := d.baseline(ctx, s)
	if err != nil {
		return err
	}
	path := filepath.Join(s.Dir, s.Policy)
	d.p.command("kubectl apply -f " + d.rel(path))
	out, err := d.kubectl(ctx, "apply", "-f", path)
	if err != nil {
		return err
	}
	r.Warnings = Warnings(out.stderr)
	for _, w := range r.Warnings {
		d.p.wrapped(d.p.paint("33", "   Warning:")+" ", w)
	}
	d.p.block(out.stdout)
	d.p.info("the policy is created (advisory mode), and the cluster enforces it: %s's own log says", s.Workload)
	if r.Failing, err = d.waitTargets(ctx, s, s.Expect.Failing, "fail"); err != nil {
		return err
	}
	if err := d.waitFailedConnects(ctx, s, before, r); err != nil {
		return err
	}
	return d.showMismatch(ctx, s, r)
}

// Warnings are the admission warnings kubectl printed on stderr (its
// "Warning: " lines), without that prefix.
func Warnings(stderr string) []string {
	var out []string
	for _, l := range strings.Split(stderr, "\n") {
		if w, ok := strings.CutPrefix(l, "Warning: "); ok {
			out = append(out, w)
		}
	}
	return out
}

// waitTargets waits until the workload's log shows, for each target, a
// latest attempt with the given outcome (ok or fail), and returns those lines.
func (d *Demo) waitTargets(ctx context.Context, s *Story, targets []string, outcome string) (map[string]string, error) {
	got := map[string]string{}
	err := d.waitFor(ctx, fmt.Sprintf("the app's log to show %s for %s", outcome, strings.Join(targets, ", ")), func() error {
		latest, err := d.latestAttempts(ctx, s)
		if err != nil {
			return err
		}
		var wrong []string
		for _, t := range targets {
			if line := latest[t]; strings.HasPrefix(line, outcome+" ") {
				got[t] = line
			} else {
				wrong = append(wrong, fmt.Sprintf("%s: %q", t, line))
			}
		}
		if len(wrong) > 0 {
			return fmt.Errorf("latest attempts: %s", strings.Join(wrong, "; "))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, t := range targets {
		d.p.wrapped("     ", "log: "+got[t])
	}
	return got, nil
}

// latestAttempts is the last "ok/fail TARGET ..." line of each target in
// the workload's recent log (netcheck app prints one per attempt).
func (d *Demo) latestAttempts(ctx context.Context, s *Story) (map[string]string, error) {
	out, err := d.kubectl(ctx, "-n", s.Namespace, "logs", s.Workload, "--since=10s")
	if err != nil {
		return nil, err
	}
	latest := map[string]string{}
	for _, l := range strings.Split(out.stdout, "\n") {
		f := strings.Fields(l)
		if len(f) >= 2 && (f[0] == "ok" || f[0] == "fail") {
			latest[strings.TrimSuffix(f[1], ":")] = l
		}
	}
	return latest, nil
}

// waitFailedConnects waits until the observer's data (the CLI's failed
// column) shows failed connects that were not there before the policy.
func (d *Demo) waitFailedConnects(ctx context.Context, s *Story, before []edge, r *Result) error {
	was := map[string]int64{}
	for _, e := range before {
		was[e.key] = e.flow.Failed
	}
	var more []string
	err := d.waitFor(ctx, "failed connects in the baseline", func() error {
		edges, err := d.baseline(ctx, s)
		if err != nil {
			return err
		}
		r.FailedFlows, more = nil, nil
		for _, e := range edges {
			if n := e.flow.Failed - was[e.key]; n > 0 {
				r.FailedFlows = append(r.FailedFlows, e.key)
				more = append(more, failedLine(e, n))
			}
		}
		if len(r.FailedFlows) == 0 {
			return fmt.Errorf("no failed connect recorded yet")
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(r.FailedFlows)
	sort.Strings(more)
	d.p.info("the observers saw the failed connects (netpol-advisor baseline, FAILED column):")
	for _, m := range more {
		d.p.wrapped("     ", m)
	}
	return nil
}

// failedLine tells one edge's new failed connects and why its connects
// failed: refused and timed out always, unreachable (an ICMP error, since
// issue 10) where there were some.
func failedLine(e edge, more int64) string {
	why := fmt.Sprintf("refused %d, timed out %d", e.flow.Refused, e.flow.TimedOut)
	if e.flow.Unreachable > 0 {
		why += fmt.Sprintf(", unreachable %d", e.flow.Unreachable)
	}
	return fmt.Sprintf("%s: %d more failed (%s)", e.key, more, why)
}
