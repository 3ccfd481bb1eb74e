package advice

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/adjust"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

// The annotations the product writes on workloads.
const (
	// PolicyAnnotation holds the recommended NetworkPolicy as YAML.
	PolicyAnnotation = "netpol-advisor.io/recommended-policy"
	// StatusAnnotation holds a Status as JSON.
	StatusAnnotation = "netpol-advisor.io/recommendation-status"
)

// The states of a recommendation.
const (
	// Learning: no flow observed yet, so no recommendation.
	Learning = "learning"
	// Ready: the recommendation reflects the baseline's window.
	Ready = "ready"
	// Unavailable: traffic was observed but no policy can select these
	// pods (host network, or no stable label); Message says why.
	Unavailable = "unavailable"
	// TooLarge: the recommendation was computed but is not written, as it
	// does not fit the object's annotations; Message says how large it is.
	TooLarge = "too-large"
)

// Status says how far a workload's recommendation can be trusted.
type Status struct {
	State      string      `json:"state"`
	Window     flow.Window `json:"window"`
	Flows      int         `json:"flows"`
	ComputedAt time.Time   `json:"computedAt"`
	// Message explains a learning state or an ignored adjustments annotation.
	Message string `json:"message,omitempty"`
}

// Annotations are the values of the product's annotations for a workload;
// an empty Policy means the policy annotation must be absent.
type Annotations struct {
	Policy string
	Status Status
}

// Map returns the annotations as they are written on the object.
func (a Annotations) Map() (map[string]string, error) {
	st, err := json.Marshal(a.Status)
	if err != nil {
		return nil, fmt.Errorf("encode recommendation status: %w", err)
	}
	m := map[string]string{StatusAnnotation: string(st)}
	if a.Policy != "" {
		m[PolicyAnnotation] = a.Policy
	}
	return m, nil
}

// ParseStatus decodes a status annotation.
func ParseStatus(s string) (Status, error) {
	var st Status
	if err := json.Unmarshal([]byte(s), &st); err != nil {
		return Status{}, fmt.Errorf("decode %s: %w", StatusAnnotation, err)
	}
	return st, nil
}

// Recommend computes the annotations of workload w as it is under
// admission: its pod template and its annotations (with the user's
// adjustments) may be newer than the cached ones. A workload without
// baseline is learning, not an error; an adjustments annotation that does
// not parse is ignored and said so in the status.
func (a *Advisor) Recommend(ctx context.Context, w policy.Workload, annotations map[string]string) (Annotations, error) {
	snap, err := a.Inventory.Snapshot(ctx)
	if err != nil {
		return Annotations{}, fmt.Errorf("cluster snapshot: %w", err)
	}
	b, found, err := a.cachedBaseline(ctx, w.Ref)
	if err != nil {
		return Annotations{}, err
	}
	st := Status{State: Learning, Window: a.window(), ComputedAt: a.now()}
	adj, err := adjust.FromAnnotations(w.Ref.Namespace, annotations)
	if err != nil {
		st.Message = "adjustments ignored: " + err.Error()
	}
	if !found {
		st.Message = strings.TrimPrefix(st.Message+"; no traffic observed yet", "; ")
		return Annotations{Status: st}, nil
	}
	st.Window, st.Flows = b.Window, len(b.Flows)
	np, err := policy.Recommend(snap.WithWorkload(w), b, adj)
	if errors.Is(err, policy.ErrHostNetwork) || errors.Is(err, policy.ErrNoStableLabels) {
		st.State = Unavailable
		st.Message = strings.TrimPrefix(st.Message+"; no policy can be recommended: "+unwrapped(err), "; ")
		return Annotations{Status: st}, nil
	}
	if err != nil {
		return Annotations{}, fmt.Errorf("recommend a policy for %s: %w", w.Ref, err)
	}
	out, err := marshalYAML(np)
	if err != nil {
		return Annotations{}, fmt.Errorf("encode recommended policy: %w", err)
	}
	st.State = Ready
	return a.fit(Annotations{Policy: string(out), Status: st}, annotations), nil
}

// unwrapped is the reason of a Recommend error, without the workload it
// names (the annotation is on that workload).
func unwrapped(err error) string {
	for _, e := range []error{policy.ErrHostNetwork, policy.ErrNoStableLabels} {
		if errors.Is(err, e) {
			return e.Error()
		}
	}
	return err.Error()
}

// Current reports whether the annotations an object carries already say
// what a says, apart from when it was computed and the window (a sliding
// window moves with the clock): rewriting only those would turn every no-op
// apply into a write.
func (a Annotations) Current(annotations map[string]string) bool {
	if annotations[PolicyAnnotation] != a.Policy {
		return false
	}
	st, err := ParseStatus(annotations[StatusAnnotation])
	if err != nil {
		return false
	}
	return st.State == a.Status.State && st.Flows == a.Status.Flows && st.Message == a.Status.Message
}
