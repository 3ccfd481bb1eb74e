package validate

import (
	"fmt"
	"strings"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
)

// DefaultMaxWarnings caps the finding lines of one review.
const DefaultMaxWarnings = 10

// maxLine keeps each line under the API server's per-warning truncation
// (256 runes once a response's warnings pass 4 KiB, see
// k8s.io/apiserver/pkg/endpoints/filters/warning.go) in most cases, and
// cuts it cleanly when not.
const maxLine = 300

// Warnings renders a check as warning lines: one per finding up to max,
// then one saying how many more and where to see the fix; then one per
// touched workload whose adjustments were ignored, and one naming the
// touched workloads without baseline.
func Warnings(c advice.Checked, max int) []string {
	if max <= 0 {
		max = DefaultMaxWarnings
	}
	var out []string
	for i, f := range c.Findings {
		if i == max {
			out = append(out, more(len(c.Findings)-max, c.Findings))
			break
		}
		out = append(out, line(f))
	}
	for _, s := range c.Invalid {
		out = append(out, clip("netpol-advisor: adjustments annotation ignored for "+s))
	}
	if len(c.Learning) > 0 {
		out = append(out, learning(c.Learning))
	}
	return out
}

// learning says which selected workloads could not be checked: silence
// about them is not approval.
func learning(ws []flow.WorkloadRef) string {
	names := make([]string, 0, 3)
	for _, w := range ws[:min(3, len(ws))] {
		names = append(names, w.String())
	}
	if len(ws) > 3 {
		names = append(names, fmt.Sprintf("and %d more", len(ws)-3))
	}
	return clip(fmt.Sprintf("netpol-advisor: not checked, no traffic observed yet for %s", strings.Join(names, ", ")))
}

// line is one finding: workload, what would be blocked (the pitfall), how
// often and when it was last seen, the process that opened the connection
// (egress: an ingress flow's process is the workload's own server, which
// adds nothing to the line and would cost the fix its room), and the fix.
func line(f policy.Finding) string {
	s := fmt.Sprintf("netpol-advisor: %s: %s (seen %d times, last %s", f.Flow.Workload.Name, f.Message,
		f.Flow.Count, f.Flow.LastSeen.UTC().Format("2006-01-02T15:04:05Z"))
	if f.Flow.Process != "" && f.Flow.Direction != flow.Ingress {
		s += ", by " + processes(f.Flow.Process)
	}
	return clip(s + "); fix: " + f.Fix)
}

// processes renders the comma-joined process names of a finding, each
// escaped and bounded by flow.SanitizeProcess and quoted: a name is a
// node's word, and quoting keeps a forged one ("x); fix: kubectl delete
// ...") from reading as part of the advice.
func processes(joined string) string {
	names := strings.Split(joined, ",")
	for i, n := range names {
		// Not strconv.Quote: it would double the sanitizer's backslashes.
		names[i] = `"` + strings.ReplaceAll(flow.SanitizeProcess(n), `"`, `\"`) + `"`
	}
	return strings.Join(names, ", ")
}

func more(n int, all []policy.Finding) string {
	s := fmt.Sprintf("netpol-advisor: %d more blocked flows not shown", n)
	w := all[0].Flow.Workload
	for _, f := range all {
		if f.Flow.Workload != w {
			return s + fmt.Sprintf("; each Deployment's recommended policy, which allows all of them, is in its annotation %s: kubectl get deployments -n %s -o yaml",
				advice.PolicyAnnotation, w.Namespace)
		}
	}
	if w.Kind != flow.KindDeployment {
		return s + "; fix the ones above and apply again with --dry-run=server to see the rest"
	}
	return s + fmt.Sprintf("; the recommended policy, which allows all of them, is in annotation %s: kubectl get deployment %s -n %s -o yaml",
		advice.PolicyAnnotation, w.Name, w.Namespace)
}

// clip makes s one printable line of at most maxLine runes: line breaks
// and tabs become spaces and every other unprintable rune is escaped
// (flow.Sanitize). One control character would make the API server drop
// the whole warning, silently.
func clip(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		return r
	}, s)
	return flow.Sanitize(s, maxLine)
}
