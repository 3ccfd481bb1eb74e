package demo

import (
	"fmt"
	"strings"
)

// keepPlaying says what the user can do next.
func (d *Demo) keepPlaying(results []*Result) {
	d.p.step("", "Done")
	for _, r := range results {
		d.p.good("%s: all four steps shown; files in %s", r.App, d.cfg.OutDir)
	}
	if !d.cfg.Keep {
		d.p.info("to keep playing, run it again with DEMO_KEEP=1 (the cluster stays up); now tearing down")
		return
	}
	k := d.cfg.Kubeconfig()
	d.p.info("the cluster keeps running, with the apps and their external hosts (the demo's Prometheus stops with it). Try:")
	for _, c := range []string{
		"export KUBECONFIG=" + k,
		"kubectl get baselines -A",
		"bin/netpol-advisor baseline <workload> -n <namespace>",
		"bin/netpol-advisor topology -n <namespace>",
		"bin/netpol-advisor check -f <policy.yaml>",
		"bin/netpol-advisor ui   (the web page, on a loopback address it prints)",
		"make cluster-down       (tear down and leave the machine as found)",
	} {
		d.p.command(c)
	}
}

// joinArgs quotes arguments that need it, for printing a command.
func joinArgs(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " \t") {
			a = fmt.Sprintf("%q", a)
		}
		out[i] = a
	}
	return strings.Join(out, " ")
}
