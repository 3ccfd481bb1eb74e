package main

import (
	"strings"
	"testing"

	"github.com/netpol-advisor/netpol-advisor/observer"
)

// TestStatsLinePrintsEveryCounter: the line `observer flows` ends with
// names every counter, drops included, with its value.
func TestStatsLinePrintsEveryCounter(t *testing.T) {
	s := observer.Stats{Events: 1, FlowsCreated: 2, Drained: 3, Evicted: 4, DropFlowUpdate: 5,
		DropSocketStorage: 6, DropParse: 7, DropNotify: 8, ConnectsWithoutProcess: 9}
	line := statsLine(s)
	for _, c := range s.Counters() {
		if !strings.Contains(line, c.Name) {
			t.Errorf("%q does not name %q", line, c.Name)
		}
	}
	for _, want := range []string{"dropped: flow table full 5", "dropped: UDP pair state 6", "dropped: unparsed packets 7",
		"dropped: new-flow notifications 8", "connects without process name 9", "evicted (lower bound) 4"} {
		if !strings.Contains(line, want) {
			t.Errorf("%q does not contain %q", line, want)
		}
	}
}
