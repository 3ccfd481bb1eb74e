package main

import (
	"crypto/tls"
	"errors"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/pflag"
	"k8s.io/client-go/kubernetes"

	"github.com/netpol-advisor/netpol-advisor/internal/resolve"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/transport"
)

// IngestConfig is what the server trusts of observers and how hard it
// lets them (or anyone posing as one) push.
type IngestConfig struct {
	// Audiences are required of observers' tokens (projected tokens with
	// the product's audience, useless against the API server).
	Audiences []string
	// AllowUnboundTokens accepts tokens not bound to a pod, which name no
	// node: their holder may speak for any node's pods.
	AllowUnboundTokens bool
	// MaxClockSkew is how far ahead of the server an observer's clock may
	// be; later times are set to the server's.
	MaxClockSkew time.Duration
	// TokenReviewQPS and TokenReviewBurst bound TokenReviews of new
	// tokens (and, separately, renewals of accepted ones).
	TokenReviewQPS   float64
	TokenReviewBurst int
	// TokenCacheTTL is how long an accepted token is trusted without a
	// new TokenReview.
	TokenCacheTTL time.Duration
	// VerifyLocally verifies pod-bound tokens with the API server's
	// published keys instead of TokenReviews.
	VerifyLocally bool
}

// defaultIngest: 1,000 observers renew their tokens every 2 minutes, 8.3
// reviews/s, well inside 20/s (so about 2,400 nodes before --tokenreview-qps
// must grow).
func defaultIngest() IngestConfig {
	return IngestConfig{
		Audiences: []string{"netpol-advisor"}, MaxClockSkew: transport.DefaultMaxClockSkew,
		TokenReviewQPS: 20, TokenReviewBurst: 50, TokenCacheTTL: 2 * time.Minute, VerifyLocally: true,
	}
}

// AddFlags registers the ingest flags, with c's values as defaults.
func (c *IngestConfig) AddFlags(fs *pflag.FlagSet) {
	fs.StringSliceVar(&c.Audiences, "token-audience", c.Audiences, "audiences required of observers' tokens (the observers' projected token must carry one; empty: the API server's own, not recommended)")
	fs.BoolVar(&c.AllowUnboundTokens, "allow-unbound-tokens", c.AllowUnboundTokens, "accept observer tokens not bound to a pod (no node in them: the holder may send for any node's pods)")
	fs.DurationVar(&c.MaxClockSkew, "max-clock-skew", c.MaxClockSkew, "how far ahead of the server's clock observers' times may be; later times are set to the server's time")
	fs.Float64Var(&c.TokenReviewQPS, "tokenreview-qps", c.TokenReviewQPS, "TokenReviews per second for tokens not seen before (renewals of accepted tokens have the same budget of their own)")
	fs.IntVar(&c.TokenReviewBurst, "tokenreview-burst", c.TokenReviewBurst, "burst of --tokenreview-qps")
	fs.BoolVar(&c.VerifyLocally, "verify-tokens-locally", c.VerifyLocally, "verify observers' pod-bound tokens with the keys of the API server's OIDC discovery (no TokenReview; the token's pod must be live on its node); other tokens are reviewed")
	fs.DurationVar(&c.TokenCacheTTL, "token-cache-ttl", c.TokenCacheTTL, "how long an accepted observer token is trusted before it is reviewed again (how long a revoked token still works)")
}

// Validate reports the problems of the ingest flags.
func (c IngestConfig) Validate() error {
	var errs []error
	if c.MaxClockSkew <= 0 {
		errs = append(errs, errors.New("--max-clock-skew must be positive"))
	}
	if c.TokenReviewQPS <= 0 || c.TokenReviewBurst < 1 {
		errs = append(errs, errors.New("--tokenreview-qps must be positive and --tokenreview-burst at least 1"))
	}
	if c.TokenCacheTTL < time.Second {
		errs = append(errs, errors.New("--token-cache-ttl must be at least 1s"))
	}
	return errors.Join(errs...)
}

// ingestHandler wires the ingest: observers' tokens reviewed with the
// product's audience and a rate limit, records bound to the sender's node
// through the resolver's pods.
func ingestHandler(cfg Config, cs kubernetes.Interface, idx *resolve.Index, w store.Writer, reg prometheus.Registerer, log *slog.Logger) *transport.Handler {
	m := transport.NewMetrics(reg)
	in := cfg.Ingest
	var auth transport.Authenticator = transport.NewTokenReviewerWith(cs, transport.TokenReviewOptions{Audiences: in.Audiences,
		TTL: in.TokenCacheTTL, QPS: in.TokenReviewQPS, Burst: in.TokenReviewBurst, Metrics: m})
	if in.VerifyLocally {
		auth = &transport.LocalVerifier{Client: cs.CoreV1().RESTClient(), Audiences: in.Audiences, Fallback: auth}
	}
	return &transport.Handler{Auth: auth, Observers: cfg.Observers, Pods: idx, Resolver: idx, Writer: w,
		AllowUnboundTokens: in.AllowUnboundTokens, MaxClockSkew: in.MaxClockSkew, MaxAge: cfg.Retention,
		MaxBodyBytes: cfg.MaxBodyBytes, MaxRecords: cfg.MaxRecords, Logger: log, Metrics: m}
}

// ingestTLS serves the certificate files, reloaded when they change.
func ingestTLS(cfg Config, log *slog.Logger) (*tls.Config, error) {
	cf, err := transport.LoadCertFile(cfg.TLSCertFile, cfg.TLSKeyFile, log)
	if err != nil {
		return nil, err
	}
	return &tls.Config{GetCertificate: cf.GetCertificate, MinVersion: tls.VersionTLS12}, nil
}
