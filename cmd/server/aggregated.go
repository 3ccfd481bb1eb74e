package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"

	"github.com/netpol-advisor/netpol-advisor/internal/apiserver"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
)

// startAggregatedAPI serves the netpol-advisor.io API until ctx ends, in a
// goroutine of wg; the channel yields its exit error. Recommendations need
// the webhooks' advisor: without it only baselines and topologies are
// served. Off, it returns a nil channel.
func startAggregatedAPI(ctx context.Context, wg *sync.WaitGroup, cfg Config, st store.Reader, adv *advice.Advisor, log *slog.Logger) (<-chan error, error) {
	if cfg.API.Listen == "" {
		log.Info("aggregated API off (--api-listen empty)")
		return nil, nil
	}
	host, p, err := net.SplitHostPort(cfg.API.Listen)
	if err != nil {
		return nil, fmt.Errorf("--api-listen: %w", err)
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		return nil, fmt.Errorf("--api-listen port %q: %w", p, err)
	}
	bind, err := bindAddress(host)
	if err != nil {
		return nil, err
	}
	deps := apiserver.Deps{Baselines: st}
	if adv != nil {
		deps.Recommender, deps.Checker, deps.Explainer, deps.Describer = adv, adv, adv, adv
	}
	srv, err := apiserver.New(apiserver.Config{BindAddress: bind, Port: port, CertFile: cfg.TLSCertFile,
		KeyFile: cfg.TLSKeyFile, Kubeconfig: cfg.Kubeconfig, DefaultWindow: cfg.API.Window}, deps)
	if err != nil {
		return nil, err
	}
	errc := make(chan error, 1)
	wg.Go(func() {
		err := srv.Run(ctx)
		if ctx.Err() == nil { // stopped on its own: the server must stop too
			errc <- fmt.Errorf("stopped unexpectedly: %v", err)
		}
	})
	log.Info("aggregated API serving", "addr", cfg.API.Listen, "recommendations", adv != nil)
	return errc, nil
}

// bindAddress is the IP the aggregated API listens on: ":6443" (no host)
// means every IPv4 address, as kube-apiserver's --bind-address default. The
// generic API server takes an IP; a nil one made it listen on "<nil>:6443".
func bindAddress(host string) (net.IP, error) {
	if host == "" {
		return net.IPv4zero, nil
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return nil, fmt.Errorf("--api-listen host %q: want an IP address or nothing (all addresses)", host)
	}
	return ip, nil
}
