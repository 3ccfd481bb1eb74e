package adjust

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

var cassandra = flow.WorkloadRef{Namespace: "example-java-app", Kind: flow.KindDeployment, Name: "example-java-app-cassandra"}

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		value   string
		want    policy.Adjustments
		wantErr bool
	}{
		{
			name: "story as YAML, namespace defaulted",
			value: `allow: [{cidr: 203.0.113.7/32, alias: external-mongodb}]
exclude: [{workload: {kind: Deployment, name: example-java-app-cassandra}}]`,
			want: policy.Adjustments{
				Allow:   []policy.AllowCIDR{{CIDR: netip.MustParsePrefix("203.0.113.7/32"), Alias: "external-mongodb"}},
				Exclude: []policy.Exclusion{{Workload: cassandra}},
			},
		},
		{
			name:  "JSON, CIDR masked, sorted and deduplicated",
			value: `{"exclude":[{"cidr":"203.0.113.9/24"},{"cidr":"203.0.113.0/24"},{"workload":{"namespace":"other","kind":"StatefulSet","name":"db"}}]}`,
			want: policy.Adjustments{Exclude: []policy.Exclusion{
				{CIDR: netip.MustParsePrefix("203.0.113.0/24")},
				{Workload: flow.WorkloadRef{Namespace: "other", Kind: flow.KindStatefulSet, Name: "db"}},
			}},
		},
		{name: "IPv6 allow", value: `allow: [{cidr: "fd00:198:18::/48"}]`,
			want: policy.Adjustments{Allow: []policy.AllowCIDR{{CIDR: netip.MustParsePrefix("fd00:198:18::/48")}}}},
		{name: "unknown field", value: `allow: [{cidr: 203.0.113.7/32, name: x}]`, wantErr: true},
		{name: "bad CIDR", value: `allow: [{cidr: 203.0.113.300/32}]`, wantErr: true},
		{name: "missing CIDR", value: `allow: [{alias: x}]`, wantErr: true},
		{name: "exclusion with both", value: `exclude: [{cidr: 203.0.113.0/24, workload: {kind: Deployment, name: a}}]`, wantErr: true},
		{name: "exclusion with neither", value: `exclude: [{}]`, wantErr: true},
		{name: "workload without kind", value: `exclude: [{workload: {name: a}}]`, wantErr: true},
		{name: "multi-line alias", value: `allow: [{cidr: 203.0.113.7/32, alias: "a\nb"}]`, wantErr: true},
		{name: "not YAML", value: `{{{`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse("example-java-app", tt.value)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Parse error = %v, wantErr %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateComparable(netip.Prefix{}), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Parse (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFormatRoundTrips(t *testing.T) {
	adj := policy.Adjustments{
		Allow:   []policy.AllowCIDR{{CIDR: netip.MustParsePrefix("203.0.113.7/32"), Alias: "external-mongodb"}},
		Exclude: []policy.Exclusion{{Workload: cassandra}, {CIDR: netip.MustParsePrefix("203.0.113.128/25")}},
	}
	s, err := Format(adj)
	if err != nil {
		t.Fatalf("Format: %v", err)
	}
	want := `{"allow":[{"cidr":"203.0.113.7/32","alias":"external-mongodb"}],"exclude":[{"cidr":"203.0.113.128/25"},{"workload":{"namespace":"example-java-app","kind":"Deployment","name":"example-java-app-cassandra"}}]}`
	if s != want {
		t.Errorf("Format = %s\nwant     %s", s, want)
	}
	back, err := FromAnnotations("elsewhere", map[string]string{Annotation: s})
	if err != nil {
		t.Fatalf("FromAnnotations: %v", err)
	}
	if diff := cmp.Diff(Normalize(adj), back, cmpopts.EquateComparable(netip.Prefix{})); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestFromAnnotationsWithout(t *testing.T) {
	for _, ann := range []map[string]string{nil, {"other": "x"}, {Annotation: "  "}} {
		got, err := FromAnnotations("ns", ann)
		if err != nil || len(got.Allow)+len(got.Exclude) != 0 {
			t.Errorf("FromAnnotations(%v) = %+v, %v; want empty, nil", ann, got, err)
		}
	}
	if _, err := Format(policy.Adjustments{Exclude: []policy.Exclusion{{}}}); err == nil {
		t.Error("Format of an empty exclusion: want an error")
	}
}
