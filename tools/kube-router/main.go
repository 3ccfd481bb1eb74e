// Command kube-router is upstream kube-router, run by hack/cluster with only
// its network-policy firewall enabled.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/cloudnativelabs/kube-router/v2/pkg/cmd"
	"github.com/cloudnativelabs/kube-router/v2/pkg/options"
	"github.com/spf13/pflag"
	"k8s.io/klog/v2"
)

func main() { os.Exit(run()) }

func run() int {
	if err := start(); err != nil {
		fmt.Fprintln(os.Stderr, "kube-router:", err)
		return 1
	}
	return 0
}

func start() error {
	klog.InitFlags(nil)
	config := options.NewKubeRouterConfig()
	config.AddFlags(pflag.CommandLine)
	pflag.Parse()
	if err := flag.Set("logtostderr", "true"); err != nil {
		return fmt.Errorf("set klog flag: %w", err)
	}
	if err := flag.Set("v", config.VLevel); err != nil {
		return fmt.Errorf("set klog verbosity: %w", err)
	}
	router, err := cmd.NewKubeRouterDefault(config)
	if err != nil {
		return fmt.Errorf("parse kube-router config: %w", err)
	}
	if err := router.Run(); err != nil {
		return fmt.Errorf("run kube-router: %w", err)
	}
	return nil
}
