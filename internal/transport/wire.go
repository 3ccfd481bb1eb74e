package transport

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

// BatchPath is where observers POST batches.
const BatchPath = "/v1/batches"

// Request is the body of a batch: the observer's outbox ID, the batch's
// sequence number and its records.
type Request struct {
	Observer string         `json:"observer"`
	Seq      uint64         `json:"seq"`
	Records  []store.Record `json:"records"`
}

// Response is the server's answer to a batch it accepted. Applied is false
// when the batch had been applied before (a retry); either way the observer
// may forget it.
type Response struct {
	Applied bool   `json:"applied"`
	LastSeq uint64 `json:"lastSeq"`
}

// ErrorResponse is the body of every 4xx and 5xx answer.
type ErrorResponse struct {
	Error string `json:"error"`
}

// Validate checks a request the server is about to apply.
func (r *Request) Validate(maxRecords int) error {
	switch {
	case r.Observer == "":
		return fmt.Errorf("observer is required")
	case len(r.Observer) > 253:
		return fmt.Errorf("observer is longer than 253 characters")
	case r.Seq == 0:
		return fmt.Errorf("seq must be greater than 0")
	case len(r.Records) == 0:
		return fmt.Errorf("records are required")
	case len(r.Records) > maxRecords:
		return fmt.Errorf("%d records is more than the %d allowed in one batch", len(r.Records), maxRecords)
	}
	for i, rec := range r.Records {
		if err := validRecord(rec); err != nil {
			return fmt.Errorf("record %d: %w", i, err)
		}
	}
	return nil
}

func validRecord(r store.Record) error {
	o := r.Observation
	switch {
	case r.Workload.Namespace == "" || r.Workload.Kind == "" || r.Workload.Name == "":
		return fmt.Errorf("workload needs a namespace, kind and name")
	case !validWorkload(r.Workload):
		return fmt.Errorf("workload %q is not a namespace name, a kind and an object name", r.Workload)
	case o.Direction != flow.Egress && o.Direction != flow.Ingress:
		return fmt.Errorf("direction %q is neither Egress nor Ingress", o.Direction)
	case !o.Peer().IsValid():
		return fmt.Errorf("peer address is missing")
	case o.ServerPort == 0:
		return fmt.Errorf("serverPort is required")
	case o.Protocol != corev1.ProtocolTCP && o.Protocol != corev1.ProtocolUDP && o.Protocol != corev1.ProtocolSCTP:
		return fmt.Errorf("protocol %q is not TCP, UDP or SCTP", o.Protocol)
	case o.Count == 0 && o.Failed == 0:
		return fmt.Errorf("count and failed are both 0")
	case o.LastSeen.IsZero() || o.FirstSeen.After(o.LastSeen):
		return fmt.Errorf("lastSeen is missing or before firstSeen")
	}
	return nil
}

// validWorkload checks the names the store's keys are made of (they are
// NUL-separated): a malformed name would make every read of the store fail.
func validWorkload(w flow.WorkloadRef) bool {
	kind := string(w.Kind)
	return len(validation.IsDNS1123Label(w.Namespace)) == 0 &&
		len(validation.IsDNS1123Subdomain(w.Name)) == 0 &&
		len(kind) <= 63 && strings.IndexFunc(kind, notAlnum) < 0
}

func notAlnum(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
}
