package inventory

import (
	"context"
	"sync"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Cached shares one snapshot between callers and rebuilds it when it is
// older than MaxAge. It is safe for concurrent use; concurrent callers of a
// stale snapshot wait for one rebuild.
type Cached struct {
	Reader  client.Reader
	Options Options
	// MaxAge is how stale a snapshot may be (default 2 s): admission
	// requests arrive in bursts, and a policy or workload created a moment
	// ago is also handed to the webhook in the request itself.
	MaxAge time.Duration

	mu   sync.Mutex
	last *Snapshot
}

// Snapshot returns a snapshot no older than MaxAge. Callers must not
// modify it.
func (c *Cached) Snapshot(ctx context.Context) (*Snapshot, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	maxAge := c.MaxAge
	if maxAge == 0 {
		maxAge = 2 * time.Second
	}
	if c.last != nil && time.Since(c.last.Taken) < maxAge {
		return c.last, nil
	}
	s, err := Build(ctx, c.Reader, c.Options)
	if err != nil {
		return nil, err
	}
	c.last = s
	return s, nil
}

// Invalidate drops the shared snapshot, so the next caller rebuilds it.
func (c *Cached) Invalidate() {
	c.mu.Lock()
	c.last = nil
	c.mu.Unlock()
}
