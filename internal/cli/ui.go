package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/netpol-advisor/netpol-advisor/internal/ui"
)

func (c *common) uiCommand() *cobra.Command {
	var port int
	var noBrowser bool
	cmd := &cobra.Command{
		Use:   "ui",
		Short: "Serve the page (topology map, ingress and egress tables, the generated policy) on 127.0.0.1",
		Long: "ui serves netpol-advisor's page on 127.0.0.1 for you alone: it reads the API with your kubeconfig's\n" +
			"credentials, so Kubernetes RBAC decides what you see, and saves your decisions as the workload's\n" +
			"netpol-advisor.io/adjustments annotation with your own rights. The printed URL holds a session token;\n" +
			"requests without it, to another host name or from another site are refused.",
		Example: "  netpol-advisor ui -n shop\n  kubectl netpol-advisor ui --port 8765 --no-browser",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := c.flags.ToRESTConfig()
			if err != nil {
				return fmt.Errorf("kubeconfig: %w", err)
			}
			ns, err := c.namespace()
			if err != nil {
				return err
			}
			srv, err := ui.Listen(ui.Config{Port: port, REST: cfg, Namespace: ns})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "netpol-advisor ui: open %s\n(Ctrl-C stops it)\n", srv.URL())
			if !noBrowser {
				if err := ui.OpenBrowser(srv.URL()); err != nil && !errors.Is(err, ui.ErrNoBrowser) {
					fmt.Fprintf(c.opts.ErrOut, "could not open a browser (%v): open the URL yourself\n", err)
				}
			}
			return srv.Serve(cmd.Context())
		},
	}
	cmd.Flags().IntVar(&port, "port", 0, "port on 127.0.0.1 (0: any free port)")
	cmd.Flags().BoolVar(&noBrowser, "no-browser", false, "do not open a browser, only print the URL")
	return cmd
}
