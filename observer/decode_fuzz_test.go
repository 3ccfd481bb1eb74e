package observer

import (
	"net/netip"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// FuzzDecodeRecord feeds arbitrary bytes to the record decoder: it must
// never panic, must reject records of the wrong size, and what it accepts
// must be a well-formed observation that re-encodes to the same key.
func FuzzDecodeRecord(f *testing.F) {
	f.Add(encode(f, makeKey("::ffff:198.18.0.2", "::ffff:198.19.0.10", 80, ipprotoTCP, 0)),
		encode(f, flowbpfFlowValue{Count: 1, FirstNs: 5, LastNs: 9, Comm: comm("curl")}))
	f.Add(encode(f, makeKey("fd00::2", "fd00::3", 53, ipprotoUDP, 1)), encode(f, flowbpfFlowValue{}))
	f.Add([]byte{1, 2, 3}, []byte{})
	keySize, valSize := len(encode(f, flowbpfFlowKey{})), len(encode(f, flowbpfFlowValue{}))
	f.Fuzz(func(t *testing.T, key, value []byte) {
		o, err := decodeRecord(key, value, testClock)
		if len(key) != keySize || len(value) != valSize {
			if err == nil {
				t.Fatalf("accepted a %d-byte key and %d-byte value", len(key), len(value))
			}
			return
		}
		if err != nil {
			return
		}
		checkObservation(t, o)
		if got := encode(t, reencodeKey(o)); string(got[:keySize-4]) != string(key[:keySize-4]) {
			t.Fatalf("key does not round-trip:\n in %x\nout %x", key, got)
		}
	})
}

func checkObservation(t *testing.T, o flow.Observation) {
	t.Helper()
	if o.Protocol != corev1.ProtocolTCP && o.Protocol != corev1.ProtocolUDP {
		t.Fatalf("protocol %q", o.Protocol)
	}
	if o.Direction != flow.Egress && o.Direction != flow.Ingress {
		t.Fatalf("direction %q", o.Direction)
	}
	for _, a := range []netip.Addr{o.LocalIP, o.Client, o.Server} {
		if !a.IsValid() || a.Is4In6() {
			t.Fatalf("address %v not valid or still IPv4-mapped", a)
		}
	}
	if o.LastSeen.Before(o.FirstSeen) {
		t.Fatalf("last seen %v before first seen %v", o.LastSeen, o.FirstSeen)
	}
	if len(o.Process) > 16 || strings.ContainsRune(o.Process, 0) {
		t.Fatalf("process %q", o.Process)
	}
}

// reencodeKey builds the kernel key an observation came from (pad bytes
// aside), mapping IPv4 addresses back into IPv6.
func reencodeKey(o flow.Observation) flowbpfFlowKey {
	k := flowbpfFlowKey{CgroupId: o.CgroupID, Client: o.Client.As16(),
		Server: o.Server.As16(), ServerPort: o.ServerPort, Protocol: ipprotoUDP}
	if o.Protocol == corev1.ProtocolTCP {
		k.Protocol = ipprotoTCP
	}
	if o.Direction == flow.Ingress {
		k.Direction = 1
	}
	return k
}

// FuzzDecodeNewFlow: ring buffer records decode like table entries or are
// rejected; never a panic.
func FuzzDecodeNewFlow(f *testing.F) {
	f.Add(encode(f, flowbpfNewFlow{Key: makeKey("::ffff:198.18.0.2", "::ffff:198.18.0.3", 8080, ipprotoTCP, 0),
		SeenNs: 7, Comm: comm("curl"), Failed: 1}))
	f.Add([]byte{})
	size := len(encode(f, flowbpfNewFlow{}))
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := decodeNewFlow(b, testClock)
		if len(b) != size {
			if err == nil {
				t.Fatalf("accepted %d bytes", len(b))
			}
			return
		}
		if err != nil {
			return
		}
		checkObservation(t, o)
		if o.Count+o.Failed != 1 || !o.FirstSeen.Equal(o.LastSeen) {
			t.Fatalf("a notification is one event at one time: %+v", o)
		}
	})
}
