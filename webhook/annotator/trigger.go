package annotator

import (
	"hash/maphash"
	"sync"

	"golang.org/x/time/rate"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/event"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// Trigger hands the annotator the workloads whose recommendation an applied
// batch may have changed, so that it is rewritten when the traffic is
// stored, not at the next Resync, minutes later: a workload's first flows
// since the server started (it leaves "learning"), and later a batch that
// brings it a peer, port or protocol it had not had (an edge of a
// successful flow). Batches of edges already handed on trigger nothing:
// each would otherwise cost every workload in it a recommendation. New
// edges are handed on at most at the annotator's QPS and burst; past it
// they are not remembered, so the next batch that carries one tries again
// (and the Resync catches up). The zero value is ready to use; it drops
// what it is handed until the annotator is set up with it
// (Options.Trigger). The server hands it what its store writer applied
// (store.Notifying).
type Trigger struct {
	mu    sync.Mutex
	kinds map[flow.Kind]chan event.GenericEvent
	// known are the edges handed on per workload, by hash: a new edge that
	// collides with a known one waits for the Resync.
	known map[flow.WorkloadRef]map[uint64]struct{}
	edges int
	limit *rate.Limiter // nil: none
	seed  maphash.Seed
}

const (
	// queueLen is how many workloads may wait per kind; beyond it the
	// Resync catches up.
	queueLen = 1024
	// maxKnownEdges bounds the edges remembered (about 20 bytes each); past
	// it new edges are handed on every time they come, within the limit.
	maxKnownEdges = 1 << 21
)

// edgeID is what of a flow a recommendation depends on.
type edgeID struct {
	direction flow.Direction
	peer      flow.Peer
	port      int32
	protocol  corev1.Protocol
}

// channel registers a kind's reconciler and returns its event source.
func (t *Trigger) channel(k flow.Kind) <-chan event.GenericEvent {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.init()
	ch := make(chan event.GenericEvent, queueLen)
	t.kinds[k] = ch
	return ch
}

func (t *Trigger) init() {
	if t.kinds == nil {
		t.kinds, t.known, t.seed = map[flow.Kind]chan event.GenericEvent{}, map[flow.WorkloadRef]map[uint64]struct{}{}, maphash.MakeSeed()
	}
}

// setLimit limits the new edges handed on to qps, with burst.
func (t *Trigger) setLimit(qps float64, burst int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.limit = rate.NewLimiter(rate.Limit(qps), burst)
}

// Ingested enqueues each workload of the flows seen for the first time or
// with an edge not handed on before.
func (t *Trigger) Ingested(flows []flow.Flow) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.init()
	for ref, edges := range t.changes(flows) {
		_, seen := t.known[ref]
		if seen && t.limit != nil && !t.limit.Allow() {
			continue
		}
		if !t.enqueue(ref) {
			continue
		}
		if !seen {
			t.known[ref] = map[uint64]struct{}{}
		}
		for _, h := range edges {
			if _, dup := t.known[ref][h]; !dup && t.edges < maxKnownEdges {
				t.known[ref][h] = struct{}{}
				t.edges++
			}
		}
	}
}

// changes returns the workloads of flows, of a registered kind, seen for
// the first time or with new edges, and those edges' hashes.
func (t *Trigger) changes(flows []flow.Flow) map[flow.WorkloadRef][]uint64 {
	out := map[flow.WorkloadRef][]uint64{}
	for i := range flows {
		f := &flows[i]
		if _, ok := t.kinds[f.Workload.Kind]; !ok {
			continue
		}
		known, seen := t.known[f.Workload]
		if _, listed := out[f.Workload]; !seen && !listed {
			out[f.Workload] = nil
		}
		if f.Count == 0 { // failed connects only: never a flow to allow
			continue
		}
		h := maphash.Comparable(t.seed, edgeID{f.Direction, f.Peer, f.Port, f.Protocol})
		if _, ok := known[h]; !ok {
			out[f.Workload] = append(out[f.Workload], h)
		}
	}
	return out
}

// enqueue hands ref to its kind's reconciler, unless its queue is full.
func (t *Trigger) enqueue(ref flow.WorkloadRef) bool {
	obj := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Namespace: ref.Namespace, Name: ref.Name}}
	select {
	case t.kinds[ref.Kind] <- event.GenericEvent{Object: obj}:
		return true
	default: // full: the Resync will look at it
		return false
	}
}
