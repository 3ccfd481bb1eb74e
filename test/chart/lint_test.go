package chart

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

// TestHelmLint runs helm lint --strict with each value set.
func TestHelmLint(t *testing.T) {
	h := testutil.NewHelm(t)
	for _, vs := range valueSets {
		t.Run(vs.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			out, errOut, err := h.Run(ctx, append([]string{"lint", "--strict", chartDir(t), "--namespace", vs.namespace}, vs.args...)...)
			if err != nil || !strings.Contains(out, "0 chart(s) failed") {
				t.Fatalf("helm lint --strict (%s): %v\n%s%s", vs.name, err, out, errOut)
			}
		})
	}
}
