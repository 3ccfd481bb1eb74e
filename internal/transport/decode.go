package transport

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
)

// acquire takes one of the MaxInFlight slots, or reports there is none.
func (h *Handler) acquire() bool {
	h.once.Do(func() { h.inFlight = make(chan struct{}, cmpOr(h.MaxInFlight, DefaultMaxInFlight)) })
	select {
	case h.inFlight <- struct{}{}:
		return true
	default:
		return false
	}
}

func (h *Handler) release() { <-h.inFlight }

func (h *Handler) decode(w http.ResponseWriter, r *http.Request) (*Request, int, error) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return nil, http.StatusUnsupportedMediaType, errors.New("the body must be application/json")
	}
	limit := cmpOr(h.MaxBodyBytes, DefaultMaxBodyBytes)
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	var req Request
	err := dec.Decode(&req)
	if err == nil && dec.Decode(&struct{}{}) != io.EOF {
		err = errors.New("data after the batch")
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("the body is larger than %d bytes: send smaller batches", limit)
	}
	if err != nil {
		return nil, http.StatusBadRequest, fmt.Errorf("malformed batch: %w", err)
	}
	if err := req.Validate(cmpOr(h.MaxRecords, DefaultMaxRecords)); err != nil {
		return nil, http.StatusUnprocessableEntity, fmt.Errorf("invalid batch: %w", err)
	}
	return &req, 0, nil
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
