package observer

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

// The explanations are pure functions of the error: tested with the errors
// the kernel and cilium/ebpf return.
func TestExplainErrors(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantIs   error
		wantText string
	}{
		{"load EPERM", explainLoad(fmt.Errorf("load program: %w", unix.EPERM)), ErrPermission, "run it as root"},
		{"load EACCES", explainLoad(unix.EACCES), ErrPermission, "CAP_BPF"},
		{"load unsupported", explainLoad(fmt.Errorf("map: %w", ebpf.ErrNotSupported)), ErrUnsupported, "Linux 5.10+"},
		{"attach EPERM", explainAttach("cgroup_skb/egress on /x", unix.EPERM), ErrPermission, "cgroup_skb/egress on /x"},
		{"attach unsupported", explainAttach("tp_btf/inet_sock_set_state", ebpf.ErrNotSupported), ErrUnsupported, "tp_btf/inet_sock_set_state"},
		{"probe unsupported", unsupported("SkStorage maps (Linux 5.2)", ebpf.ErrNotSupported), ErrUnsupported, "lacks SkStorage maps (Linux 5.2)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !errors.Is(tt.err, tt.wantIs) {
				t.Errorf("%v is not %v", tt.err, tt.wantIs)
			}
			if !strings.Contains(tt.err.Error(), tt.wantText) {
				t.Errorf("%q does not say %q", tt.err, tt.wantText)
			}
		})
	}
}

func TestKernelHasWhatTheObserverNeeds(t *testing.T) {
	if err := checkBTF(); err != nil {
		testutil.SkipOrFail(t, "no BTF here: "+err.Error())
	}
	if err := checkKernel(); err != nil {
		t.Fatalf("this kernel (6.x, which runs the other tests) reported as unsupported: %v", err)
	}
	if err := unsupported("x", unix.EINVAL); err != nil {
		t.Errorf("a probe failing for another reason must not block Open: %v", err)
	}
}
