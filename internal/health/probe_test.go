package health

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	body, _ := io.ReadAll(rec.Body)
	return rec.Code, string(body)
}

func TestReadyzAndLivez(t *testing.T) {
	slow := func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() } // an API server that never answers
	tests := []struct {
		name      string
		checks    map[string]func(context.Context) error
		rounds    int
		wantReady int
		wantText  string
	}{
		{"not checked yet", map[string]func(context.Context) error{"store": func(context.Context) error { return nil }}, 0, 503, "store: not checked yet"},
		{"all pass", map[string]func(context.Context) error{"store": func(context.Context) error { return nil }}, 1, 200, "ok"},
		{"one fails", map[string]func(context.Context) error{
			"store":    func(context.Context) error { return nil },
			"webhooks": func(context.Context) error { return errors.New("caBundle not patched") },
		}, 1, 503, "webhooks: caBundle not patched"},
		{"slow dependency", map[string]func(context.Context) error{"informers": slow}, 1, 503, "informers: context deadline exceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := New(Options{Timeout: 10 * time.Millisecond})
			for name, fn := range tt.checks {
				p.Add(name, fn)
			}
			for range tt.rounds {
				p.Round(context.Background())
			}
			mux := http.NewServeMux()
			p.Routes(mux)
			code, body := get(t, mux, "/readyz")
			if code != tt.wantReady || !strings.Contains(body, tt.wantText) {
				t.Errorf("/readyz = %d %q, want %d containing %q", code, body, tt.wantReady, tt.wantText)
			}
			// A slow or failing dependency never makes the process unlive.
			if code, body := get(t, mux, "/livez"); code != 200 {
				t.Errorf("/livez = %d %q, want 200", code, body)
			}
		})
	}
}

func TestLivezFailsOnlyWhenRoundsStop(t *testing.T) {
	c := &clock{now: time.Unix(1_000_000, 0)}
	p := New(Options{Stall: time.Minute, Now: c.Now})
	p.Add("store", func(context.Context) error { return errors.New("down") })
	mux := http.NewServeMux()
	p.Routes(mux)
	c.Add(59 * time.Second)
	if code, _ := get(t, mux, "/livez"); code != 200 {
		t.Fatalf("/livez before the first round's stall = %d, want 200", code)
	}
	p.Round(context.Background())
	c.Add(59 * time.Second)
	if code, _ := get(t, mux, "/livez"); code != 200 {
		t.Fatalf("/livez within a minute of a round = %d, want 200", code)
	}
	c.Add(2 * time.Second)
	if code, body := get(t, mux, "/livez"); code != 503 || !strings.Contains(body, "stuck") {
		t.Fatalf("/livez after a minute without a round = %d %q, want 503 saying the process is stuck", code, body)
	}
}

func TestReadyzVerboseListsEveryCheck(t *testing.T) {
	p := New(Options{})
	p.Add("store", func(context.Context) error { return nil })
	p.Add("webhooks", func(context.Context) error { return errors.New("no certificate") })
	p.Round(context.Background())
	mux := http.NewServeMux()
	p.Routes(mux)
	code, body := get(t, mux, "/readyz?verbose")
	want := "[+] store ok\n[-] webhooks: no certificate\nreadyz check failed\n"
	if code != 503 || body != want {
		t.Fatalf("/readyz?verbose = %d %q, want 503 %q", code, body, want)
	}
}
