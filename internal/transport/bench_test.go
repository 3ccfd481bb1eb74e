package transport_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/resolve"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/store/badgerstore"
	"github.com/netpol-advisor/netpol-advisor/internal/transport"
)

// BenchmarkIngest measures the whole server side of a batch of 5,000
// records in-process: JSON decoding, validation, resolution and the Badger
// apply (TokenReview answers are cached in production; a static
// authenticator stands in here). It reports records/s.
func BenchmarkIngest(b *testing.B) {
	const n = 5000
	st, err := badgerstore.Open(b.TempDir(), badgerstore.Options{})
	if err != nil {
		b.Fatalf("open store: %v", err)
	}
	b.Cleanup(func() { _ = st.Close() })
	// Every record's local end is a pod of node-1 the index knows: the
	// node-binding check passes, as it does for an honest observer.
	idx := resolve.NewIndex(0, nil)
	h := &transport.Handler{Auth: staticAuth{}, Observers: []string{observerUser}, Pods: idx, Resolver: idx, Writer: st}
	recs := make([]store.Record, n)
	for i := range recs {
		w := flow.WorkloadRef{Namespace: fmt.Sprintf("ns-%d", i%100), Kind: flow.KindDeployment, Name: fmt.Sprintf("app-%d", i%1000)}
		at := t0.Add(time.Duration(i) * time.Millisecond)
		local := netip.AddrFrom4([4]byte{198, 18, byte(i / 250 % 250), byte(i % 250)})
		idx.SetPod(makePod(w.Namespace, w.Name, fmt.Sprint(i), "node-1", local.String()))
		recs[i] = store.Record{Workload: w, Observation: flow.Observation{Direction: flow.Egress, LocalIP: local,
			Client: local, Server: netip.AddrFrom4([4]byte{203, 0, 113, byte(i / 1000)}),
			ServerPort: 443, Protocol: "TCP", Process: "app", Count: 1, FirstSeen: at, LastSeen: at}}
	}
	recsJSON, err := json.Marshal(recs)
	if err != nil {
		b.Fatalf("marshal: %v", err)
	}
	cpu0 := cpuTime()
	for i := 0; b.Loop(); i++ {
		body := append(fmt.Appendf(nil, `{"version":2,"observer":"node-1/bench","seq":%d,"records":`, i+1), recsJSON...)
		body = append(body, '}')
		req := httptest.NewRequest(http.MethodPost, transport.BatchPath, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer observer-token")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || bytes.Contains(rec.Body.Bytes(), []byte(`"rejected"`)) {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(b.N*n)/(cpuTime()-cpu0).Seconds(), "records/cpu-s")
}

// cpuTime is the process's CPU time: on a shared machine wall time also
// counts waiting for a CPU.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
