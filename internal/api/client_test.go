package api_test

import (
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/netpol-advisor/netpol-advisor/internal/api"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

// TestClientReadsLikeTheStore reads through the API client what the store
// holds, as the webhook or the CLI would from another process.
func TestClientReadsLikeTheStore(t *testing.T) {
	srv, tokens := readAPI(t)
	c := &api.Client{URL: srv.URL, HTTP: srv.Client(), Token: func() (string, error) { return tokens["alice"], nil }}
	win := flow.Window{From: t0, To: t0.Add(time.Hour)}
	b, err := c.Baseline(ctx, javaapp, win)
	if err != nil {
		t.Fatalf("Baseline: %v", err)
	}
	want := flow.Baseline{Workload: javaapp, Window: win, Flows: []flow.Flow{
		egress(mongo, 27017, "java", 3, t0), egress(mongo, 27017, "sh", 1, t0.Add(time.Minute))}}
	if diff := cmp.Diff(want, b, cmpopts.EquateComparable(netip.Addr{})); diff != "" {
		t.Fatalf("Baseline through the API (-want +got):\n%s", diff)
	}
	bls, err := c.Namespace(ctx, "example-java-app", flow.Window{})
	if err != nil || len(bls) != 1 || len(bls[0].Flows) != 3 {
		t.Fatalf("Namespace = %v, %v; want javaapp's three flows", bls, err)
	}
	missing := flow.WorkloadRef{Namespace: "example-java-app", Kind: flow.KindDeployment, Name: "new"}
	if _, err := c.Baseline(ctx, missing, flow.Window{}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Baseline of a workload without flows: err = %v, want ErrNotFound", err)
	}
	if _, err := c.Namespace(ctx, "kube-system", flow.Window{}); err == nil {
		t.Fatalf("Namespace of a namespace alice may not read succeeded")
	}
}
