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
		{"webhook port out of range", []string{"--tls-cert-file=c", "--tls-key-file=k", "--webhook-port=70000"}, "--webhook-port"},
		{"no warning lines", []string{"--tls-cert-file=c", "--tls-key-file=k", "--max-warnings=0"}, "--max-warnings"},
		{"bucket not whole seconds", []string{"--tls-cert-file=c", "--tls-key-file=k", "--bucket=1500ms"}, "--bucket"},
		{"pod cidr not a cidr", []string{"--tls-cert-file=c", "--tls-key-file=k", "--pod-cidr=10.0.0.1"}, "--pod-cidr"},
		{"pod cidr", []string{"--tls-cert-file=c", "--tls-key-file=k", "--pod-cidr=10.244.0.0/16,fd00:10:244::/56"}, ""},
		{"node-local dns off", []string{"--tls-cert-file=c", "--tls-key-file=k", "--node-local-dns="}, ""},
		{"negative deleted-pod grace", []string{"--tls-cert-file=c", "--tls-key-file=k", "--deleted-pod-grace=-5m"}, "--deleted-pod-grace"},
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
	if d := DefaultConfig(); d.Bucket != 10*time.Minute || d.Retention != 14*24*time.Hour {
		t.Fatalf("defaults changed: bucket %s, retention %s", d.Bucket, d.Retention)
	}
}
