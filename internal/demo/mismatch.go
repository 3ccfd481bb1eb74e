package demo

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/netpol-advisor/netpol-advisor/internal/promapi"
)

// blockedAlert is the shipped alert on netpol_advisor_mismatch_blocked_flows.
const blockedAlert = "NetpolAdvisorPolicyBlocksObservedTraffic"

// showMismatch waits until Prometheus holds the workload's mismatch series
// and the alert fires for it, and prints both from Prometheus' HTTP API.
func (d *Demo) showMismatch(ctx context.Context, s *Story, r *Result) error {
	q := fmt.Sprintf(`netpol_advisor_mismatch_blocked_flows{namespace=%q, workload=%q} > 0`, s.Namespace, s.WorkloadName())
	err := d.waitFor(ctx, "the mismatch series in Prometheus", func() error {
		var err error
		if r.Mismatch, err = d.prom.Query(q); err != nil {
			return err
		}
		if len(r.Mismatch) == 0 {
			return fmt.Errorf("no series for %s yet", q)
		}
		return nil
	})
	if err != nil {
		return err
	}
	d.p.info("Prometheus (%s/api/v1/query) holds the mismatch:", d.prom.URL)
	d.p.info("PromQL: %s", q)
	d.p.block(seriesLines(r.Mismatch, "class", "policy"))
	if err := d.waitAlert(ctx, s, "firing"); err != nil {
		return err
	}
	r.AlertFiring = true
	d.p.good("Prometheus' alert %s is firing for %s (/api/v1/alerts)", blockedAlert, s.Workload)
	fq := fmt.Sprintf(`netpol_advisor_mismatch_failed_connections_total{namespace=%q, workload=%q, policy!=""} > 0`, s.Namespace, s.WorkloadName())
	err = d.waitFor(ctx, "failed connections attributed to the policy in Prometheus", func() error {
		var err error
		if r.FailedConnections, err = d.prom.Query(fq); err == nil && len(r.FailedConnections) == 0 {
			err = fmt.Errorf("no series for %s yet", fq)
		}
		return err
	})
	if err != nil {
		return err
	}
	d.p.info("PromQL: %s", fq)
	d.p.block(seriesLines(r.FailedConnections, "direction", "policy"))
	return nil
}

// waitAlert waits until one of the workload's blocked-traffic alerts (one
// per class and policy) is in state ("firing"), or, for state "", none is
// left.
func (d *Demo) waitAlert(ctx context.Context, s *Story, state string) error {
	return d.waitFor(ctx, fmt.Sprintf("alert %s state %q", blockedAlert, state), func() error {
		alerts, err := d.prom.Alerts()
		if err != nil {
			return err
		}
		var got []string
		for _, a := range alerts {
			l := a.Labels
			if l["alertname"] == blockedAlert && l["namespace"] == s.Namespace && l["workload"] == s.WorkloadName() {
				if a.State == state {
					return nil
				}
				got = append(got, a.State+" ("+l["class"]+", "+l["policy"]+")")
			}
		}
		if state == "" && len(got) == 0 {
			return nil
		}
		return fmt.Errorf("the workload's alerts: %v", got)
	})
}

// seriesLines prints each series' value and the labels that tell them apart.
func seriesLines(series []promapi.Sample, labels ...string) string {
	var lines []string
	for _, s := range series {
		var parts []string
		for _, l := range labels {
			parts = append(parts, l+"="+s.Metric[l])
		}
		lines = append(lines, fmt.Sprintf("%-6s %s", s.Value(), strings.Join(parts, " ")))
	}
	sort.Strings(lines)
	if len(lines) == 0 {
		return "(no series)"
	}
	return strings.Join(lines, "\n")
}
