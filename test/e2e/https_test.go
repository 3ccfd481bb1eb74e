package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// getJSON GETs url with a bearer token and decodes a 200 answer into out;
// it returns the status code.
func getJSON(hc *http.Client, url, token string, out any) (int, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return resp.StatusCode, fmt.Errorf("GET %s: %s: %s", url, resp.Status, body)
	}
	return resp.StatusCode, json.NewDecoder(resp.Body).Decode(out)
}
