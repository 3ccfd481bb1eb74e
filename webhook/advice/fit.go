package advice

import (
	"fmt"
	"strings"

	apivalidation "k8s.io/apimachinery/pkg/api/validation"
)

// The room the policy annotation may take on an object. The API server
// refuses an object whose annotations, keys and values together, exceed
// 256 KiB (apivalidation.TotalAnnotationSizeLimitB); a recommendation that
// filled that room would make the user's own next apply fail, so it is
// capped, and a margin is always left for the user's annotations to grow.
const (
	// DefaultMaxPolicyBytes caps the policy annotation's value.
	DefaultMaxPolicyBytes = 64 << 10
	// ReservedAnnotationBytes of the total are never taken by the product.
	ReservedAnnotationBytes = 64 << 10
)

// policyRoom is how many bytes the policy annotation's value may take on
// an object that carries annotations, given the status that goes with it.
func (a *Advisor) policyRoom(annotations map[string]string, status string) int {
	others := 0
	for k, v := range annotations {
		if k != PolicyAnnotation && k != StatusAnnotation {
			others += len(k) + len(v)
		}
	}
	room := apivalidation.TotalAnnotationSizeLimitB - ReservedAnnotationBytes - others -
		len(StatusAnnotation) - len(status) - len(PolicyAnnotation)
	return max(0, min(a.maxPolicyBytes(), room))
}

func (a *Advisor) maxPolicyBytes() int {
	if a.MaxPolicyBytes > 0 {
		return a.MaxPolicyBytes
	}
	return DefaultMaxPolicyBytes
}

// fit leaves out a ready recommendation that does not fit the object's
// annotations, and says so in its status.
func (a *Advisor) fit(ann Annotations, annotations map[string]string) Annotations {
	// The status grows by the message below: count it at its longest.
	probe := ann.Status
	probe.Message = strings.TrimPrefix(probe.Message+"; "+tooLargeMessage(1<<30, 1<<30), "; ")
	m, err := Annotations{Status: probe}.Map()
	if err != nil {
		return ann
	}
	room := a.policyRoom(annotations, m[StatusAnnotation])
	if len(ann.Policy) <= room {
		return ann
	}
	ann.Status.State = TooLarge
	ann.Status.Message = strings.TrimPrefix(ann.Status.Message+"; "+tooLargeMessage(len(ann.Policy), room), "; ")
	ann.Policy = ""
	return ann
}

func tooLargeMessage(size, room int) string {
	return fmt.Sprintf("recommended policy not written: its %d bytes exceed the %d bytes this object's annotations leave for it "+
		"(Kubernetes allows 256 KiB of annotations per object; netpol-advisor keeps 64 KiB of it free for yours)", size, room)
}
