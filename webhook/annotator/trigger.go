package annotator

import (
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/event"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// Trigger hands the annotator the workloads whose baselines just got their
// first flows (since the server started), so that a workload created
// before its traffic leaves "learning" as soon as the traffic is stored,
// not at the next Resync, minutes later. Later flows of the same workload
// wait for the Resync (or the workload's next update): each batch would
// otherwise cost every workload in it a recommendation. The zero value is
// ready to use; it drops what it is handed until the annotator is set up
// with it (Options.Trigger). The server hands it what its store writer
// applied (store.Notifying).
type Trigger struct {
	mu    sync.Mutex
	kinds map[flow.Kind]chan event.GenericEvent
	seen  map[flow.WorkloadRef]struct{}
}

// queueLen is how many workloads may wait per kind; beyond it the Resync
// catches up.
const queueLen = 1024

// channel registers a kind's reconciler and returns its event source.
func (t *Trigger) channel(k flow.Kind) <-chan event.GenericEvent {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.kinds == nil {
		t.kinds, t.seen = map[flow.Kind]chan event.GenericEvent{}, map[flow.WorkloadRef]struct{}{}
	}
	ch := make(chan event.GenericEvent, queueLen)
	t.kinds[k] = ch
	return ch
}

// Ingested enqueues each workload of the flows not handed on before.
func (t *Trigger) Ingested(flows []flow.Flow) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := range flows {
		ref := flows[i].Workload
		ch, ok := t.kinds[ref.Kind]
		if _, done := t.seen[ref]; done || !ok {
			continue
		}
		obj := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Namespace: ref.Namespace, Name: ref.Name}}
		select {
		case ch <- event.GenericEvent{Object: obj}:
			t.seen[ref] = struct{}{}
		default: // full: the Resync will look at it
		}
	}
}
