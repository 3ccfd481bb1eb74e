package transport

import (
	"fmt"

	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

// BatchPath is where observers POST batches.
const BatchPath = "/v1/batches"

// WireVersion is the version of the batch format this code speaks.
// Version 1 had no version field; version 2 added it, podUID on records and
// per-record answers. Within /v1 every version is read by every server: a
// field one side does not know is ignored (and counted), so observers and
// servers can be rolled out in any order. An incompatible change needs a
// new path.
const WireVersion = 2

// Request is the body of a batch: the observer's outbox ID, the batch's
// sequence number and its records.
type Request struct {
	Version  int            `json:"version,omitempty"`
	Observer string         `json:"observer"`
	Seq      uint64         `json:"seq"`
	Records  []store.Record `json:"records"`
}

// Response is the server's answer to a batch it accepted. Applied is false
// when the batch had been applied before (a retry); either way the observer
// may forget it: the records in Rejected were refused for good (resending
// them cannot help), the others are stored.
type Response struct {
	Version  int    `json:"version,omitempty"`
	Applied  bool   `json:"applied"`
	LastSeq  uint64 `json:"lastSeq"`
	Accepted int    `json:"accepted"`
	// Rejected lists the refused records, by index in the batch.
	Rejected []Rejection `json:"rejected,omitempty"`
	// Clamped counts accepted records whose times were beyond the server's
	// clock and were set to the server's time.
	Clamped int `json:"clamped,omitempty"`
	// IgnoredFields names fields of the batch this server does not know
	// (a newer observer); they were ignored.
	IgnoredFields []string `json:"ignoredFields,omitempty"`
}

// Rejection says why one record of a batch was refused.
type Rejection struct {
	Record  int    `json:"record"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// Reasons a record is rejected, the values of Rejection.Reason and of the
// reason label of the rejected-records metric.
const (
	// ReasonMalformed: the record is not the JSON of a record.
	ReasonMalformed = "malformed"
	// ReasonInvalid: a field is missing or out of range.
	ReasonInvalid = "invalid"
	// ReasonTooOld: the flow ended before anything the server keeps.
	ReasonTooOld = "too-old"
	// ReasonUnknownPod: no pod the server knows held the local address at
	// the flow's time.
	ReasonUnknownPod = "local-pod-unknown"
	// ReasonOtherNode: the local pod ran on another node than the
	// observer's: an observer speaks only for its own node.
	ReasonOtherNode = "local-pod-other-node"
)

// RecordReasons are every Rejection.Reason a server of this version sends.
var RecordReasons = []string{ReasonMalformed, ReasonInvalid, ReasonTooOld, ReasonUnknownPod, ReasonOtherNode}

// ErrorResponse is the body of every 4xx and 5xx answer.
type ErrorResponse struct {
	Error string `json:"error"`
}

// validate checks the batch as a whole; records are checked one by one.
func (r *envelope) validate(maxRecords int) error {
	switch {
	case r.Observer == "":
		return fmt.Errorf("observer is required")
	case len(r.Observer) > 253:
		return fmt.Errorf("observer is longer than 253 characters")
	case r.Seq == 0:
		return fmt.Errorf("seq must be greater than 0")
	case r.count() == 0:
		return fmt.Errorf("records are required")
	case r.count() > maxRecords:
		return fmt.Errorf("%d records is more than the %d allowed in one batch", r.count(), maxRecords)
	}
	return nil
}
