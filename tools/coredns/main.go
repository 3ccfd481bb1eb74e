// Command coredns is CoreDNS v1.15 with a minimal plugin set, serving the test
// cluster's DNS as kube-dns in kube-system.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	// The plugins the Corefile in hack/cluster uses; each registers itself.
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
)

// directives is the plugin order, a subset of CoreDNS's plugin.cfg in the
// same relative order: the order decides which plugin sees a query first.
var directives = []string{"ready", "health", "errors", "log", "cache", "kubernetes"}

func main() {
	dnsserver.Directives = directives
	coremain.Run()
}
