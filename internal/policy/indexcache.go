package policy

import (
	"sync"

	networkingv1 "k8s.io/api/networking/v1"
)

// indexCache keeps namespaces' compiled policy indexes from one Check to
// the next: the webhook's snapshot changes a few policies at a time, yet
// judging a namespace-wide default deny at its peers' ends compiled every
// namespace's policies anew on each call (issue 17). An entry is used only
// for the very same policies: each one's UID and resourceVersion, in
// order, which the API server changes on every write (UIDs are random,
// so two clusters' policies never share one). Policies without
// both (read from files, built by tests) are compiled per call as before.
// Entries hold deep copies, so the caller's slices are neither kept alive
// nor trusted to stay unchanged. Built indexes are never written again, so
// concurrent Checks share them.
type indexCache struct {
	mu   sync.Mutex
	byNS map[string]*cachedIndex
	size int // policies held, bounded by maxCachedPolicies
}

// cachedIndex is the index of a namespace's policies at versions.
type cachedIndex struct {
	versions []version
	index    *nsIndex
}

// version identifies a policy's content: the API server gives a policy a
// new resourceVersion whenever anything of it changes, and a new UID when
// it is deleted and created again under the same name.
type version struct {
	uid             string
	resourceVersion string
}

// maxCachedPolicies bounds the cache: beyond it (more policies than a
// large cluster has, or namespaces long gone) it starts again empty.
const maxCachedPolicies = 100_000

var indexes = &indexCache{byNS: map[string]*cachedIndex{}}

// index returns the index of ns's policies raw, from the cache when it
// holds them at the same versions.
func (c *indexCache) index(ns string, raw []*networkingv1.NetworkPolicy) *nsIndex {
	if !versioned(raw) {
		return newNSIndex(compileAll(raw))
	}
	c.mu.Lock()
	e := c.byNS[ns]
	c.mu.Unlock()
	if e != nil && e.holds(raw) {
		return e.index
	}
	e = newCachedIndex(raw)
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.byNS[ns]; ok {
		c.size -= len(old.versions)
	}
	if c.size+len(raw) > maxCachedPolicies {
		clear(c.byNS)
		c.size = 0
	}
	c.byNS[ns], c.size = e, c.size+len(raw)
	return e.index
}

// versioned reports whether every policy carries a UID and a
// resourceVersion, as those read from the API server do.
func versioned(raw []*networkingv1.NetworkPolicy) bool {
	for _, np := range raw {
		if np.UID == "" || np.ResourceVersion == "" {
			return false
		}
	}
	return true
}

// holds reports whether e is the index of raw: the same policies at the
// same versions, in the same order (the order explanations follow).
func (e *cachedIndex) holds(raw []*networkingv1.NetworkPolicy) bool {
	if len(e.versions) != len(raw) {
		return false
	}
	for i, np := range raw {
		if v := e.versions[i]; v.uid != string(np.UID) || v.resourceVersion != np.ResourceVersion {
			return false
		}
	}
	return true
}

// newCachedIndex compiles deep copies of raw.
func newCachedIndex(raw []*networkingv1.NetworkPolicy) *cachedIndex {
	e := &cachedIndex{versions: make([]version, len(raw))}
	copies := make([]*networkingv1.NetworkPolicy, len(raw))
	for i, np := range raw {
		e.versions[i] = version{string(np.UID), np.ResourceVersion}
		copies[i] = np.DeepCopy()
	}
	e.index = newNSIndex(compileAll(copies))
	return e
}

// compileAll compiles a namespace's policies in one slab, each with its
// position as its order.
func compileAll(raw []*networkingv1.NetworkPolicy) []*compiled {
	cs, slab := make([]*compiled, len(raw)), make([]compiled, len(raw)) // one allocation for the namespace
	for i, np := range raw {
		slab[i] = compiled{np: np, order: i}
		slab[i].prepare()
		cs[i] = &slab[i]
	}
	return cs
}
