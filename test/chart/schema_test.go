package chart

import (
	"strings"
	"testing"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

// TestChartRejectsBadValues: values that break the schema, or that the
// templates refuse, fail helm with a message naming the value and why.
func TestChartRejectsBadValues(t *testing.T) {
	h := testutil.NewHelm(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"two server replicas", []string{"--set", "server.replicas=2"}, "at '/server/replicas': maximum: got 2, want 1"},
		{"two replicas without the schema", []string{"--set", "server.replicas=2", "--skip-schema-validation"}, "allows one writer per volume"},
		{"misspelt key", []string{"--set", "server.replica=1"}, "at '/server': additional properties 'replica' not allowed"},
		{"webhook timeout over the API server's limit", []string{"--set", "webhook.timeoutSeconds=60"}, "at '/webhook/timeoutSeconds': maximum: got 60, want 30"},
		{"privileged webhook port", []string{"--set", "webhook.port=443"}, "at '/webhook/port': minimum: got 443, want 1,024"},
		{"unknown seccomp profile", []string{"--set", "observer.seccompProfile=Privileged"}, "at '/observer/seccompProfile'"},
		{"API server address without prefix", []string{"--set", "networkPolicy.apiServer.cidrs={10.0.0.1}"}, "at '/networkPolicy/apiServer/cidrs/0'"},
		{"retention not a duration", []string{"--set", "server.retention=2weeks"}, "at '/server/retention'"},
		{"rollup without a size", []string{"--set", "server.rollup=24h"}, "at '/server/rollup'"},
		{"store cache of no size", []string{"--set", "server.store.blockCacheMiB=0"}, "at '/server/store/blockCacheMiB'"},
		{"no token audience", []string{"--set", "tokenAudience="}, "at '/tokenAudience'"},
		{"relative host path", []string{"--set", "observer.hostDataDir=var/lib/x"}, "at '/observer/hostDataDir'"},
		{"replicas not a number", []string{"--set-string", "server.replicas=one"}, "at '/server/replicas': got string, want integer"},
		{"client auth without its CA", []string{"--set", "webhook.clientAuth.enabled=true"}, "needs webhook.clientAuth.caConfigMap"},
		{"own certificate without a CA for the APIService", []string{"--set", "server.ingestTLS.existingSecret=mine"}, "set api.caBundle"},
		{"aggregated API on a privileged port", []string{"--set", "api.port=443"}, "at '/api/port'"},
		{"extra flag without dashes", []string{"--set", "server.extraArgs={debug}"}, "at '/server/extraArgs/0'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, err := render(t, h, "netpol-advisor", "netpol-advisor", tt.args...)
			if err == nil {
				t.Fatalf("helm template %v succeeded, want it refused with %q:\n%.300s", tt.args, tt.want, out)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Fatalf("helm template %v failed with\n%s\nwant the message to contain %q", tt.args, errOut, tt.want)
			}
		})
	}
}
