package badgerstore

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

var equateAddr = cmpopts.EquateComparable(netip.Addr{})

func TestWindowQueries(t *testing.T) {
	s := openStore(t, t.TempDir(), time.Minute)
	mustApply(t, s, "node-a", 1,
		makeFlow(javaapp, mongo, 27017, 1, t0.Add(10*time.Second)),
		makeFlow(javaapp, mongo, 27017, 2, t0.Add(90*time.Second)),
		makeFlow(javaapp, external, 27017, 4, t0.Add(5*time.Minute)),
	)
	tests := []struct {
		name string
		win  flow.Window
		// covered is the window the flows cover (the asked one when zero)
		covered flow.Window
		want    []flow.Flow
	}{
		{"everything", flow.Window{}, flow.Window{}, []flow.Flow{
			makeFlow(javaapp, external, 27017, 4, t0.Add(5*time.Minute)),
			merged(makeFlow(javaapp, mongo, 27017, 3, t0.Add(10*time.Second)), t0.Add(90*time.Second)),
		}},
		{"first bucket only", flow.Window{From: t0, To: t0.Add(time.Minute)}, flow.Window{}, []flow.Flow{
			makeFlow(javaapp, mongo, 27017, 1, t0.Add(10*time.Second)),
		}},
		{"window inside a bucket rounds out, and says so", flow.Window{From: t0.Add(70 * time.Second), To: t0.Add(80 * time.Second)},
			flow.Window{From: t0.Add(time.Minute), To: t0.Add(2 * time.Minute)}, []flow.Flow{
				makeFlow(javaapp, mongo, 27017, 2, t0.Add(90*time.Second)),
			}},
		{"since minute 2", flow.Window{From: t0.Add(2 * time.Minute)}, flow.Window{}, []flow.Flow{
			makeFlow(javaapp, external, 27017, 4, t0.Add(5*time.Minute)),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Baseline(context.Background(), javaapp, tt.win)
			if err != nil {
				t.Fatalf("Baseline: %v", err)
			}
			want := flow.Baseline{Workload: javaapp, Window: tt.win, Flows: tt.want}
			if tt.covered != (flow.Window{}) {
				want.Window = tt.covered
			}
			if diff := cmp.Diff(want, got, equateAddr); diff != "" {
				t.Fatalf("Baseline (-want +got):\n%s", diff)
			}
		})
	}
	_, err := s.Baseline(context.Background(), javaapp, flow.Window{From: t0.Add(time.Hour)})
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Baseline of an empty window: err = %v, want ErrNotFound", err)
	}
}

func merged(f flow.Flow, last time.Time) flow.Flow {
	f.LastSeen = last
	return f
}

func TestNamespaceQuery(t *testing.T) {
	s := openStore(t, t.TempDir(), time.Minute)
	coredns := dns.Workload
	client := flow.WorkloadRef{Namespace: "example-java-app", Kind: flow.KindDeployment, Name: "example-java-app-jclient"}
	mustApply(t, s, "node-a", 1,
		makeFlow(javaapp, dns, 53, 1, t0),
		makeFlow(client, mongo, 27017, 1, t0),
		makeFlow(coredns, external, 53, 1, t0),
	)
	tests := []struct {
		ns   string
		want []flow.WorkloadRef
	}{
		{"example-java-app", []flow.WorkloadRef{javaapp, client}},
		{"kube-system", []flow.WorkloadRef{coredns}},
		{"", []flow.WorkloadRef{javaapp, client, coredns}},
		{"example", nil},
	}
	for _, tt := range tests {
		t.Run(tt.ns, func(t *testing.T) {
			bls, err := s.Namespace(context.Background(), tt.ns, flow.Window{})
			if err != nil {
				t.Fatalf("Namespace: %v", err)
			}
			var got []flow.WorkloadRef
			for _, b := range bls {
				got = append(got, b.Workload)
				if len(b.Flows) != 1 {
					t.Errorf("%s has %d flows, want 1", b.Workload, len(b.Flows))
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("workloads (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMergeOfObserversAppliesEachBatchOnce(t *testing.T) {
	s := openStore(t, t.TempDir(), time.Minute)
	f := makeFlow(javaapp, mongo, 27017, 1, t0)
	steps := []struct {
		observer string
		seq      uint64
		want     bool
	}{
		{"node-a", 1, true},
		{"node-b", 1, true},
		{"node-a", 1, false}, // retry
		{"node-a", 2, true},
		{"node-b", 1, false}, // retry
		{"node-a", 2, false}, // retry
		{"node-b", 3, true},  // a gap is accepted: the outbox may be trimmed
	}
	for _, st := range steps {
		if got := mustApply(t, s, st.observer, st.seq, f); got != st.want {
			t.Fatalf("Apply(%s, %d) applied = %v, want %v", st.observer, st.seq, got, st.want)
		}
	}
	got, err := s.Baseline(context.Background(), javaapp, flow.Window{})
	if err != nil {
		t.Fatalf("Baseline: %v", err)
	}
	if diff := cmp.Diff([]flow.Flow{makeFlow(javaapp, mongo, 27017, 4, t0)}, got.Flows, equateAddr); diff != "" {
		t.Fatalf("merged flows (-want +got):\n%s", diff)
	}
	if seq, err := s.LastSeq(context.Background(), "node-b"); err != nil || seq != 3 {
		t.Fatalf("LastSeq(node-b) = %d, %v; want 3", seq, err)
	}
}

func TestReopenKeepsBaselinesAndSequences(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{Bucket: time.Minute})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	mustApply(t, s, "node-a", 7, makeFlow(javaapp, external, 27017, 5, t0))
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s = openStore(t, dir, time.Minute)
	if mustApply(t, s, "node-a", 7, makeFlow(javaapp, external, 27017, 5, t0)) {
		t.Fatalf("a batch applied before the reopen was applied again")
	}
	got, err := s.Baseline(context.Background(), javaapp, flow.Window{})
	if err != nil {
		t.Fatalf("Baseline: %v", err)
	}
	if diff := cmp.Diff([]flow.Flow{makeFlow(javaapp, external, 27017, 5, t0)}, got.Flows, equateAddr); diff != "" {
		t.Fatalf("flows after reopen (-want +got):\n%s", diff)
	}
}

func TestExpireDropsOldBuckets(t *testing.T) {
	s := openStore(t, t.TempDir(), time.Minute)
	mustApply(t, s, "node-a", 1,
		makeFlow(javaapp, mongo, 27017, 1, t0),
		makeFlow(javaapp, external, 27017, 1, t0.Add(time.Minute)),
		makeFlow(javaapp, dns, 53, 1, t0.Add(2*time.Minute)),
	)
	removed, err := s.Expire(context.Background(), t0.Add(2*time.Minute))
	if err != nil {
		t.Fatalf("Expire: %v", err)
	}
	if removed != 2 {
		t.Fatalf("Expire removed %d entries, want 2", removed)
	}
	got, err := s.Baseline(context.Background(), javaapp, flow.Window{})
	if err != nil {
		t.Fatalf("Baseline: %v", err)
	}
	if diff := cmp.Diff([]flow.Flow{makeFlow(javaapp, dns, 53, 1, t0.Add(2*time.Minute))}, got.Flows, equateAddr); diff != "" {
		t.Fatalf("flows after expiry (-want +got):\n%s", diff)
	}
}

func TestApplyRejectsAnonymousBatch(t *testing.T) {
	s := openStore(t, t.TempDir(), time.Minute)
	for _, b := range []store.Batch{{Seq: 1}, {Observer: "node-a"}} {
		if _, err := s.Apply(context.Background(), b); err == nil {
			t.Errorf("Apply(%+v) succeeded, want an error", b)
		}
	}
}

func TestNamespaceWindowSkipsRowsOutside(t *testing.T) {
	s := openStore(t, t.TempDir(), time.Minute)
	client := flow.WorkloadRef{Namespace: "example-java-app", Kind: flow.KindDeployment, Name: "example-java-app-jclient"}
	var flows []flow.Flow
	for i := range 10 {
		at := t0.Add(time.Duration(i) * time.Minute)
		flows = append(flows, makeFlow(javaapp, mongo, 27017, 1, at), makeFlow(client, external, 443, 10, at))
	}
	mustApply(t, s, "node-a", 1, flows...)
	bls, err := s.Namespace(context.Background(), "example-java-app", flow.Window{From: t0.Add(3 * time.Minute), To: t0.Add(5 * time.Minute)})
	if err != nil {
		t.Fatalf("Namespace: %v", err)
	}
	got := map[flow.WorkloadRef]uint64{}
	for _, b := range bls {
		for _, f := range b.Flows {
			got[f.Workload] += f.Count
		}
	}
	want := map[flow.WorkloadRef]uint64{javaapp: 2, client: 20}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("counts in minutes 3 and 4 (-want +got):\n%s", diff)
	}
}

// Size reports what is on disk once a batch is written and flushed.
func TestSizeAfterWrites(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if lsm, vlog := s.Size(); lsm < 0 || vlog < 0 {
		t.Fatalf("Size of a new store = %d, %d", lsm, vlog)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if lsm, vlog := s.Size(); lsm+vlog == 0 {
		t.Errorf("Size of a reopened store = %d, %d; want its files counted", lsm, vlog)
	}
}
