package outbox

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

// Append implements store.Outbox.
func (o *Outbox) Append(ctx context.Context, recs []store.Record) (uint64, error) {
	if len(recs) == 0 {
		return 0, errors.New("append to outbox: empty batch")
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("append to outbox: %w", err)
	}
	v, err := encodeBatch(recs)
	if err != nil {
		return 0, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.pending > 0 && o.pending+len(recs) > o.max {
		return 0, fmt.Errorf("append %d records to outbox holding %d of %d: %w", len(recs), o.pending, o.max, store.ErrOutboxFull)
	}
	seq := o.lastSeq + 1
	err = o.db.Update(func(txn *badger.Txn) error {
		if err := txn.Set(batchKey(pendingPrefix, seq), v); err != nil {
			return err
		}
		return txn.Set([]byte(seqKey), binary.BigEndian.AppendUint64(nil, seq))
	})
	if err != nil {
		return 0, fmt.Errorf("append batch %d to outbox: %w", seq, err)
	}
	o.lastSeq, o.pending = seq, o.pending+len(recs)
	return seq, nil
}

// Pending implements store.Outbox. A batch that cannot be decoded (a
// corrupted value, or written by a version that encoded it otherwise) is
// quarantined on the way, so that it never blocks the batches behind it.
func (o *Outbox) Pending(ctx context.Context, max int) ([]store.Pending, error) {
	for {
		out, bad, err := o.readPending(ctx, max)
		if err != nil || bad == nil {
			return out, err
		}
		if err := o.quarantineUnreadable(*bad); err != nil {
			return nil, err
		}
	}
}

// unreadable is a pending batch that does not decode.
type unreadable struct {
	seq    uint64
	reason string
}

// readPending reads up to max batches, stopping at the first unreadable
// one (Pending then quarantines it and reads again).
func (o *Outbox) readPending(ctx context.Context, max int) ([]store.Pending, *unreadable, error) {
	var out []store.Pending
	var bad *unreadable
	err := o.db.View(func(txn *badger.Txn) error {
		return eachBatch(txn, pendingPrefix, func(seq uint64, v []byte) (bool, error) {
			recs, err := decodeBatch(v)
			if err != nil {
				bad = &unreadable{seq: seq, reason: fmt.Sprintf("unreadable in the outbox: %v", err)}
				return false, nil
			}
			out = append(out, store.Pending{Seq: seq, Records: recs})
			return len(out) < max && ctx.Err() == nil, nil
		})
	})
	if err != nil {
		return nil, nil, fmt.Errorf("read pending batches: %w", err)
	}
	return out, bad, ctx.Err()
}

// quarantineUnreadable moves an undecodable batch to the quarantine. Its
// record count is taken from its header when it has one.
func (o *Outbox) quarantineUnreadable(b unreadable) error {
	if o.logger != nil {
		o.logger.Error("a pending batch cannot be decoded: quarantined, the batches behind it go on", "seq", b.seq, "reason", b.reason)
	}
	return o.Quarantine(context.Background(), b.seq, b.reason)
}

// Ack implements store.Outbox: acknowledged batches move to the history.
func (o *Outbox) Ack(ctx context.Context, seq uint64) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	acked := 0
	err := o.db.Update(func(txn *badger.Txn) error {
		var moved []uint64
		var values [][]byte
		err := eachBatch(txn, pendingPrefix, func(s uint64, v []byte) (bool, error) {
			if s > seq {
				return false, nil
			}
			c, _ := binary.Uvarint(v)
			acked += int(c)
			moved, values = append(moved, s), append(values, append([]byte(nil), v...))
			return ctx.Err() == nil, nil
		})
		if err != nil {
			return err
		}
		return o.move(txn, moved, values)
	})
	if err != nil {
		return fmt.Errorf("acknowledge batches up to %d: %w", seq, err)
	}
	o.pending -= acked
	return nil
}

// move deletes pending batches and keeps them as history for a while.
func (o *Outbox) move(txn *badger.Txn, seqs []uint64, values [][]byte) error {
	for i, s := range seqs {
		if err := txn.Delete(batchKey(pendingPrefix, s)); err != nil {
			return err
		}
		if o.history < 0 {
			continue
		}
		e := badger.NewEntry(batchKey(historyPrefix, s), values[i]).WithTTL(o.history)
		if err := txn.SetEntry(e); err != nil {
			return err
		}
	}
	return nil
}

// History returns the acknowledged records still kept, oldest first.
func (o *Outbox) History(ctx context.Context) ([]store.Record, error) {
	var out []store.Record
	err := o.db.View(func(txn *badger.Txn) error {
		return eachBatch(txn, historyPrefix, func(seq uint64, v []byte) (bool, error) {
			recs, err := decodeBatch(v)
			out = append(out, recs...)
			return ctx.Err() == nil, err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read outbox history: %w", err)
	}
	return out, nil
}

// PendingRecords returns how many records wait for acknowledgement.
func (o *Outbox) PendingRecords() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.pending
}

func encodeBatch(recs []store.Record) ([]byte, error) {
	js, err := json.Marshal(recs)
	if err != nil {
		return nil, fmt.Errorf("encode batch: %w", err)
	}
	return append(binary.AppendUvarint(nil, uint64(len(recs))), js...), nil
}

func decodeBatch(v []byte) ([]store.Record, error) {
	_, sz := binary.Uvarint(v)
	if sz <= 0 {
		return nil, errors.New("batch has no record count")
	}
	var recs []store.Record
	if err := json.Unmarshal(v[sz:], &recs); err != nil {
		return nil, fmt.Errorf("decode batch: %w", err)
	}
	return recs, nil
}
