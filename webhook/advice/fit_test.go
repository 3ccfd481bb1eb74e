package advice_test

import (
	"context"
	"strings"
	"testing"

	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/netpol-advisor/netpol-advisor/internal/policy"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
)

// A recommendation is written only when the object's annotations, the
// user's and the product's together, stay 64 KiB under the API server's
// 256 KiB limit; otherwise the status says it was left out, and why.
func TestRecommendationFitsTheAnnotationLimit(t *testing.T) {
	adv, st := story(t)
	w := st.Snapshot.Cluster.Workloads[st.Baseline.Workload]
	full, err := adv.Recommend(context.Background(), w, nil)
	if err != nil || full.Policy == "" {
		t.Fatalf("Recommend = %+v, %v", full, err)
	}
	size := len(full.Policy)
	tests := []struct {
		name     string
		maxBytes int
		user     int // bytes of the user's own annotations
		want     string
	}{
		{name: "small object", user: 100, want: advice.Ready},
		{name: "cap below the policy", maxBytes: size - 1, want: advice.TooLarge},
		{name: "cap at the policy", maxBytes: size, want: advice.Ready},
		{name: "user's annotations leave no room", user: apivalidation.TotalAnnotationSizeLimitB - advice.ReservedAnnotationBytes - size, want: advice.TooLarge},
		{name: "user's annotations leave just enough", user: apivalidation.TotalAnnotationSizeLimitB - advice.ReservedAnnotationBytes - size - 2000, want: advice.Ready},
		{name: "user's annotations at the limit", user: apivalidation.TotalAnnotationSizeLimitB - 100, want: advice.TooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			adv.MaxPolicyBytes = tt.maxBytes
			user := map[string]string{}
			if tt.user > 0 {
				user["example.com/big"] = strings.Repeat("x", tt.user-len("example.com/big"))
			}
			got, err := adv.Recommend(context.Background(), w, user)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status.State != tt.want || got.Status.Flows != 6 {
				t.Fatalf("status = %+v, want %s with 6 flows", got.Status, tt.want)
			}
			if tt.want == advice.TooLarge {
				if got.Policy != "" || !strings.Contains(got.Status.Message, "not written") {
					t.Errorf("too large: policy %d bytes, message %q; want none and the reason", len(got.Policy), got.Status.Message)
				}
				return
			}
			m, err := got.Map()
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range user {
				m[k] = v
			}
			// What the API server checks, with the margin still free.
			if errs := apivalidation.ValidateAnnotationsSize(m); errs != nil {
				t.Errorf("annotations over the limit: %v", errs)
			}
			m["example.com/margin"] = strings.Repeat("y", advice.ReservedAnnotationBytes-len("example.com/margin"))
			if errs := apivalidation.ValidateAnnotations(m, field.NewPath("metadata", "annotations")); len(errs) != 0 {
				t.Errorf("no room left for the user's annotations to grow: %v", errs)
			}
		})
	}
}

// Traffic observed on pods no policy can select (host network, no stable
// label) is stated, not an error the annotator would retry forever.
func TestRecommendUnavailable(t *testing.T) {
	adv, st := story(t)
	w := st.Snapshot.Cluster.Workloads[st.Baseline.Workload]
	host := w
	host.HostNetwork = true
	unlabelled := w
	unlabelled.Labels = map[string]string{"pod-template-hash": "abc"}
	for _, tt := range []struct {
		name string
		w    policy.Workload
		want string
	}{{"host network", host, "host-network"}, {"no stable label", unlabelled, "stable label"}} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := adv.Recommend(context.Background(), tt.w, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status.State != advice.Unavailable || got.Policy != "" || !strings.Contains(got.Status.Message, tt.want) || got.Status.Flows != 6 {
				t.Errorf("got %+v; want unavailable, 6 flows, a message naming %q", got, tt.want)
			}
		})
	}
}
