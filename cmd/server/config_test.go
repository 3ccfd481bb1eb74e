package main

import (
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func TestConfigFlagsAndValidate(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"defaults need TLS files", nil, "--tls-cert-file"},
		{"complete", []string{"--tls-cert-file=c", "--tls-key-file=k"}, ""},
		{"retention shorter than a bucket", []string{"--tls-cert-file=c", "--tls-key-file=k", "--bucket=1h", "--retention=10m"}, "--retention"},
		{"no observer", []string{"--tls-cert-file=c", "--tls-key-file=k", "--observer-user="}, "--observer-user"},
		{"webhooks off need no cert dir", []string{"--tls-cert-file=c", "--tls-key-file=k", "--webhook-port=0", "--webhook-cert-dir="}, ""},
		{"webhooks on need a cert dir", []string{"--tls-cert-file=c", "--tls-key-file=k", "--webhook-cert-dir="}, "--webhook-cert-dir"},
		{"webhooks on need the configurations' name", []string{"--tls-cert-file=c", "--tls-key-file=k", "--webhook-configuration="}, "--webhook-configuration"},
		{"aggregated API on a host name", []string{"--tls-cert-file=c", "--tls-key-file=k", "--api-listen=localhost:6443"}, "--api-listen host"},
		{"webhook port out of range", []string{"--tls-cert-file=c", "--tls-key-file=k", "--webhook-port=70000"}, "--webhook-port"},
		{"no warning lines", []string{"--tls-cert-file=c", "--tls-key-file=k", "--max-warnings=0"}, "--max-warnings"},
		{"bucket not whole seconds", []string{"--tls-cert-file=c", "--tls-key-file=k", "--bucket=1500ms"}, "--bucket"},
		{"mismatch off", []string{"--tls-cert-file=c", "--tls-key-file=k", "--mismatch-period=0"}, ""},
		{"mismatch debounce longer than its period", []string{"--tls-cert-file=c", "--tls-key-file=k", "--mismatch-period=1s", "--mismatch-debounce=2s"}, "--mismatch-debounce"},
		{"client names without a client CA", []string{"--tls-cert-file=c", "--tls-key-file=k", "--webhook-client-name=kube-apiserver"}, "--webhook-client-ca-file"},
		{"client CA and names", []string{"--tls-cert-file=c", "--tls-key-file=k", "--webhook-client-ca-file=ca.pem", "--webhook-client-name=a", "--webhook-client-name=b"}, ""},
		{"pod cidr not a cidr", []string{"--tls-cert-file=c", "--tls-key-file=k", "--pod-cidr=10.0.0.1"}, "--pod-cidr"},
		{"pod cidr", []string{"--tls-cert-file=c", "--tls-key-file=k", "--pod-cidr=10.244.0.0/16,fd00:10:244::/56"}, ""},
		{"node-local dns off", []string{"--tls-cert-file=c", "--tls-key-file=k", "--node-local-dns="}, ""},
		{"no clock skew", []string{"--tls-cert-file=c", "--tls-key-file=k", "--max-clock-skew=0"}, "--max-clock-skew"},
		{"no token reviews", []string{"--tls-cert-file=c", "--tls-key-file=k", "--tokenreview-qps=0"}, "--tokenreview-qps"},
		{"annotate namespace selector", []string{"--tls-cert-file=c", "--tls-key-file=k", "--annotate-namespace-selector=team in (a,b),!legacy"}, ""},
		{"annotate namespace selector as JSON", []string{"--tls-cert-file=c", "--tls-key-file=k", `--annotate-namespace-selector={"matchLabels":{"team":"a"}}`}, ""},
		{"bad annotate namespace selector", []string{"--tls-cert-file=c", "--tls-key-file=k", "--annotate-namespace-selector=team in a"}, "--annotate-namespace-selector"},
		{"annotate namespace selector with an unknown JSON field", []string{"--tls-cert-file=c", "--tls-key-file=k", `--annotate-namespace-selector={"matchLabel":{"team":"a"}}`}, "--annotate-namespace-selector"},
		{"negative deleted-pod grace", []string{"--tls-cert-file=c", "--tls-key-file=k", "--deleted-pod-grace=-5m"}, "--deleted-pod-grace"},
		{"no rollup", []string{"--tls-cert-file=c", "--tls-key-file=k", "--rollup=none"}, ""},
		{"rollup to a bucket not a multiple of --bucket", []string{"--tls-cert-file=c", "--tls-key-file=k", "--bucket=1h", "--rollup=48h:90m"}, "--rollup"},
		{"no block cache", []string{"--tls-cert-file=c", "--tls-key-file=k", "--store-block-cache-mib=0"}, "--store-block-cache-mib"},
		{"memtable too small for a batch", []string{"--tls-cert-file=c", "--tls-key-file=k", "--store-memtable-mib=4"}, "memtable size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			fs := pflag.NewFlagSet("server", pflag.ContinueOnError)
			cfg.AddFlags(fs)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatalf("parse: %v", err)
			}
			err := cfg.Validate()
			if tt.wantErr == "" && err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("Validate = %v, want an error naming %s", err, tt.wantErr)
			}
		})
	}
	if in := DefaultConfig().Ingest; len(in.Audiences) != 1 || in.Audiences[0] != "netpol-advisor" || in.AllowUnboundTokens || in.MaxClockSkew != 5*time.Minute {
		t.Fatalf("ingest defaults: %+v, want audience netpol-advisor, bound tokens only, 5m skew", in)
	}
	if d := DefaultConfig(); d.Bucket != 10*time.Minute || d.Retention != 14*24*time.Hour {
		t.Fatalf("defaults changed: bucket %s, retention %s", d.Bucket, d.Retention)
	}
}

// --api-listen=:6443 (the chart's) listens on every address; a host name
// is refused at start-up instead of failing in the listener.
func TestAPIBindAddress(t *testing.T) {
	tests := []struct {
		host, want string
		wantErr    bool
	}{
		{"", "0.0.0.0", false},
		{"127.0.0.1", "127.0.0.1", false},
		{"::", "::", false},
		{"localhost", "", true},
	}
	for _, tt := range tests {
		ip, err := bindAddress(tt.host)
		if (err != nil) != tt.wantErr || (err == nil && ip.String() != tt.want) {
			t.Errorf("bindAddress(%q) = %v, %v; want %s (error %v)", tt.host, ip, err, tt.want, tt.wantErr)
		}
	}
}
