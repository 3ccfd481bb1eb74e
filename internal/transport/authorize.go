package transport

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// admitBatch authenticates the caller and takes a batch slot for it, or
// answers the request and returns nil and the result to count. A free slot
// is taken first; without one the caller is authenticated before it may
// queue or book a turn, so that a made-up token takes neither a place in
// the queue nor one in the line. Authentication itself is bounded by the
// verified-token cache and the reviewer's own rate (ErrThrottled), not by
// the slots.
func (h *Handler) admitBatch(w http.ResponseWriter, r *http.Request) (User, func(), string) {
	a := h.admission()
	release := a.free(h.now)
	u, code, reason, msg := h.authorize(r)
	if code != 0 {
		if release != nil {
			release()
		}
		return User{}, nil, h.refuse(w, code, reason, msg)
	}
	who := identity(u)
	if release != nil {
		a.booked.done(who)
		return u, release, ""
	}
	release, wait := a.acquire(r.Context(), h.now, who)
	if release == nil {
		setRetryAfter(w.Header(), wait)
		writeError(w, http.StatusTooManyRequests, "too many batches in flight; retry after the time in Retry-After")
		return User{}, nil, resultThrottled
	}
	return u, release, ""
}

// authorize returns the allowed observer's user, else a status, a reason
// and a message.
func (h *Handler) authorize(r *http.Request) (User, int, string, string) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		return User{}, http.StatusUnauthorized, batchUnauthenticated, "a bearer token (the observer's ServiceAccount token) is required"
	}
	u, err := h.Auth.Authenticate(r.Context(), token)
	switch {
	case errors.Is(err, ErrUnauthenticated):
		return User{}, http.StatusUnauthorized, batchUnauthenticated, "the bearer token was not accepted by the API server"
	case errors.Is(err, ErrThrottled):
		return User{}, http.StatusTooManyRequests, "", "too many tokens to review now; retry later"
	case err != nil:
		h.logger().Error("authenticate observer", "err", err)
		return User{}, http.StatusServiceUnavailable, "", "cannot check the token now; retry later"
	case !slices.Contains(h.Observers, u.Name):
		return User{}, http.StatusForbidden, batchForbidden, fmt.Sprintf("user %q may not send batches", u.Name)
	}
	return u, 0, "", ""
}
