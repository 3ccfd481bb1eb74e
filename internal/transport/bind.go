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
	// PodNode returns the node of the live pod uid.
	PodNode(uid string) (node string, ok bool)
}

// Extras the API server sets on tokens bound to a pod: the pod's UID and
// its node (KEP-4193; k8s.io/apiserver/pkg/authentication/serviceaccount).
const (
	podUIDExtra   = "authentication.kubernetes.io/pod-uid"
	nodeNameExtra = "authentication.kubernetes.io/node-name"
)

// boundPod checks the pod a token is bound to against the server's own
// view, on every batch: a cached TokenReview then stops working as soon
// as the observer's pod is gone, and the token's node must be the pod's.
// It returns "" when the pod is live on the token's node, else why not;
// known is false when the server does not know the pod (yet).
func boundPod(pods Pods, u User) (msg string, known bool) {
	uid := u.Extra[podUIDExtra]
	if len(uid) != 1 {
		return "", true // not bound to a pod: nodeOf decides
	}
	node, ok := pods.PodNode(uid[0])
	if !ok {
		return fmt.Sprintf("the pod %s the token is bound to is not known to the server (deleted, or not seen yet)", uid[0]), false
	}
	if n := u.Extra[nodeNameExtra]; len(n) == 1 && n[0] != node {
		return fmt.Sprintf("the token names node %q but its pod runs on %q", n[0], node), true
	}
	return "", true
}

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
