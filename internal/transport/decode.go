package transport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

// envelope is a batch as decoded by the server: the records stay raw, to be
// decoded (and rejected) one by one.
type envelope struct {
	Version  int               `json:"version"`
	Observer string            `json:"observer"`
	Seq      uint64            `json:"seq"`
	Records  []json.RawMessage `json:"records"`
	// decoded are the records when every one decoded at once (Records is
	// then nil).
	decoded []store.Record
}

// count returns the number of records.
func (e *envelope) count() int { return max(len(e.Records), len(e.decoded)) }

// maxIgnoredNames bounds the unknown field names an answer lists.
const maxIgnoredNames = 10

// ignored collects the names of unknown fields of a batch.
type ignored struct {
	names   []string
	records int // records with at least one unknown field
}

func (ig *ignored) add(name string) {
	if len(ig.names) < maxIgnoredNames && !slices.Contains(ig.names, name) {
		ig.names = append(ig.names, name)
	}
}

// decode reads the batch's envelope. A field this server does not know is
// ignored and named in ig.
func (h *Handler) decode(w http.ResponseWriter, r *http.Request, ig *ignored) (*envelope, int, string, error) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return nil, http.StatusUnsupportedMediaType, batchUnsupportedType, errors.New("the body must be application/json")
	}
	limit := cmpOr(h.MaxBodyBytes, DefaultMaxBodyBytes)
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, http.StatusRequestEntityTooLarge, batchTooLarge, fmt.Errorf("the body is larger than %d bytes: send smaller batches", limit)
	}
	if err != nil {
		return nil, http.StatusBadRequest, batchMalformed, fmt.Errorf("read the batch: %w", err)
	}
	if env, ok := decodeFast(body); ok {
		if err := env.validate(cmpOr(h.MaxRecords, DefaultMaxRecords)); err != nil {
			return nil, http.StatusUnprocessableEntity, batchInvalid, fmt.Errorf("invalid batch: %w", err)
		}
		return env, 0, "", nil
	}
	var env envelope
	if err := decodeLenient(body, &env, ig.add); err != nil {
		return nil, http.StatusBadRequest, batchMalformed, fmt.Errorf("malformed batch: %w", err)
	}
	if err := env.validate(cmpOr(h.MaxRecords, DefaultMaxRecords)); err != nil {
		return nil, http.StatusUnprocessableEntity, batchInvalid, fmt.Errorf("invalid batch: %w", err)
	}
	return &env, 0, "", nil
}

// decodeFast decodes a batch of only known fields and well-formed records
// in one pass, the common case; anything else takes the way of envelope
// and records one by one.
func decodeFast(body []byte) (*envelope, bool) {
	var req Request
	if name, err := decodeStrict(body, &req); name != "" || err != nil {
		return nil, false
	}
	env := &envelope{Version: req.Version, Observer: req.Observer, Seq: req.Seq, decoded: req.Records}
	return env, true
}

// decodeRecord decodes one record, naming its unknown fields in ig.
func decodeRecord(raw json.RawMessage, ig *ignored) (store.Record, error) {
	var rec store.Record
	unknown := false
	err := decodeLenient(raw, &rec, func(name string) { unknown = true; ig.add(name) })
	if unknown {
		ig.records++
	}
	return rec, err
}

// decodeLenient decodes one JSON value into v. Unknown fields are ignored
// and reported to unknown, one name at a time (encoding/json names only the
// first): the common case, no unknown field, costs a single decode.
func decodeLenient[T any](data []byte, v *T, unknown func(name string)) error {
	name, err := decodeStrict(data, v)
	if name == "" {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return err
	}
	// v is decoded; look for the other unknown names on a scratch value.
	for range maxIgnoredNames {
		unknown(name)
		if data, err = withoutField(data, name); err != nil {
			return nil
		}
		var scratch T
		if name, _ = decodeStrict(data, &scratch); name == "" {
			return nil
		}
	}
	return nil
}

// decodeStrict decodes data into v refusing unknown fields; it returns
// the first unknown field's name, or the error.
func decodeStrict(data []byte, v any) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if name, ok := unknownField(err); ok {
		return name, nil
	}
	if err == nil && dec.Decode(new(json.RawMessage)) != io.EOF {
		err = errors.New("data after the value")
	}
	return "", err
}

// unknownField parses encoding/json's error for an unknown field.
func unknownField(err error) (string, bool) {
	if err == nil {
		return "", false
	}
	rest, ok := strings.CutPrefix(err.Error(), "json: unknown field ")
	if !ok {
		return "", false
	}
	return strings.Trim(rest, `"`), true
}

// withoutField removes every occurrence of the object key name at any depth,
// to look for the next unknown field. It fails when the data is not a
// JSON value.
func withoutField(data []byte, name string) ([]byte, error) {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	return json.Marshal(dropKey(v, name))
}

func dropKey(v any, name string) any {
	switch t := v.(type) {
	case map[string]any:
		delete(t, name)
		for k, e := range t {
			t[k] = dropKey(e, name)
		}
	case []any:
		for i, e := range t {
			t[i] = dropKey(e, name)
		}
	}
	return v
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, ErrorResponse{Error: msg})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
