package workloads

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestParseSelector(t *testing.T) {
	tests := []struct {
		in      string
		want    *metav1.LabelSelector
		wantErr bool
	}{
		{in: "", want: nil},
		{in: "  ", want: nil},
		{in: "{}", want: nil},
		{in: "team=a", want: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "a"}}},
		{in: "env in (prod,staging),!legacy", want: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
			{Key: "env", Operator: metav1.LabelSelectorOpIn, Values: []string{"prod", "staging"}},
			{Key: "legacy", Operator: metav1.LabelSelectorOpDoesNotExist, Values: []string{}}}}},
		{in: `{"matchLabels":{"team":"a"},"matchExpressions":[{"key":"env","operator":"NotIn","values":["dev"]}]}`,
			want: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "a"}, MatchExpressions: []metav1.LabelSelectorRequirement{
				{Key: "env", Operator: metav1.LabelSelectorOpNotIn, Values: []string{"dev"}}}}},
		{in: "team in a", wantErr: true},
		{in: `{"matchLabel":{"team":"a"}}`, wantErr: true},
		{in: `{"matchExpressions":[{"key":"env","operator":"In"}]}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSelector(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("selector (-want +got):\n%s", diff)
			}
		})
	}
}

func TestScopeMatches(t *testing.T) {
	sel, err := ParseSelector("team=a,env notin (dev)")
	if err != nil {
		t.Fatal(err)
	}
	s := Scope{Skip: "np", Selector: sel}
	for _, tt := range []struct {
		labels map[string]string
		want   bool
	}{{map[string]string{"team": "a"}, true}, {map[string]string{"team": "a", "env": "dev"}, false}, {nil, false}} {
		if got, err := s.Matches(tt.labels); err != nil || got != tt.want {
			t.Errorf("Matches(%v) = %v, %v; want %v", tt.labels, got, err, tt.want)
		}
	}
	if in, err := s.Includes(t.Context(), "np"); err != nil || in {
		t.Errorf("own namespace included: %v, %v", in, err)
	}
}
