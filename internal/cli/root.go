package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
)

// Options are what the command needs from its process.
type Options struct {
	Out, ErrOut io.Writer
	In          io.Reader
	// NoColour turns colour off even on a terminal (NO_COLOR is set).
	NoColour bool
	// Version is printed by the version command.
	Version string
}

// common are the flags and clients every subcommand shares.
type common struct {
	opts   Options
	flags  *genericclioptions.ConfigFlags
	output string
	window window
	colour colour
}

// NewCommand is the root command with every subcommand.
func NewCommand(o Options) *cobra.Command {
	c := &common{opts: o, flags: genericclioptions.NewConfigFlags(true)}
	root := &cobra.Command{
		Use:   "netpol-advisor",
		Short: "Advice on Kubernetes NetworkPolicies from the traffic pods really make",
		Long: "netpol-advisor reads the baselines that its observers record (who talks to whom, on which port,\n" +
			"with which process) through the Kubernetes API server, and turns them into NetworkPolicies and checks.\n" +
			"It uses your kubeconfig: Kubernetes RBAC on baselines.netpol-advisor.io decides what you may see.",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRun: func(cmd *cobra.Command, _ []string) {
			c.colour = colourFor(o.Out, o.NoColour)
		},
	}
	root.SetOut(o.Out)
	root.SetErr(o.ErrOut)
	root.SetIn(o.In)
	c.flags.AddFlags(root.PersistentFlags())
	root.AddCommand(c.baselineCommand(), c.topologyCommand(), c.generateCommand(), c.checkCommand(), c.explainCommand(), c.uiCommand(), c.versionCommand())
	return root
}

func (c *common) addWindowFlags(cmd *cobra.Command) {
	cmd.Flags().DurationVar(&c.window.last, "window", 0, "read the last this long, e.g. 3h (default: the server's window)")
	cmd.Flags().StringVar(&c.window.since, "since", "", "read from this time on (RFC 3339, e.g. 2026-11-30T09:00:00Z)")
}

func (c *common) addOutputFlag(cmd *cobra.Command, formats string) {
	cmd.Flags().StringVarP(&c.output, "output", "o", "", "output format: "+formats)
}

// namespace is -n, or the kubeconfig context's namespace.
func (c *common) namespace() (string, error) {
	ns, _, err := c.flags.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return "", fmt.Errorf("namespace from kubeconfig: %w", err)
	}
	return ns, nil
}

func (c *common) client() (*client, error) { return newClient(c.flags) }

// withProgress runs f and, on a terminal, says it is still waiting when it
// takes longer than a second.
func (c *common) withProgress(ctx context.Context, what string, f func(context.Context) error) error {
	if !c.colour.on {
		return f(ctx)
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-done:
		case <-time.After(time.Second):
			fmt.Fprintf(c.opts.ErrOut, "reading %s…\r", what)
		}
	}()
	err := f(ctx)
	close(done)
	return err
}

func (c *common) versionCommand() *cobra.Command {
	return &cobra.Command{Use: "version", Short: "Print the version", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), c.opts.Version)
			return err
		}}
}
