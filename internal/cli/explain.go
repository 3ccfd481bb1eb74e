package cli

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/spf13/cobra"

	"github.com/netpol-advisor/netpol-advisor/internal/apis/v1alpha1"
)

type explainFlags struct {
	to       string
	port     int32
	protocol string
}

func (c *common) explainCommand() *cobra.Command {
	var e explainFlags
	cmd := &cobra.Command{
		Use:   "explain WORKLOAD --to WORKLOAD|IP --port PORT",
		Short: "Whether the policies in force allow a connection, and which policy and rule decide it at each end",
		Example: "  netpol-advisor explain deploy/web -n shop --to deploy/api --port 8080\n" +
			"  netpol-advisor explain deploy/web -n shop --to payments/deploy/ledger --port 7000\n" +
			"  netpol-advisor explain deploy/web -n shop --to 203.0.113.7 --port 443",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return c.explain(cmd.Context(), args[0], e) },
	}
	cmd.Flags().StringVar(&e.to, "to", "", "destination: kind/name, namespace/kind/name or an IP address")
	cmd.Flags().Int32Var(&e.port, "port", 0, "destination port (the pod's port, a Service's target port)")
	cmd.Flags().StringVar(&e.protocol, "protocol", "TCP", "TCP, UDP or SCTP")
	c.addOutputFlag(cmd, "yaml or json (default: sentences)")
	return cmd
}

func (c *common) explain(ctx context.Context, fromArg string, e explainFlags) error {
	ns, err := c.namespace()
	if err != nil {
		return err
	}
	from, err := parseWorkload(fromArg)
	if err != nil {
		return err
	}
	to, err := parseTarget(e.to)
	if err != nil {
		return err
	}
	if e.port == 0 {
		return fmt.Errorf("--port is required: the destination pod's port")
	}
	cl, err := c.client()
	if err != nil {
		return err
	}
	if from.Kind == "" {
		if from, err = c.findKind(ctx, cl, ns, from.Name); err != nil {
			return err
		}
	}
	cr := &v1alpha1.ConnectionReview{Spec: v1alpha1.ConnectionReviewSpec{From: from, To: to, Port: e.port, Protocol: e.protocol}}
	cr.Kind, cr.APIVersion = "ConnectionReview", v1alpha1.SchemeGroupVersion.String()
	if err := cl.create(ctx, ns, "connectionreviews", cr); err != nil {
		return err
	}
	if c.output != "" {
		return writeData(c.opts.Out, c.output, cr)
	}
	for i, line := range cr.Status.Explanation {
		if i == 0 {
			if cr.Status.Allowed {
				line = c.colour.green(line)
			} else {
				line = c.colour.red(line)
			}
		}
		fmt.Fprintln(c.opts.Out, line)
	}
	return nil
}

// parseTarget reads --to: an IP, kind/name or namespace/kind/name.
func parseTarget(arg string) (v1alpha1.ConnectionTarget, error) {
	if arg == "" {
		return v1alpha1.ConnectionTarget{}, fmt.Errorf("--to is required: kind/name, namespace/kind/name or an IP address")
	}
	if ip, err := netip.ParseAddr(arg); err == nil {
		return v1alpha1.ConnectionTarget{IP: ip.String()}, nil
	}
	ns, ref := "", arg
	if parts := strings.Split(arg, "/"); len(parts) == 3 {
		ns, ref = parts[0], parts[1]+"/"+parts[2]
	}
	w, err := parseWorkload(ref)
	if err != nil || w.Kind == "" {
		return v1alpha1.ConnectionTarget{}, fmt.Errorf("--to %q: want kind/name, namespace/kind/name or an IP address", arg)
	}
	return v1alpha1.ConnectionTarget{Namespace: ns, Kind: w.Kind, Name: w.Name}, nil
}
