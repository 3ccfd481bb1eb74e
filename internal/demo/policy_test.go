package demo

import (
	"testing"

	"github.com/netpol-advisor/netpol-advisor/internal/apis/v1alpha1"
)

// The failed-connect line names every kind of failure the observer
// reports, unreachable only where there were some.
func TestFailedLineNamesEachKindOfFailure(t *testing.T) {
	ext := v1alpha1.Peer{Kind: "External", IP: "203.0.113.9", Display: "203.0.113.9"}
	for _, tc := range []struct {
		name string
		flow v1alpha1.Flow
		more int64
		want string
	}{
		{"timed out only", v1alpha1.Flow{Peer: ext, Port: 443, Protocol: "TCP", Failed: 4, TimedOut: 4}, 3,
			"egress 203.0.113.9 443/TCP: 3 more failed (refused 0, timed out 4)"},
		{"unreachable too", v1alpha1.Flow{Peer: ext, Port: 443, Protocol: "TCP", Failed: 9, Refused: 1, TimedOut: 2, Unreachable: 6}, 9,
			"egress 203.0.113.9 443/TCP: 9 more failed (refused 1, timed out 2, unreachable 6)"},
		{"UDP port unreachable is refused", v1alpha1.Flow{Peer: ext, Port: 8125, Protocol: "UDP", Failed: 2, Refused: 2}, 1,
			"egress 203.0.113.9 8125/UDP: 1 more failed (refused 2, timed out 0)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := failedLine(newEdge("egress", tc.flow), tc.more); got != tc.want {
				t.Fatalf("failedLine:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}
