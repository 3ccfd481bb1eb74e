package ui

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestGuard(t *testing.T) {
	const tok = "s3cret"
	g := newGuard(tok, 8765)
	ok := g.wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	cases := []struct {
		name   string
		host   string
		target string
		header map[string]string
		want   int
	}{
		{"the printed URL", "127.0.0.1:8765", "/?token=" + tok, nil, http.StatusNoContent},
		{"localhost", "localhost:8765", "/?token=" + tok, nil, http.StatusNoContent},
		{"the page's own API call", "127.0.0.1:8765", "/api/namespaces", map[string]string{TokenHeader: tok, "Origin": "http://127.0.0.1:8765", "Sec-Fetch-Site": "same-origin"}, http.StatusNoContent},
		{"no token", "127.0.0.1:8765", "/", nil, http.StatusForbidden},
		{"a wrong token", "127.0.0.1:8765", "/?token=s3creT", nil, http.StatusForbidden},
		{"a token's prefix", "127.0.0.1:8765", "/api/namespaces", map[string]string{TokenHeader: tok[:3]}, http.StatusForbidden},
		{"DNS rebinding: the attacker's host name", "evil.example:8765", "/?token=" + tok, nil, http.StatusForbidden},
		{"another port", "127.0.0.1:8766", "/?token=" + tok, nil, http.StatusForbidden},
		{"no port", "127.0.0.1", "/?token=" + tok, nil, http.StatusForbidden},
		{"another Origin", "127.0.0.1:8765", "/api/namespaces", map[string]string{TokenHeader: tok, "Origin": "https://evil.example"}, http.StatusForbidden},
		{"the same host over https", "127.0.0.1:8765", "/api/namespaces", map[string]string{TokenHeader: tok, "Origin": "https://127.0.0.1:8765"}, http.StatusForbidden},
		{"Origin null (a sandboxed frame)", "127.0.0.1:8765", "/api/namespaces", map[string]string{TokenHeader: tok, "Origin": "null"}, http.StatusForbidden},
		{"a cross-site fetch", "127.0.0.1:8765", "/api/namespaces", map[string]string{TokenHeader: tok, "Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", c.target, nil)
			r.Host = c.host
			for k, v := range c.header {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			ok.ServeHTTP(w, r)
			if w.Code != c.want {
				t.Errorf("status %d, want %d: %s", w.Code, c.want, w.Body)
			}
			if c.want == http.StatusNoContent && w.Header().Get("X-Frame-Options") != "DENY" {
				t.Error("no X-Frame-Options: DENY (clickjacking)")
			}
		})
	}
}
