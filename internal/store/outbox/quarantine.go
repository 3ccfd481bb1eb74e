package outbox

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

// Quarantined is a batch that could never be sent: refused for good by the
// server, or unreadable in the outbox. It stays for Options.Quarantine.
type Quarantined struct {
	Seq    uint64
	Reason string
	// Records are the batch's records, when they could be decoded.
	Records []store.Record
	// Raw is the stored value when it could not be decoded.
	Raw []byte
}

// Quarantine implements store.Outbox.
func (o *Outbox) Quarantine(ctx context.Context, seq uint64, reason string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("quarantine batch %d: %w", seq, err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	var records int
	err := o.db.Update(func(txn *badger.Txn) error {
		item, err := txn.Get(batchKey(pendingPrefix, seq))
		if err != nil {
			return err
		}
		v, err := item.ValueCopy(nil)
		if err != nil {
			return err
		}
		if c, sz := binary.Uvarint(v); sz > 0 {
			records = int(c)
		}
		return o.quarantine(txn, seq, v, reason)
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return fmt.Errorf("quarantine batch %d: no such pending batch", seq)
	}
	if err != nil {
		return fmt.Errorf("quarantine batch %d: %w", seq, err)
	}
	o.pending -= records
	o.quarantined++
	return nil
}

// quarantine moves the pending value v of seq to the quarantine:
// [uvarint reason length][reason][v].
func (o *Outbox) quarantine(txn *badger.Txn, seq uint64, v []byte, reason string) error {
	if err := txn.Delete(batchKey(pendingPrefix, seq)); err != nil {
		return err
	}
	q := append(binary.AppendUvarint(nil, uint64(len(reason))), reason...)
	e := badger.NewEntry(batchKey(quarantinePrefix, seq), append(q, v...)).WithTTL(o.quarantineFor)
	return txn.SetEntry(e)
}

// Quarantined returns the quarantined batches, oldest first.
func (o *Outbox) Quarantined(ctx context.Context) ([]Quarantined, error) {
	var out []Quarantined
	err := o.db.View(func(txn *badger.Txn) error {
		return eachBatch(txn, quarantinePrefix, func(seq uint64, v []byte) (bool, error) {
			out = append(out, decodeQuarantined(seq, v))
			return ctx.Err() == nil, nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read quarantined batches: %w", err)
	}
	return out, nil
}

func decodeQuarantined(seq uint64, v []byte) Quarantined {
	q := Quarantined{Seq: seq}
	n, sz := binary.Uvarint(v)
	if sz <= 0 || uint64(len(v)-sz) < n {
		q.Reason, q.Raw = "unreadable quarantine entry", append([]byte(nil), v...)
		return q
	}
	q.Reason = string(v[sz : sz+int(n)])
	rest := v[sz+int(n):]
	recs, err := decodeBatch(rest)
	if err != nil {
		q.Raw = append([]byte(nil), rest...)
	}
	q.Records = recs
	return q
}

// QuarantinedBatches returns how many batches are quarantined (since
// Open; expired ones included until the outbox is reopened).
func (o *Outbox) QuarantinedBatches() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.quarantined
}

// defaultQuarantine is how long quarantined batches are kept.
const defaultQuarantine = 7 * 24 * time.Hour
