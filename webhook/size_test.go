package webhook

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
)

const sizeNS = "archive"

// bulkDeployment is a Deployment whose own annotation takes userKiB.
func bulkDeployment(userKiB int, extra string) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: bulk
  namespace: %s
  annotations:
    example.com/manifest: %q%s
spec:
  selector: {matchLabels: {app: bulk}}
  template:
    metadata: {labels: {app: bulk}}
    spec: {containers: [{name: bulk, image: example.invalid/bulk}]}
`, sizeNS, strings.Repeat("m", userKiB<<10), extra)
}

// A recommendation too large for what the object's annotations leave is
// not written (the status says so), so the user's next apply, which grows
// their own annotations, still fits the API server's 256 KiB limit. Without
// the cap the webhook's 40+ KiB policy next to 170 KiB of the user's made
// that apply fail.
func TestLargeRecommendationLeavesRoomForTheUser(t *testing.T) {
	if _, err := exec.LookPath("kubectl"); err != nil {
		testutil.SkipOrFail(t, "kubectl is not on PATH")
	}
	s := startSuite(t, Options{NoAnnotator: true})
	k := kubectl{t: t, cp: s.cp}
	k.run([]byte(`apiVersion: v1
kind: Namespace
metadata: {name: archive}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: store, namespace: archive}
spec:
  serviceName: store
  selector: {matchLabels: {app: store}}
  template:
    metadata: {labels: {app: store}}
    spec: {containers: [{name: store, image: example.invalid/store}]}
`), "apply", "-f", "-")
	s.waitForCache(t, 1)
	// bulk talks to store on 1,500 ports, none adjacent: a long policy.
	now := time.Now().UTC()
	b := store.Batch{Observer: "node-1", Seq: 1}
	for i := range 1500 {
		b.Flows = append(b.Flows, flow.Flow{Key: flow.Key{
			Workload:  flow.WorkloadRef{Namespace: sizeNS, Kind: flow.KindDeployment, Name: "bulk"},
			Direction: flow.Egress, Peer: flow.Peer{Kind: flow.PeerWorkload, Workload: flow.WorkloadRef{Namespace: sizeNS, Kind: flow.KindStatefulSet, Name: "store"}},
			Port: int32(10000 + 2*i), Protocol: corev1.ProtocolTCP}, Count: 1, FirstSeen: now, LastSeen: now})
	}
	if _, err := s.store.Apply(context.Background(), b); err != nil {
		t.Fatal(err)
	}

	// A small object has room: the policy is written, and is that long.
	k.run([]byte(bulkDeployment(1, "")), "apply", "--server-side", "-f", "-")
	ann := annotationsOf(t, k, "deployment", sizeNS, "bulk")
	if st, _ := advice.ParseStatus(ann[advice.StatusAnnotation]); st.State != advice.Ready || len(ann[advice.PolicyAnnotation]) < 40<<10 {
		t.Fatalf("small object: status %+v, policy %d bytes; want ready with a policy of 40 KiB or more", st, len(ann[advice.PolicyAnnotation]))
	}
	t.Logf("recommended policy: %d bytes", len(ann[advice.PolicyAnnotation]))

	// 170 KiB of the user's own: the policy does not fit what is left.
	k.run([]byte(bulkDeployment(170, "")), "apply", "--server-side", "-f", "-")
	ann = annotationsOf(t, k, "deployment", sizeNS, "bulk")
	st, err := advice.ParseStatus(ann[advice.StatusAnnotation])
	if err != nil || st.State != advice.TooLarge || !strings.Contains(st.Message, "not written") || st.Flows != 1500 {
		t.Errorf("status = %+v (%v), want too-large with 1500 flows and the reason", st, err)
	}
	if _, has := ann[advice.PolicyAnnotation]; has {
		t.Errorf("policy annotation written next to 170 KiB of the user's")
	}
	// The user's next apply grows their annotations by 50 KiB: it fits.
	more := fmt.Sprintf("\n    example.com/more: %q", strings.Repeat("n", 50<<10))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, stderr, err := s.cp.Kubectl(ctx, []byte(bulkDeployment(170, more)), "apply", "--server-side", "-f", "-"); err != nil {
		t.Errorf("the user's own apply failed: %v\n%s", err, stderr)
	}
}

func annotationsOf(t *testing.T, k kubectl, resource, ns, name string) map[string]string {
	t.Helper()
	return annotations(t, k, kindCase{resource: resource, name: name, namespace: ns})
}
