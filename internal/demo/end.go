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
	d.p.info("the cluster keeps running, with the apps, their external hosts and the demo's Prometheus "+
		"(its page: %s, the alerts at %s/alerts). Try:", d.prom.URL, d.prom.URL)
	d.p.command("export KUBECONFIG=" + d.cfg.Kubeconfig())
	d.p.command("kubectl get baselines -A")
	for _, r := range results {
		d.p.command(fmt.Sprintf("bin/netpol-advisor baseline %s -n %s", r.Workload, r.Namespace))
		d.p.command(fmt.Sprintf("bin/netpol-advisor topology -n %s", r.Namespace))
		d.p.command(fmt.Sprintf("bin/netpol-advisor check -f %s", r.PolicyFile))
	}
	d.p.command("bin/netpol-advisor ui")
	d.p.info("(the web page, on the loopback address it prints); make cluster-down tears it all down " +
		"and leaves the machine as found")
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
