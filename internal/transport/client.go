package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

// StatusError is a non-2xx answer of the server.
type StatusError struct {
	Code    int
	Message string
	// RetryAfter is the wait the server asked for: its RetryAfterMsHeader
	// when it sent one, else its Retry-After in whole seconds; 0 when it
	// named none.
	RetryAfter time.Duration
	// Booked reports that RetryAfter came to the millisecond: the turn the
	// server booked for this observer, not whole seconds to spread over.
	Booked bool
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("server answered %d %s: %s", e.Code, http.StatusText(e.Code), e.Message)
}

// Permanent reports whether resending the same batch can never succeed:
// the server found it malformed, invalid or too large. Authentication and
// server errors are not permanent (a token may rotate, a server restart).
func (e *StatusError) Permanent() bool {
	switch e.Code {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge,
		http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity:
		return true
	}
	return false
}

// Client sends batches to the server.
type Client struct {
	// URL is the server's base URL, e.g. https://netpol-advisor:8443.
	URL string
	// HTTP is the client to use, with the TLS configuration that trusts the
	// server (http.DefaultClient when nil).
	HTTP *http.Client
	// Token returns the bearer token for each request; read it from the
	// projected ServiceAccount token file each time, as it rotates.
	Token func() (string, error)
}

// Send posts one pending batch of observer and returns the server's answer.
func (c *Client) Send(ctx context.Context, observer string, p store.Pending) (Response, error) {
	body, err := json.Marshal(Request{Version: WireVersion, Observer: observer, Seq: p.Seq, Records: p.Records})
	if err != nil {
		return Response{}, fmt.Errorf("encode batch %d: %w", p.Seq, err)
	}
	token, err := c.Token()
	if err != nil {
		return Response{}, fmt.Errorf("read the observer's token: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(c.URL, "/")+BatchPath, bytes.NewReader(body))
	if err != nil {
		return Response{}, fmt.Errorf("send batch %d: %w", p.Seq, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return Response{}, fmt.Errorf("send batch %d: %w", p.Seq, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Response{}, fmt.Errorf("read the answer to batch %d: %w", p.Seq, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e ErrorResponse
		if json.Unmarshal(raw, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(raw))
		}
		wait, booked := retryAfter(resp.Header)
		return Response{}, fmt.Errorf("send batch %d: %w", p.Seq, &StatusError{Code: resp.StatusCode, Message: e.Error,
			RetryAfter: wait, Booked: booked})
	}
	var out Response
	if err := json.Unmarshal(raw, &out); err != nil {
		return Response{}, fmt.Errorf("decode the answer to batch %d: %w", p.Seq, err)
	}
	return out, nil
}

// retryAfter reads the server's RetryAfterMsHeader, else a Retry-After of
// delay-seconds (RFC 9110 10.2.3), the form this server sends; an HTTP
// date or garbage counts as none. booked reports the first.
func retryAfter(h http.Header) (wait time.Duration, booked bool) {
	if ms, err := strconv.ParseInt(strings.TrimSpace(h.Get(RetryAfterMsHeader)), 10, 64); err == nil && ms > 0 {
		return time.Duration(min(ms, int64(maxRetryAfter/time.Millisecond))) * time.Millisecond, true
	}
	s, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After")))
	if err != nil || s <= 0 {
		return 0, false
	}
	return time.Duration(s) * time.Second, false
}
