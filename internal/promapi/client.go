package promapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Client talks to one Prometheus server.
type Client struct {
	URL  string // http://127.0.0.1:9090
	HTTP *http.Client
}

// New returns a client of the server at url with a short timeout.
func New(url string) *Client {
	return &Client{URL: url, HTTP: &http.Client{Timeout: 5 * time.Second}}
}

// Sample is one series of an instant query.
type Sample struct {
	Metric map[string]string `json:"metric"`
	Point  [2]any            `json:"value"` // [time, "value"]
}

// Value is the sample's value as Prometheus wrote it.
func (s Sample) Value() string { v, _ := s.Point[1].(string); return v }

// Alert is one pending or firing alert.
type Alert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	State       string            `json:"state"`
}

// Ready is nil once the server is ready to serve queries.
func (c *Client) Ready() error {
	resp, err := c.HTTP.Get(c.URL + "/-/ready")
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("prometheus /-/ready: %s", resp.Status)
	}
	return nil
}

// Query runs an instant query.
func (c *Client) Query(q string) ([]Sample, error) {
	var r struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []Sample `json:"result"`
		} `json:"data"`
	}
	if err := c.get("/api/v1/query?query="+url.QueryEscape(q), &r); err != nil {
		return nil, err
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("query %s: %s", q, r.Error)
	}
	return r.Data.Result, nil
}

// Alerts lists the pending and firing alerts.
func (c *Client) Alerts() ([]Alert, error) {
	var r struct {
		Data struct {
			Alerts []Alert `json:"alerts"`
		} `json:"data"`
	}
	err := c.get("/api/v1/alerts", &r)
	return r.Data.Alerts, err
}

func (c *Client) get(path string, v any) error {
	resp, err := c.HTTP.Get(c.URL + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("prometheus GET %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("decode prometheus' answer to %s: %w", path, err)
	}
	return nil
}
