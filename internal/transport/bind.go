package transport

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

// Pods is the server's own record of which pod ran where and when, from its
// informers (resolve.Index implements it). It is the only source of a
// record's workload: what the observer claims is never used.
type Pods interface {
	// PodAt returns the node and workload of the pod that held ip at t.
	PodAt(ip netip.Addr, at time.Time) (node string, w flow.WorkloadRef, ok bool)
	// HostPod returns the node and workload of the host-network pod uid.
	HostPod(uid string) (node string, w flow.WorkloadRef, ok bool)
}

// nodeNameExtra is set on tokens of ServiceAccounts bound to a pod: the
// pod's node (KEP-4193).
const nodeNameExtra = "authentication.kubernetes.io/node-name"

// nodeOf returns the node the caller speaks for: the one its token is bound
// to, or, for tokens without a binding when allowUnbound is set, the node
// part of the observer ID it claims. ok is false for an unbound token
// otherwise.
func nodeOf(u User, observer string, allowUnbound bool) (node string, ok bool) {
	if n := u.Extra[nodeNameExtra]; len(n) == 1 && n[0] != "" {
		return n[0], true
	}
	if !allowUnbound {
		return "", false
	}
	node, _, _ = strings.Cut(observer, "/")
	return node, true
}

// bind resolves the record's local end with the server's own view and
// checks that it ran on node at the flow's time; it then sets the record's
// workload. It returns a rejection reason and message, or "".
func bind(pods Pods, node string, rec *store.Record) (reason, msg string) {
	o := rec.Observation
	n, w, ok := pods.PodAt(o.LocalIP, o.LastSeen)
	if !ok && rec.PodUID != "" {
		n, w, ok = pods.HostPod(rec.PodUID)
	}
	switch {
	case !ok:
		return ReasonUnknownPod, fmt.Sprintf("no pod known to the server held %s at %s", o.LocalIP, o.LastSeen.UTC().Format(time.RFC3339))
	case n != node:
		return ReasonOtherNode, fmt.Sprintf("the pod at %s ran on node %q, not on the observer's node %q", o.LocalIP, n, node)
	}
	rec.Workload = w
	return "", ""
}
