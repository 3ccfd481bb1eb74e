package advice

import (
	"context"
	"sync"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// maxCached bounds the baseline cache; past it, the cache starts over.
const maxCached = 10000

// cachedBaselines remembers baselines (and their absence) for a short TTL:
// a CI job applying a directory of policies asks for the same workloads
// many times within seconds, while a baseline changes on the scale of its
// store's buckets (minutes).
type cachedBaselines struct {
	mu      sync.Mutex
	entries map[cacheKey]cacheEntry
}

type cacheKey struct {
	w   flow.WorkloadRef
	win flow.Window
}

type cacheEntry struct {
	b     flow.Baseline
	found bool
	at    time.Time
}

func (c *cachedBaselines) get(k cacheKey, now time.Time, ttl time.Duration) (cacheEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok || now.Sub(e.at) >= ttl || now.Before(e.at) {
		return cacheEntry{}, false
	}
	return e, true
}

func (c *cachedBaselines) put(k cacheKey, e cacheEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= maxCached {
		c.entries = make(map[cacheKey]cacheEntry)
	}
	c.entries[k] = e
}

// cachedBaseline is baseline through the cache when a.BaselineTTL is set.
// A sliding window is truncated to the TTL so that requests within one TTL
// share an entry.
func (a *Advisor) cachedBaseline(ctx context.Context, w flow.WorkloadRef) (flow.Baseline, bool, error) {
	ttl := a.BaselineTTL
	if ttl <= 0 {
		return a.baseline(ctx, w, a.window())
	}
	now := a.clock()
	win := a.window()
	win.From = win.From.Truncate(ttl)
	k := cacheKey{w: w, win: win}
	if e, ok := a.cache.get(k, now, ttl); ok {
		return e.b, e.found, nil
	}
	b, found, err := a.baseline(ctx, w, win)
	if err != nil {
		return flow.Baseline{}, false, err
	}
	// "No baseline yet" is not kept: a learning workload's first flows
	// must show in the very next review, not one TTL later.
	if found {
		a.cache.put(k, cacheEntry{b: b, found: found, at: now})
	}
	return b, found, nil
}

// Ingested forgets the cached baselines of the flows' workloads: they have
// just changed, and a review must see the flows the store holds (a
// NetworkPolicy applied right after the traffic would otherwise be judged
// against a baseline up to one TTL old at one end and a fresh one at the
// other). The server hands it what its store writer applied.
func (a *Advisor) Ingested(flows []flow.Flow) {
	a.cache.forget(flows)
}

func (c *cachedBaselines) forget(flows []flow.Flow) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) == 0 {
		return
	}
	changed := map[flow.WorkloadRef]bool{}
	for i := range flows {
		changed[flows[i].Workload] = true
	}
	for k := range c.entries {
		if changed[k.w] {
			delete(c.entries, k)
		}
	}
}
