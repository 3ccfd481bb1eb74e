package agent

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/spf13/pflag"
)

// Config configures the observer side of baselines.
type Config struct {
	// Node is this observer's node name (from the downward API).
	Node string
	// Server is the base URL of the server's ingest API.
	Server string
	// CAFile is the PEM bundle that verifies the server's certificate.
	CAFile string
	// TokenFile holds the projected ServiceAccount token sent to the server.
	TokenFile string
	// Kubeconfig is used instead of the in-cluster configuration when set.
	Kubeconfig string
	// CgroupRoot is the cgroup v2 mount the kubelet's pod cgroups are
	// under, to resolve host-network pods; empty finds the cgroup2 mount.
	// It must be on a cgroup2 file system.
	CgroupRoot string
	// DataDir holds the outbox.
	DataDir string
	// DrainEvery is how often observations are drained into the outbox.
	DrainEvery time.Duration
	// MaxBatch bounds the records of one batch.
	MaxBatch int
	// MaxPending bounds the records waiting in the outbox.
	MaxPending int
	// History is how long acknowledged batches stay in the outbox.
	History time.Duration
	// RetryMin and RetryMax bound the backoff between failed sends.
	RetryMin, RetryMax time.Duration
}

// DefaultConfig returns the defaults used by AddFlags.
func DefaultConfig() Config {
	return Config{
		TokenFile:  "/var/run/secrets/netpol-advisor/token",
		DataDir:    "/var/lib/netpol-advisor/observer",
		DrainEvery: 10 * time.Second,
		MaxBatch:   5000,
		MaxPending: 1_000_000,
		History:    time.Hour,
		RetryMin:   500 * time.Millisecond,
		RetryMax:   time.Minute,
	}
}

// AddFlags registers the configuration's flags, with c's values as defaults.
func (c *Config) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.Node, "node-name", c.Node, "name of this observer's node (required; use the downward API)")
	fs.StringVar(&c.Server, "server", c.Server, "base URL of the netpol-advisor server, e.g. https://netpol-advisor.netpol-advisor.svc:8443 (required)")
	fs.StringVar(&c.CAFile, "server-ca-file", c.CAFile, "PEM file of the CA that signed the server's certificate (default: system roots)")
	fs.StringVar(&c.TokenFile, "token-file", c.TokenFile, "projected ServiceAccount token sent to the server, with the audience of the server's --token-audience (netpol-advisor)")
	fs.StringVar(&c.Kubeconfig, "kubeconfig", c.Kubeconfig, "kubeconfig file (default: in-cluster configuration)")
	fs.StringVar(&c.CgroupRoot, "cgroup-root", c.CgroupRoot, "cgroup2 mount holding the pods' cgroups, to resolve host-network pods (default: the cgroup2 mount in /proc/self/mountinfo, e.g. /sys/fs/cgroup/unified on hybrid hosts)")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "directory of the durable outbox")
	fs.DurationVar(&c.DrainEvery, "drain-interval", c.DrainEvery, "how often kernel observations are moved to the outbox")
	fs.IntVar(&c.MaxBatch, "max-batch", c.MaxBatch, "records per batch sent to the server")
	fs.IntVar(&c.MaxPending, "max-pending", c.MaxPending, "records kept while the server is away; beyond it draining pauses")
	fs.DurationVar(&c.History, "history", c.History, "how long acknowledged batches are kept locally")
	fs.DurationVar(&c.RetryMin, "retry-min", c.RetryMin, "first backoff after a failed send")
	fs.DurationVar(&c.RetryMax, "retry-max", c.RetryMax, "longest backoff after failed sends")
}

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	var errs []error
	if c.Node == "" {
		errs = append(errs, errors.New("--node-name is required"))
	}
	if u, err := url.Parse(c.Server); err != nil || u.Scheme != "https" || u.Host == "" {
		errs = append(errs, fmt.Errorf("--server %q must be an https:// URL", c.Server))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("--data-dir is required"))
	}
	if c.DrainEvery <= 0 || c.RetryMin <= 0 || c.RetryMax < c.RetryMin {
		errs = append(errs, errors.New("--drain-interval and --retry-min must be positive and --retry-max at least --retry-min"))
	}
	if c.MaxBatch <= 0 || c.MaxPending < c.MaxBatch {
		errs = append(errs, errors.New("--max-batch must be positive and --max-pending at least --max-batch"))
	}
	return errors.Join(errs...)
}
