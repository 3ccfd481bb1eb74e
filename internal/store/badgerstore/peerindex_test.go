package badgerstore

import (
	"context"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/go-cmp/cmp"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// peerWorld writes n workloads of one namespace, each calling the next
// two (i+1, i+2) and an external address, in bucket at.
func peerWorld(t *testing.T, s *Store, n int, seq uint64, at time.Time) []flow.WorkloadRef {
	refs := make([]flow.WorkloadRef, n)
	for i := range refs {
		refs[i] = flow.WorkloadRef{Namespace: fmt.Sprintf("ns-%d", i%3), Kind: flow.KindDeployment, Name: fmt.Sprintf("w-%02d", i)}
	}
	var flows []flow.Flow
	for i, w := range refs {
		for _, j := range []int{(i + 1) % n, (i + 2) % n} {
			flows = append(flows, makeFlow(w, flow.Peer{Kind: flow.PeerWorkload, Workload: refs[j]}, 8080, 1, at))
		}
		flows = append(flows, makeFlow(w, external, 443, 1, at))
	}
	mustApply(t, s, "node-a", seq, flows...)
	return refs
}

// referencingByScan is what the webhook read before the index: every
// baseline, kept when one of its flows has one of peers as workload peer.
func referencingByScan(t *testing.T, s *Store, peers []flow.WorkloadRef, win flow.Window) []flow.Baseline {
	isPeer := map[flow.WorkloadRef]bool{}
	for _, p := range peers {
		isPeer[p] = true
	}
	all, err := s.Namespace(context.Background(), "", win)
	if err != nil {
		t.Fatal(err)
	}
	out := []flow.Baseline{}
	for _, b := range all {
		for _, f := range b.Flows {
			if !isPeer[b.Workload] && f.Peer.Kind == flow.PeerWorkload && isPeer[f.Peer.Workload] {
				out = append(out, b)
				break
			}
		}
	}
	return out
}

func TestReferencingEqualsFullScan(t *testing.T) {
	s := openStore(t, t.TempDir(), time.Minute)
	refs := peerWorld(t, s, 20, 1, t0)
	for _, peers := range [][]flow.WorkloadRef{{refs[5]}, {refs[0], refs[1]}, {refs[3], refs[9], refs[19]}, refs, {{Namespace: "x", Kind: flow.KindJob, Name: "none"}}} {
		got, err := s.Referencing(context.Background(), peers, flow.Window{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(referencingByScan(t, s, peers, flow.Window{}), got, equateAddr); diff != "" {
			t.Errorf("Referencing(%v) differs from a full scan (-scan +index):\n%s", peers, diff)
		}
	}
	if got, _ := s.Referencing(context.Background(), []flow.WorkloadRef{refs[5]}, flow.Window{}); len(got) != 2 {
		t.Errorf("w-05 is called by w-03 and w-04, Referencing found %d baselines", len(got))
	}
}

// A source whose flows to the peer are all before the window is not read;
// after Expire, its index entry is gone.
func TestReferencingWindowAndExpire(t *testing.T) {
	s := openStore(t, t.TempDir(), time.Minute)
	refs := peerWorld(t, s, 6, 1, t0)
	late := makeFlow(refs[4], flow.Peer{Kind: flow.PeerWorkload, Workload: refs[2]}, 9090, 1, t0.Add(time.Hour))
	mustApply(t, s, "node-a", 2, late)
	recent := flow.Window{From: t0.Add(30 * time.Minute)}
	got, err := s.Referencing(context.Background(), []flow.WorkloadRef{refs[2]}, recent)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(referencingByScan(t, s, []flow.WorkloadRef{refs[2]}, recent), got, equateAddr); diff != "" || len(got) != 1 {
		t.Fatalf("Referencing in the last half hour (-scan +index, want only w-04):\n%s", diff)
	}
	if _, err := s.Expire(context.Background(), t0.Add(30*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n := countPrefix(t, s.db, peerPrefix); n != 1 {
		t.Errorf("after Expire the peer index holds %d entries, want 1 (w-04 → w-02)", n)
	}
}

// A schema-2 store (rows, no index) gets its index built by Open.
func TestOpenBuildsPeerIndexOfSchema2(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{Bucket: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	refs := peerWorld(t, s, 10, 1, t0)
	want := referencingByScan(t, s, refs[:3], flow.Window{})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	downgrade(t, dir)
	s = openStore(t, dir, time.Minute)
	got, err := s.Referencing(context.Background(), refs[:3], flow.Window{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, equateAddr); diff != "" || len(want) == 0 {
		t.Errorf("Referencing after migrating a schema-2 store (-want +got):\n%s", diff)
	}
}

// downgrade makes dir what schema 2 wrote: no peer index, m/schema = 2.
func downgrade(t *testing.T, dir string) {
	db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.DropPrefix([]byte(peerPrefix)); err != nil {
		t.Fatal(err)
	}
	if n := countPrefix(t, db, peerPrefix); n != 0 {
		t.Fatalf("%d peer index entries left", n)
	}
	if err := db.Update(func(txn *badger.Txn) error {
		return txn.Set([]byte(schemaKey), binary.BigEndian.AppendUint64(nil, 2))
	}); err != nil {
		t.Fatal(err)
	}
}

func countPrefix(t testing.TB, db *badger.DB, prefix string) int {
	n := 0
	err := db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefix), PrefetchValues: false})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// An index entry Expire listed as expired, then a batch widened to a recent
// bucket before the delete, is kept: the delete checks again under the
// writer lock (it was lost until the pair's next flow).
func TestExpireKeepsAnEntryWidenedMeanwhile(t *testing.T) {
	s := openStore(t, t.TempDir(), time.Minute)
	refs := peerWorld(t, s, 6, 1, t0)
	cutoff := t0.Add(30 * time.Minute)
	ctx := context.Background()
	listed, err := s.expiredKeys(ctx, []byte(peerPrefix), s.peerExpired(cutoff))
	if err != nil || len(listed) == 0 {
		t.Fatalf("expired index entries listed: %d (%v), want some", len(listed), err)
	}
	late := makeFlow(refs[4], flow.Peer{Kind: flow.PeerWorkload, Workload: refs[5]}, 8080, 1, t0.Add(time.Hour))
	mustApply(t, s, "node-a", 2, late)
	deleted, err := s.delete(listed, s.peerExpired(cutoff))
	if err != nil {
		t.Fatal(err)
	}
	if len(deleted) != len(listed)-1 {
		t.Errorf("deleted %d of %d listed entries, want all but the widened one", len(deleted), len(listed))
	}
	recent := flow.Window{From: cutoff}
	got, err := s.Referencing(ctx, []flow.WorkloadRef{refs[5]}, recent)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(referencingByScan(t, s, []flow.WorkloadRef{refs[5]}, recent), got, equateAddr); diff != "" || len(got) != 1 {
		t.Fatalf("Referencing w-05 in the last half hour after the delete (-scan +index, want w-04):\n%s", diff)
	}
}
