package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/netpol-advisor/netpol-advisor/internal/apis/v1alpha1"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

func (c *common) baselineCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "baseline [WORKLOAD]",
		Short: "What a workload (or every workload of the namespace) was seen doing: ingress and egress tables",
		Example: "  netpol-advisor baseline deploy/web -n shop --window 3h\n" +
			"  netpol-advisor baseline -n shop -o yaml > shop-baselines.yaml",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			list, err := c.baselines(cmd, args)
			if err != nil {
				return err
			}
			if c.output != "" {
				return writeData(c.opts.Out, c.output, list)
			}
			for i, b := range list.Items {
				if i > 0 {
					fmt.Fprintln(c.opts.Out)
				}
				if err := c.printBaseline(c.opts.Out, &b); err != nil {
					return err
				}
			}
			return nil
		},
	}
	c.addWindowFlags(cmd)
	c.addOutputFlag(cmd, "yaml or json (default: tables)")
	return cmd
}

// baselines reads the named workload's baseline, or the namespace's.
func (c *common) baselines(cmd *cobra.Command, args []string) (*v1alpha1.BaselineList, error) {
	ns, err := c.namespace()
	if err != nil {
		return nil, err
	}
	var name string
	if len(args) == 1 {
		w, err := parseWorkload(args[0])
		if err != nil {
			return nil, err
		}
		name = objectName(w)
	}
	cl, err := c.client()
	if err != nil {
		return nil, err
	}
	var list v1alpha1.BaselineList
	err = c.withProgress(cmd.Context(), "baselines", func(ctx context.Context) error {
		return cl.list(ctx, ns, "baselines", name, c.window, &list)
	})
	if err != nil {
		return nil, err
	}
	if name != "" && len(list.Items) == 0 {
		return nil, fmt.Errorf("no baseline of %s in namespace %s in the window: no traffic observed yet (a new workload is "+
			"still learning), or a typo; list what exists with: kubectl get baselines -n %s", args[0], ns, ns)
	}
	list.Kind, list.APIVersion = "BaselineList", v1alpha1.SchemeGroupVersion.String()
	return &list, nil
}

func (c *common) printBaseline(w io.Writer, b *v1alpha1.Baseline) error {
	fmt.Fprintf(w, "%s %s/%s  window %s\n", c.colour.bold(b.Workload.Kind), b.Namespace, b.Workload.Name, windowText(b.Window))
	for _, part := range []struct {
		title string
		flows []v1alpha1.Flow
	}{{"INGRESS (accepted)", b.Ingress}, {"EGRESS (opened)", b.Egress}} {
		fmt.Fprintf(w, "\n%s\n", part.title)
		if len(part.flows) == 0 {
			fmt.Fprintln(w, "  none observed")
			continue
		}
		t := newTable(w, "PEER", "KIND", "NAMESPACE", "PORT", "PROTOCOL", "PROCESS", "COUNT", "FAILED", "FIRST SEEN", "LAST SEEN", "RESOLVED")
		for _, f := range part.flows {
			t.row(peerName(f.Peer), peerKind(f.Peer), orDash(f.Peer.Namespace), f.Port, f.Protocol, orDash(flow.SanitizeProcess(f.Process)),
				f.Count, failedText(f), f.FirstSeen.UTC().Format(time.RFC3339), f.LastSeen.UTC().Format(time.RFC3339), resolved(f.Peer))
		}
		if err := t.flush(); err != nil {
			return err
		}
	}
	return nil
}

// failedText is the FAILED column: the count and, where the observer told
// them apart, why they failed, e.g. "3 (2 refused, 1 timed out)".
func failedText(f v1alpha1.Flow) string {
	var kinds []string
	for _, k := range []struct {
		n    int64
		what string
	}{{f.Refused, "refused"}, {f.TimedOut, "timed out"}, {f.Unreachable, "unreachable"}} {
		if k.n > 0 {
			kinds = append(kinds, fmt.Sprintf("%d %s", k.n, k.what))
		}
	}
	if len(kinds) == 0 {
		return strconv.FormatInt(f.Failed, 10)
	}
	return fmt.Sprintf("%d (%s)", f.Failed, strings.Join(kinds, ", "))
}

func peerName(p v1alpha1.Peer) string {
	switch {
	case p.Name != "" && p.Service != "":
		return p.Name + " (via service " + p.Service + ")"
	case p.Name != "":
		return p.Name
	case p.Node != "":
		return p.Node + " " + p.IP
	}
	return p.IP
}

func peerKind(p v1alpha1.Peer) string {
	if p.WorkloadKind != "" {
		return p.WorkloadKind
	}
	return p.Kind
}

func resolved(p v1alpha1.Peer) string {
	if p.Resolved {
		return "yes"
	}
	return "no (external)"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func windowText(w v1alpha1.Window) string {
	from, to := "the oldest data kept", "now"
	if w.From != nil {
		from = w.From.UTC().Format(time.RFC3339)
	}
	if w.To != nil {
		to = w.To.UTC().Format(time.RFC3339)
	}
	return from + " → " + to
}
