package cli

import (
	"testing"

	"github.com/netpol-advisor/netpol-advisor/internal/apis/v1alpha1"
)

// The FAILED column says why connects failed where the observer told.
func TestFailedText(t *testing.T) {
	tests := []struct {
		f    v1alpha1.Flow
		want string
	}{
		{v1alpha1.Flow{}, "0"},
		{v1alpha1.Flow{Failed: 3}, "3"},
		{v1alpha1.Flow{Failed: 3, Refused: 2, TimedOut: 1}, "3 (2 refused, 1 timed out)"},
		{v1alpha1.Flow{Failed: 4, TimedOut: 1, Unreachable: 2}, "4 (1 timed out, 2 unreachable)"},
		{v1alpha1.Flow{Failed: 5, Refused: 1}, "5 (1 refused)"},
	}
	for _, tt := range tests {
		if got := failedText(tt.f); got != tt.want {
			t.Errorf("failedText(%+v) = %q, want %q", tt.f, got, tt.want)
		}
	}
}
