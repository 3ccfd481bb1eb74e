package chart

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

// TestChartGolden keeps what the chart installs reviewable: helm template
// of each value set equals testdata/<set>.golden.yaml (go test -update, or
// make chart-golden, rewrites them).
func TestChartGolden(t *testing.T) {
	h := testutil.NewHelm(t)
	for _, vs := range valueSets {
		t.Run(vs.name, func(t *testing.T) {
			got := maskGenerated(mustRender(t, h, vs))
			if strings.Contains(got, "BEGIN") || strings.Contains(got, "PRIVATE KEY") {
				t.Fatal("a generated certificate or key escaped the mask")
			}
			path := filepath.Join("testdata", vs.name+".golden.yaml")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read %s (run with -update to create it): %v", path, err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("helm template %s differs from %s (-golden +rendered; run make chart-golden if intended):\n%s", vs.name, path, diff)
			}
		})
	}
}
