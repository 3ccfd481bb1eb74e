package ui

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
)

// TokenHeader carries the session token on the page's API calls.
const TokenHeader = "X-Netpol-Advisor-Token"

// NewToken is a random session token.
func NewToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// guard refuses what the page never sends: a Host other than the loopback
// address and port the server listens on (a DNS rebinding attack names the
// attacker's host), an Origin other than the page's own or a cross-site
// fetch (another site's script), and a request without the session token.
type guard struct {
	token string
	hosts map[string]bool // host:port the page may be loaded from
}

func newGuard(token string, port int) guard {
	p := strconv.Itoa(port)
	return guard{token: token, hosts: map[string]bool{"127.0.0.1:" + p: true, "localhost:" + p: true}}
}

func (g guard) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if reason := g.refuse(r); reason != "" {
			http.Error(w, reason, http.StatusForbidden)
			return
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Referrer-Policy", "no-referrer")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'")
		next.ServeHTTP(w, r)
	})
}

// refuse says why r is refused, or "".
func (g guard) refuse(r *http.Request) string {
	if !g.hosts[r.Host] {
		return "netpol-advisor ui: Host " + strconv.Quote(r.Host) + " refused; open the URL the command printed"
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Scheme != "http" || !g.hosts[u.Host] {
			return "netpol-advisor ui: requests from Origin " + strconv.Quote(o) + " are refused"
		}
	}
	if s := r.Header.Get("Sec-Fetch-Site"); s == "cross-site" || s == "same-site" {
		return "netpol-advisor ui: cross-site requests are refused"
	}
	tok := r.Header.Get(TokenHeader)
	if tok == "" {
		tok = r.URL.Query().Get("token")
	}
	if subtle.ConstantTimeCompare([]byte(tok), []byte(g.token)) != 1 {
		return "netpol-advisor ui: missing or wrong session token; open the URL the command printed"
	}
	return ""
}
