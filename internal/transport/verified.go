package transport

import (
	"crypto/sha256"
	"sync"
	"time"
)

// verifiedTokens remembers the tokens LocalVerifier verified, so that the
// next batch of an observer costs a hash and a lookup instead of a
// signature check and a JSON parse: about 150 µs a token, 5 % of the CPU of
// BenchmarkIngest1000Observers, where every request is authenticated (a
// refused one too, before it may queue or book a turn). An entry lasts
// until the token expires, at most verifiedTTL: what a fresh check would
// add within that time is only a rotated-out signing key, and the bound
// pod is checked on every batch anyway (Handler).
type verifiedTokens struct {
	mu sync.Mutex
	m  map[[32]byte]verifiedToken
}

type verifiedToken struct {
	user  User
	until time.Time
}

const (
	// verifiedTTL bounds how long a verified token is trusted unchecked.
	verifiedTTL = time.Minute
	// maxVerified bounds the cache: about two tokens per observer.
	maxVerified = 1 << 16
)

func tokenKey(token string) [32]byte { return sha256.Sum256([]byte(token)) }

// get returns the user of a token verified before and still valid at now.
func (c *verifiedTokens) get(key [32]byte, now time.Time) (User, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[key]
	if !ok || !now.Before(v.until) {
		return User{}, false
	}
	return v.user, true
}

// put remembers u for the token of key until expires, at most verifiedTTL.
func (c *verifiedTokens) put(key [32]byte, u User, now, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[[32]byte]verifiedToken{}
	}
	if len(c.m) >= maxVerified {
		for k, v := range c.m {
			if !now.Before(v.until) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= maxVerified {
			clear(c.m)
		}
	}
	c.m[key] = verifiedToken{user: u, until: minTime(expires, now.Add(verifiedTTL))}
}
