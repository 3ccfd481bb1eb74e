package agent

import (
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func TestConfigFlagsAndValidate(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr []string
	}{
		{"defaults need node and server", nil, []string{"--node-name", "--server"}},
		{"complete", []string{"--node-name=n1", "--server=https://netpol-advisor:8443"}, nil},
		{"plain http refused", []string{"--node-name=n1", "--server=http://netpol-advisor:8443"}, []string{"https://"}},
		{"batch above pending", []string{"--node-name=n1", "--server=https://s", "--max-batch=10", "--max-pending=5"}, []string{"--max-pending"}},
		{"backoff inverted", []string{"--node-name=n1", "--server=https://s", "--retry-min=1m", "--retry-max=1s"}, []string{"--retry-max"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			fs := pflag.NewFlagSet("observer", pflag.ContinueOnError)
			cfg.AddFlags(fs)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatalf("parse: %v", err)
			}
			err := cfg.Validate()
			if len(tt.wantErr) == 0 && err != nil {
				t.Fatalf("Validate: %v", err)
			}
			for _, w := range tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Fatalf("Validate = %v, want an error naming %s", err, w)
				}
			}
		})
	}
}
