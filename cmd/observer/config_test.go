package main

import (
	"strings"
	"testing"
	"time"
)

func TestFlowsConfigValidate(t *testing.T) {
	ok := flowsConfig{Config: DefaultConfig(), Format: "text"}
	tests := []struct {
		name    string
		mod     func(*flowsConfig)
		wantErr bool
	}{
		{"defaults", func(*flowsConfig) {}, false},
		{"json", func(c *flowsConfig) { c.Format = "json" }, false},
		{"unknown format", func(c *flowsConfig) { c.Format = "yaml" }, true},
		{"interval too short", func(c *flowsConfig) { c.Interval = time.Millisecond }, true},
		{"flow table too small", func(c *flowsConfig) { c.MaxFlows = 10 }, true},
		{"flow table sized", func(c *flowsConfig) { c.MaxFlows = 1 << 17 }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.mod(&c)
			if err := c.Validate(); (err != nil) != tt.wantErr {
				t.Fatalf("Validate() = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

func TestRunRejectsUnknownModeAndBadFlags(t *testing.T) {
	for _, args := range [][]string{nil, {"nope"}, {"flows", "--format", "xml"}, {"flows", "--no-such-flag"}, {"run"}, {"run", "--node-name=n", "--server=http://plain:8443"}} {
		var out, errOut testWriter
		if code := run(args, &out, &errOut); code != 2 {
			t.Errorf("run(%q) = %d, want 2 (stderr %q)", args, code, errOut)
		}
	}
}

type testWriter []byte

func (w *testWriter) Write(p []byte) (int, error) { *w = append(*w, p...); return len(p), nil }

func TestShipConfigValidate(t *testing.T) {
	ok := defaultShipConfig()
	ok.Agent.Node, ok.Agent.Server = "node-1", "https://netpol-advisor.netpol-advisor.svc:8443"
	tests := []struct {
		name    string
		mod     func(*shipConfig)
		wantErr bool
	}{
		{"complete", func(*shipConfig) {}, false},
		{"no node", func(c *shipConfig) { c.Agent.Node = "" }, true},
		{"plain http server", func(c *shipConfig) { c.Agent.Server = "http://server:8443" }, true},
		{"flow table too small", func(c *shipConfig) { c.BPF.MaxFlows = 10 }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.mod(&c)
			if err := c.Validate(); (err != nil) != tt.wantErr {
				t.Fatalf("Validate() = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

func TestVersionMode(t *testing.T) {
	for _, arg := range []string{"version", "--version"} {
		var out, errOut strings.Builder
		if code := run([]string{arg}, &out, &errOut); code != 0 || !strings.HasPrefix(out.String(), "netpol-advisor observer "+version+" (commit "+commit) {
			t.Errorf("observer %s = %d %q (stderr %q), want 0 and the version line", arg, code, out.String(), errOut.String())
		}
	}
}
