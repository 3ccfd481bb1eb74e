package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

var _ store.Reader = (*Client)(nil)

// Client reads baselines from a server's read API. It implements
// store.Reader, so the webhook, the CLI and the UI can run apart from the
// server (Badger allows one process per store).
type Client struct {
	// URL is the server's base URL, e.g. https://netpol-advisor:8443.
	URL string
	// HTTP trusts the server's certificate (http.DefaultClient when nil).
	HTTP *http.Client
	// Token returns the caller's bearer token for each request.
	Token func() (string, error)
}

// Baseline implements store.Reader.
func (c *Client) Baseline(ctx context.Context, w flow.WorkloadRef, win flow.Window) (flow.Baseline, error) {
	path := fmt.Sprintf("/v1/namespaces/%s/workloads/%s/%s/baseline",
		url.PathEscape(w.Namespace), url.PathEscape(string(w.Kind)), url.PathEscape(w.Name))
	var b flow.Baseline
	if err := c.get(ctx, path, win, &b); err != nil {
		return flow.Baseline{}, fmt.Errorf("baseline of %s: %w", w, err)
	}
	return b, nil
}

// Namespace implements store.Reader.
func (c *Client) Namespace(ctx context.Context, ns string, win flow.Window) ([]flow.Baseline, error) {
	seg := ns
	if seg == "" {
		seg = "_all"
	}
	var bls []flow.Baseline
	if err := c.get(ctx, "/v1/namespaces/"+url.PathEscape(seg)+"/baselines", win, &bls); err != nil {
		return nil, fmt.Errorf("baselines of namespace %q: %w", ns, err)
	}
	return bls, nil
}

func (c *Client) get(ctx context.Context, path string, win flow.Window, out any) error {
	q := url.Values{}
	if !win.From.IsZero() {
		q.Set("from", win.From.UTC().Format(time.RFC3339))
	}
	if !win.To.IsZero() {
		q.Set("to", win.To.UTC().Format(time.RFC3339))
	}
	u := strings.TrimSuffix(c.URL, "/") + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	token, err := c.Token()
	if err != nil {
		return fmt.Errorf("read token: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return store.ErrNotFound
	}
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("server answered %s: %s", resp.Status, strings.TrimSpace(string(msg)))
	}
	return json.NewDecoder(resp.Body).Decode(out)
}
