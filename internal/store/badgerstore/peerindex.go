package badgerstore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/dgraph-io/badger/v4"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// The by-peer index (schema 3) answers "which workloads talked to w?"
// without reading every baseline: a NetworkPolicy review judges the flows
// other workloads made to the touched ones (issue 17: at 150k pods the
// webhook read every baseline per review).
//
//	p/<peer ns>\0<peer kind>\0<peer name>\0<ns>\0<kind>\0<name>\0 → span
//
// One entry per workload (ns, kind, name) with a flow to a workload peer;
// its span is the first and last bucket start of those flows, in Unix
// seconds (2 × 8 bytes BE), so a window read skips sources whose flows to
// the peer all fall outside it. A span only grows until Expire drops the
// entry: it may say a source is in a window whose flows have expired, never
// the reverse, so the index is a superset and reads stay exact.
const peerPrefix = "p/"

// span is the first and last bucket start of a source's flows to a peer.
type span struct{ first, last uint64 }

func (s span) encode() []byte {
	return binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(make([]byte, 0, 16), s.first), s.last)
}

func decodeSpan(b []byte) (span, error) {
	if len(b) != 16 {
		return span{}, fmt.Errorf("peer index entry is %d bytes, want 16", len(b))
	}
	return span{beUint64(b), beUint64(b[8:])}, nil
}

func (s span) union(o span) span { return span{min(s.first, o.first), max(s.last, o.last)} }

// appendRef appends ns\0kind\0name\0.
func appendRef(b []byte, w flow.WorkloadRef) []byte {
	b = append(append(b, w.Namespace...), sep)
	b = append(append(b, w.Kind...), sep)
	return append(append(b, w.Name...), sep)
}

func peerKeyTo(b []byte, peer, source flow.WorkloadRef) []byte {
	return appendRef(appendRef(append(b, peerPrefix...), peer), source)
}

func peerPrefixOf(peer flow.WorkloadRef) []byte { return appendRef([]byte(peerPrefix), peer) }

// splitPeerKey returns the source workload of an index key. Its three
// fields share one string: a review reads thousands of these keys.
func splitPeerKey(k []byte) (flow.WorkloadRef, error) {
	malformed := func() (flow.WorkloadRef, error) {
		return flow.WorkloadRef{}, fmt.Errorf("peer index key %q is malformed", k)
	}
	rest, ok := bytes.CutPrefix(k, []byte(peerPrefix))
	for range 3 { // the peer's namespace, kind and name
		i := bytes.IndexByte(rest, sep)
		if !ok || i < 0 {
			return malformed()
		}
		rest = rest[i+1:]
	}
	s := string(rest)
	var parts [3]string
	for i := range parts {
		j := strings.IndexByte(s, sep)
		if j < 0 {
			return malformed()
		}
		parts[i], s = s[:j], s[j+1:]
	}
	if s != "" {
		return malformed()
	}
	return flow.WorkloadRef{Namespace: parts[0], Kind: flow.Kind(parts[1]), Name: parts[2]}, nil
}

// peerSpans groups a batch's flows to workload peers by index key.
func (s *Store) peerSpans(flows []flow.Flow) map[string]span {
	out := make(map[string]span)
	var k []byte
	for i := range flows {
		f := &flows[i]
		if f.Peer.Kind != flow.PeerWorkload || f.Peer.Workload.IsZero() {
			continue
		}
		k = peerKeyTo(k[:0], f.Peer.Workload, f.Workload)
		at := uint64(max(s.bucketOf(*f).Unix(), 0))
		sp := span{at, at}
		if old, ok := out[string(k)]; ok {
			sp = old.union(sp)
		}
		out[string(k)] = sp
	}
	return out
}

// mergeSpan widens the entry k to include sp, writing only when it grows:
// most batches repeat a bucket the entry already covers. It returns the
// entry as it now is.
func mergeSpan(txn *badger.Txn, k []byte, sp span) (span, error) {
	item, err := txn.Get(k)
	switch {
	case errors.Is(err, badger.ErrKeyNotFound):
	case err != nil:
		return sp, fmt.Errorf("read peer index: %w", err)
	default:
		var old span
		if err := item.Value(func(v []byte) (err error) { old, err = decodeSpan(v); return err }); err != nil {
			return sp, fmt.Errorf("read peer index entry %q: %w", k, err)
		}
		merged := old.union(sp)
		if merged == old {
			return old, nil
		}
		return merged, txn.Set(k, merged.encode())
	}
	return sp, txn.Set(k, sp.encode())
}

// maxCachedPeers bounds the peer cache; past it, it starts over.
const maxCachedPeers = 1 << 20

// peerCache is what the peer index holds for the entries written since the
// store opened (or last expired): a lower bound of each entry's span, so
// a pair it covers needs no index access.
type peerCache map[string]span

// uncovered removes from spans the entries the cache shows the index
// already covers, and returns spans.
func (c peerCache) uncovered(spans map[string]span) map[string]span {
	for k, sp := range spans {
		if have, ok := c[k]; ok && have.union(sp) == have {
			delete(spans, k)
		}
	}
	return spans
}

// remember records entries just written.
func (c *peerCache) remember(spans map[string]span) {
	if *c == nil || len(*c)+len(spans) > maxCachedPeers {
		*c = make(peerCache, len(spans))
	}
	for k, sp := range spans {
		(*c)[k] = sp
	}
}
