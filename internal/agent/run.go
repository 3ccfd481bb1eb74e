package agent

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/netpol-advisor/netpol-advisor/internal/resolve"
	"github.com/netpol-advisor/netpol-advisor/internal/store/outbox"
	"github.com/netpol-advisor/netpol-advisor/internal/transport"
)

// Run wires the observer side from cfg around src and runs it until ctx
// ends: it watches this node's pods, opens the outbox and ships it. The
// agent's metrics go to reg (nil: none).
func Run(ctx context.Context, cfg Config, src Source, log *slog.Logger, reg prometheus.Registerer) error {
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("observer configuration: %w", err)
	}
	cg, err := cgroupResolver(cfg.CgroupRoot, log)
	if err != nil {
		return err
	}
	rc, err := restConfig(cfg.Kubeconfig)
	if err != nil {
		return err
	}
	cs, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return fmt.Errorf("kubernetes client: %w", err)
	}
	idx, err := resolve.Watch(ctx, cs, resolve.WatchOptions{Node: cfg.Node})
	if err != nil {
		return fmt.Errorf("watch the pods of node %s: %w", cfg.Node, err)
	}
	ob, err := outbox.Open(cfg.DataDir, outbox.Options{Node: cfg.Node, MaxRecords: cfg.MaxPending, History: cfg.History, Logger: log})
	if err != nil {
		return err
	}
	defer ob.Close()
	hc, err := httpClient(cfg.CAFile)
	if err != nil {
		return err
	}
	client := &transport.Client{URL: cfg.Server, HTTP: hc, Token: tokenFile(cfg.TokenFile)}
	log.Info("observer agent started", "node", cfg.Node, "observer", ob.ID(), "server", cfg.Server, "pending", ob.PendingRecords())
	a := &Agent{
		Source: src, Resolver: idx, Outbox: ob, Sender: client, Logger: log,
		DrainEvery: cfg.DrainEvery, MaxBatch: cfg.MaxBatch, RetryMin: cfg.RetryMin, RetryMax: cfg.RetryMax,
		Cgroups: cg, Host: NewHostAddrs(30 * time.Second),
	}
	if reg != nil {
		a.Metrics = NewMetrics(reg, ob.PendingRecords)
		RegisterOutboxAge(reg, ob, time.Now)
	}
	return a.Run(ctx)
}

func restConfig(kubeconfig string) (*rest.Config, error) {
	if kubeconfig != "" {
		rc, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
		if err != nil {
			return nil, fmt.Errorf("load kubeconfig %q: %w", kubeconfig, err)
		}
		return rc, nil
	}
	rc, err := rest.InClusterConfig()
	if err != nil {
		return nil, fmt.Errorf("in-cluster kubernetes configuration (pass --kubeconfig outside a cluster): %w", err)
	}
	return rc, nil
}

// httpClient trusts caFile (system roots when empty).
func httpClient(caFile string) (*http.Client, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("read server CA: %w", err)
		}
		tc.RootCAs = x509.NewCertPool()
		if !tc.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("server CA %q holds no PEM certificate", caFile)
		}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tc
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}, nil
}

// tokenFile reads the token at each request: projected tokens rotate.
func tokenFile(path string) func() (string, error) {
	return func() (string, error) {
		b, err := os.ReadFile(path)
		return strings.TrimSpace(string(b)), err
	}
}
