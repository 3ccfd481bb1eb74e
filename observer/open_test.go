package observer_test

import (
	"strings"
	"testing"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/observer"
)

// openObserver opens a real observer on this kernel and closes it at the end.
func openObserver(t testing.TB) *observer.Observer {
	t.Helper()
	testutil.RequireRoot(t)
	o, err := observer.Open(observer.Config{})
	if err != nil {
		t.Fatalf("open observer: %v", err)
	}
	t.Cleanup(func() {
		if err := o.Close(); err != nil {
			t.Error(err)
		}
	})
	return o
}

func TestOpenNamesItsHooks(t *testing.T) {
	o := openObserver(t)
	hooks := strings.Join(o.Hooks(), "\n")
	for _, want := range []string{"tp_btf/inet_sock_set_state", "tp_btf/tcp_receive_reset", "cgroup_skb/egress", "cgroup_skb/ingress", "cgroup/post_bind4"} {
		if !strings.Contains(hooks, want) {
			t.Errorf("hooks %q lack %s", o.Hooks(), want)
		}
	}
}
