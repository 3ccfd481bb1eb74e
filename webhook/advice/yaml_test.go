package advice

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/netpol-advisor/netpol-advisor/internal/policy"
	"github.com/netpol-advisor/netpol-advisor/webhook/internal/fixture"
)

// marshalYAML writes what sigs.k8s.io/yaml writes, for recommended
// policies of every shape the synthetic cluster makes (pod, namespace and
// ipBlock peers, named and numbered ports, DNS).
func TestMarshalYAMLMatchesSigsYAML(t *testing.T) {
	syn := fixture.NewSynthetic(3, 10, 50)
	for _, ref := range syn.Refs {
		np, err := policy.Recommend(syn.Snapshot.Cluster, syn.Baselines[ref], policy.Adjustments{Allow: []policy.AllowCIDR{{CIDR: mustPrefix("203.0.113.0/26"), Alias: "ext: \"quoted\""}}})
		if err != nil {
			t.Fatal(err)
		}
		want, err := yaml.Marshal(np)
		if err != nil {
			t.Fatal(err)
		}
		got, err := marshalYAML(np)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Fatalf("%s (-sigs.k8s.io/yaml +marshalYAML):\n%s", ref, diff)
		}
	}
}

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }
