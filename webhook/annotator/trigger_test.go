package annotator

import (
	"context"
	"net/netip"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
)

// A workload created before its traffic leaves "learning" as soon as its
// first flows are stored through the Trigger's Writer, long before the
// Resync (an hour here) would look at it again.
func TestFirstFlowsTriggerTheAnnotator(t *testing.T) {
	cp := testutil.StartControlPlane(t)
	st := openStore(t)
	trigger := &Trigger{}
	mgr := startManager(t, cp, st, Options{Resync: time.Hour, Trigger: trigger}, nil)
	c := adminClient(t, cp)
	createNamespace(t, c, "shop", nil)
	dep := makeDeployment("shop", "api")
	if err := c.Create(context.Background(), dep); err != nil {
		t.Fatal(err)
	}
	key := client.ObjectKeyFromObject(dep)
	waitForState(t, mgr.GetAPIReader(), key, advice.Learning)

	ref := flow.WorkloadRef{Namespace: "shop", Kind: flow.KindDeployment, Name: "api"}
	now := time.Now().UTC()
	b := store.Batch{Observer: "node-1", Seq: 1, Flows: []flow.Flow{{Count: 3, FirstSeen: now, LastSeen: now,
		Key: flow.Key{Workload: ref, Direction: flow.Egress, Peer: flow.Peer{Kind: flow.PeerExternal, IP: netip.MustParseAddr("203.0.113.7")},
			Port: 443, Protocol: corev1.ProtocolTCP}}}}
	if _, err := (store.Notifying{Writer: st, Applied: trigger.Ingested}).Apply(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	got := waitForState(t, mgr.GetAPIReader(), key, advice.Ready)
	if got.Annotations[advice.PolicyAnnotation] == "" {
		t.Errorf("annotations = %v, want the policy", got.Annotations)
	}
}
