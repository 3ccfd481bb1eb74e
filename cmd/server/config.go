package main

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/spf13/pflag"

	"github.com/netpol-advisor/netpol-advisor/internal/resolve"
	"github.com/netpol-advisor/netpol-advisor/internal/store/badgerstore"
	"github.com/netpol-advisor/netpol-advisor/internal/transport"
	"github.com/netpol-advisor/netpol-advisor/webhook/config"
	"github.com/netpol-advisor/netpol-advisor/webhook/workloads"
)

// Config is the server's configuration.
type Config struct {
	Listen       string
	MetricsAddr  string
	PprofAddr    string // net/http/pprof (empty: off)
	TLSCertFile  string
	TLSKeyFile   string
	Kubeconfig   string
	DataDir      string
	Bucket       time.Duration
	Retention    time.Duration
	Grace        time.Duration
	NodeLocalDNS netip.Addr
	PodCIDRs     []string
	Observers    []string
	Ingest       IngestConfig
	MaxBodyBytes int64
	MaxRecords   int
	SyncWrites   bool
	Store        StoreConfig
	Debug        bool
	Webhook      WebhookConfig
	API          APIConfig
	Mismatch     MismatchConfig
}

// APIConfig configures the aggregated API (netpol-advisor.io) that people
// read through the Kubernetes API server.
type APIConfig struct {
	// Listen is host:port of its HTTPS server; empty turns it off.
	Listen string
	// Window is the window of reads that name none (0: all kept).
	Window time.Duration
}

// MismatchConfig tunes the continuous evaluation of the policies in force
// against the baselines (the mismatch metrics).
type MismatchConfig struct {
	// Period is how often everything is evaluated; 0 turns it off.
	Period time.Duration
	// Debounce is how long a change waits for more before a round.
	Debounce time.Duration
}

// WebhookConfig configures the admission webhooks the server serves.
type WebhookConfig struct {
	// Port of the webhook HTTPS server; 0 turns the webhooks off.
	Port int
	// CertDir receives the serving certificate the server rotates itself.
	CertDir string
	// Namespace and Service are the product's own namespace and the
	// webhook Service the certificate is issued for.
	Namespace, Service string
	// Configuration names the Mutating- and ValidatingWebhookConfiguration
	// (installed by the chart) whose caBundle the server keeps current.
	Configuration string
	// Window is how far back baselines are read for advice (0: all kept).
	Window time.Duration
	// MaxWarnings caps the finding lines of one NetworkPolicy review.
	MaxWarnings int
	// ClientCAFile, when set, makes the webhook server require a client
	// certificate signed by it (the API server's, sent per its
	// AdmissionConfiguration); ClientNames restrict the certificate's CN
	// or DNS SAN.
	ClientCAFile string
	ClientNames  []string
	// AnnotateNamespaces is the label selector of the namespaces whose
	// workloads are annotated (empty: all); see workloads.ParseSelector.
	AnnotateNamespaces string
	// AnnotateQPS and AnnotateBurst limit the annotator's writes to the
	// API server, all workload kinds together.
	AnnotateQPS   float64
	AnnotateBurst int
}

// DefaultConfig returns the defaults used by AddFlags.
func DefaultConfig() Config {
	return Config{
		Listen:       ":8443",
		MetricsAddr:  ":9090",
		DataDir:      "/var/lib/netpol-advisor/server",
		Bucket:       badgerstore.DefaultBucket,
		Retention:    14 * 24 * time.Hour,
		Grace:        5 * time.Minute,
		NodeLocalDNS: resolve.DefaultNodeLocalDNS,
		Observers:    []string{"system:serviceaccount:netpol-advisor:netpol-advisor-observer"},
		MaxBodyBytes: transport.DefaultMaxBodyBytes,
		MaxRecords:   transport.DefaultMaxRecords,
		Ingest:       defaultIngest(),
		Store:        defaultStore(),
		Webhook: WebhookConfig{
			Port:          9443,
			CertDir:       "/var/run/netpol-advisor/webhook-certs",
			Namespace:     "netpol-advisor",
			Service:       "netpol-advisor-webhook",
			Configuration: config.Name,
			MaxWarnings:   10,
			AnnotateQPS:   5,
			AnnotateBurst: 20,
		},
		Mismatch: MismatchConfig{Period: time.Minute, Debounce: time.Second},
	}
}

// AddFlags registers the configuration's flags, with c's values as defaults.
func (c *Config) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.Listen, "listen", c.Listen, "address of the HTTPS server (ingest and read API)")
	fs.StringVar(&c.MetricsAddr, "metrics-listen", c.MetricsAddr, "address of the plain-HTTP Prometheus /metrics endpoint (empty: off)")
	fs.StringVar(&c.TLSCertFile, "tls-cert-file", c.TLSCertFile, "PEM certificate of the HTTPS server (required)")
	fs.StringVar(&c.TLSKeyFile, "tls-key-file", c.TLSKeyFile, "PEM private key of the HTTPS server (required)")
	fs.StringVar(&c.Kubeconfig, "kubeconfig", c.Kubeconfig, "kubeconfig file (default: in-cluster configuration)")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "directory of the baseline store")
	fs.DurationVar(&c.Bucket, "bucket", c.Bucket, "time resolution of baselines; never change it for an existing --data-dir")
	fs.DurationVar(&c.Retention, "retention", c.Retention, "how long baselines are kept")
	fs.DurationVar(&c.Grace, "deleted-pod-grace", c.Grace, "how long a deleted pod's IP still resolves to it; a flow older than this to an address no longer known is stored as unresolved, never external (raise it to the longest observer backlog replayed)")
	fs.TextVar(&c.NodeLocalDNS, "node-local-dns", c.NodeLocalDNS, "address of NodeLocal DNSCache: flows to it are DNS (empty: none deployed)")
	fs.StringSliceVar(&c.PodCIDRs, "pod-cidr", c.PodCIDRs, "pod address ranges, when nodes do not publish spec.podCIDRs: an old flow to an address outside them is external, inside them unresolved")
	fs.StringSliceVar(&c.Observers, "observer-user", c.Observers, "user names (ServiceAccounts) allowed to send batches")
	c.Ingest.AddFlags(fs)
	fs.Int64Var(&c.MaxBodyBytes, "max-batch-bytes", c.MaxBodyBytes, "largest batch body accepted")
	fs.IntVar(&c.MaxRecords, "max-batch-records", c.MaxRecords, "most records accepted in one batch")
	fs.BoolVar(&c.SyncWrites, "sync-writes", c.SyncWrites, "fsync every batch before acknowledging it (survives machine crashes)")
	c.Store.AddFlags(fs)
	fs.BoolVar(&c.Debug, "debug", c.Debug, "log at debug level")
	fs.StringVar(&c.PprofAddr, "pprof-listen", c.PprofAddr, "address of a plain-HTTP net/http/pprof endpoint for profiling (empty: off); profiles hold the cluster's names and addresses, so bind it to 127.0.0.1 and never expose it")
	fs.StringVar(&c.API.Listen, "api-listen", c.API.Listen, "address of the aggregated API's HTTPS server (netpol-advisor.io, registered by an APIService; empty: off); it serves --tls-cert-file")
	fs.DurationVar(&c.API.Window, "api-default-window", c.API.Window, "window of aggregated API reads whose field selector names none (0: all that is kept)")
	fs.IntVar(&c.Webhook.Port, "webhook-port", c.Webhook.Port, "port of the admission webhooks' HTTPS server (0: webhooks off)")
	fs.StringVar(&c.Webhook.CertDir, "webhook-cert-dir", c.Webhook.CertDir, "directory the self-rotated webhook serving certificate is written to")
	fs.StringVar(&c.Webhook.Namespace, "namespace", c.Webhook.Namespace, "the product's own namespace (webhooks skip it; the certificate Secret lives there)")
	fs.StringVar(&c.Webhook.Service, "webhook-service", c.Webhook.Service, "name of the Service in front of the webhooks (the certificate is issued for it)")
	fs.StringVar(&c.Webhook.Configuration, "webhook-configuration", c.Webhook.Configuration, "name of the Mutating- and ValidatingWebhookConfiguration whose caBundle the server patches")
	fs.DurationVar(&c.Webhook.Window, "advice-window", c.Webhook.Window, "how far back baselines are read for recommendations and warnings (0: all that is kept)")
	fs.IntVar(&c.Webhook.MaxWarnings, "max-warnings", c.Webhook.MaxWarnings, "most finding lines in one kubectl apply warning")
	fs.DurationVar(&c.Mismatch.Period, "mismatch-period", c.Mismatch.Period, "how often the policies in force are evaluated in full against the baselines (mismatch metrics; 0: off); changes are evaluated as they happen")
	fs.DurationVar(&c.Mismatch.Debounce, "mismatch-debounce", c.Mismatch.Debounce, "how long a policy, workload or baseline change waits for more before the mismatch metrics are updated")
	fs.StringVar(&c.Webhook.ClientCAFile, "webhook-client-ca-file", c.Webhook.ClientCAFile,
		"PEM CA of the API server's webhook client certificate; when set, webhook callers without a certificate it signed are refused (see SECURITY.md)")
	fs.StringSliceVar(&c.Webhook.ClientNames, "webhook-client-name", c.Webhook.ClientNames,
		"allowed common name or DNS SAN of the webhook client certificate (repeatable; empty: any the CA signed)")
	fs.StringVar(&c.Webhook.AnnotateNamespaces, "annotate-namespace-selector", c.Webhook.AnnotateNamespaces,
		"label selector of the namespaces whose workloads are annotated, as kubectl -l takes it or a LabelSelector in JSON (empty: all)")
	fs.Float64Var(&c.Webhook.AnnotateQPS, "annotate-qps", c.Webhook.AnnotateQPS,
		"annotation writes per second, all workload kinds together (the first round of a large cluster takes workloads/QPS seconds)")
	fs.IntVar(&c.Webhook.AnnotateBurst, "annotate-burst", c.Webhook.AnnotateBurst, "annotation writes allowed at once above --annotate-qps")
}

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	var errs []error
	if c.TLSCertFile == "" || c.TLSKeyFile == "" {
		errs = append(errs, errors.New("--tls-cert-file and --tls-key-file are required: the server only speaks HTTPS"))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("--data-dir is required"))
	}
	if c.Bucket < time.Second || c.Bucket%time.Second != 0 || c.Retention < c.Bucket {
		errs = append(errs, errors.New("--bucket must be a whole number of seconds, at least 1s, and --retention at least one bucket"))
	}
	if err := c.Store.Validate(c.Bucket); err != nil {
		errs = append(errs, err)
	}
	if c.Grace < 0 {
		errs = append(errs, errors.New("--deleted-pod-grace must not be negative (0: the default, 5m)"))
	}
	for _, p := range c.PodCIDRs {
		if _, err := netip.ParsePrefix(p); err != nil {
			errs = append(errs, fmt.Errorf("--pod-cidr %q is not a CIDR such as 10.244.0.0/16", p))
		}
	}
	if len(c.Observers) == 0 {
		errs = append(errs, errors.New("--observer-user must name at least one user"))
	}
	if err := c.Ingest.Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.MaxBodyBytes <= 0 || c.MaxRecords <= 0 {
		errs = append(errs, errors.New("--max-batch-bytes and --max-batch-records must be positive"))
	}
	if c.Webhook.Port < 0 || c.Webhook.Port > 65535 {
		errs = append(errs, errors.New("--webhook-port must be 0 (off) or a TCP port"))
	}
	if c.Webhook.Port != 0 && (c.Webhook.CertDir == "" || c.Webhook.Namespace == "" || c.Webhook.Service == "" || c.Webhook.Configuration == "") {
		errs = append(errs, errors.New("with webhooks on, --webhook-cert-dir, --namespace, --webhook-service and --webhook-configuration are required"))
	}
	if c.Webhook.AnnotateQPS <= 0 || c.Webhook.AnnotateBurst < 1 {
		errs = append(errs, errors.New("--annotate-qps must be positive and --annotate-burst at least 1"))
	}
	if len(c.Webhook.ClientNames) > 0 && c.Webhook.ClientCAFile == "" {
		errs = append(errs, errors.New("--webhook-client-name needs --webhook-client-ca-file: names are only checked on a verified client certificate"))
	}
	if _, err := workloads.ParseSelector(c.Webhook.AnnotateNamespaces); err != nil {
		errs = append(errs, fmt.Errorf("--annotate-namespace-selector: %w", err))
	}
	if c.API.Listen != "" {
		if host, _, err := net.SplitHostPort(c.API.Listen); err != nil {
			errs = append(errs, fmt.Errorf("--api-listen %q: want host:port, e.g. :6443", c.API.Listen))
		} else if _, err := bindAddress(host); err != nil {
			errs = append(errs, err)
		}
	}
	if c.API.Window < 0 {
		errs = append(errs, errors.New("--api-default-window must not be negative (0: all that is kept)"))
	}
	if c.Webhook.MaxWarnings < 1 {
		errs = append(errs, errors.New("--max-warnings must be at least 1"))
	}
	if c.Mismatch.Period < 0 || c.Mismatch.Debounce <= 0 || c.Mismatch.Period > 0 && c.Mismatch.Debounce > c.Mismatch.Period {
		errs = append(errs, errors.New("--mismatch-period must be 0 (off) or positive, and --mismatch-debounce positive and not longer than the period"))
	}
	return errors.Join(errs...)
}
