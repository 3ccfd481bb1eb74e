package observer

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

var testClock = clock{wall: time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC), mono: 1_000_000_000}

func comm(s string) (c [16]int8) {
	for i := range min(len(s), 15) {
		c[i] = int8(s[i])
	}
	return c
}

func makeKey(client, server string, port uint16, proto, dir uint8) flowbpfFlowKey {
	return flowbpfFlowKey{
		CgroupId: 42, Client: netip.MustParseAddr(client).As16(),
		Server: netip.MustParseAddr(server).As16(), ServerPort: port, Protocol: proto, Direction: dir,
	}
}

func TestDecode(t *testing.T) {
	val := flowbpfFlowValue{Count: 3, Failed: 1, FirstNs: 2_000_000_000, LastNs: 3_500_000_000, Comm: comm("java")}
	t1, t2 := testClock.wall.Add(time.Second), testClock.wall.Add(2500*time.Millisecond)
	tests := []struct {
		name    string
		key     flowbpfFlowKey
		val     flowbpfFlowValue
		want    flow.Observation
		wantErr bool
	}{{
		name: "ipv4-mapped egress TCP",
		key:  makeKey("::ffff:198.18.0.2", "::ffff:198.19.0.10", 80, ipprotoTCP, 0),
		val:  val,
		want: flow.Observation{LocalIP: netip.MustParseAddr("198.18.0.2"), CgroupID: 42, Direction: flow.Egress,
			Client: netip.MustParseAddr("198.18.0.2"), Server: netip.MustParseAddr("198.19.0.10"), ServerPort: 80,
			Protocol: corev1.ProtocolTCP, Process: "java", Count: 3, Failed: 1, FirstSeen: t1, LastSeen: t2},
	}, {
		name: "ipv6 ingress UDP, last before first",
		key:  makeKey("fd00:198:18::2", "fd00:198:18::3", 53, ipprotoUDP, 1),
		val:  flowbpfFlowValue{Count: 1, FirstNs: 2_000_000_000, LastNs: 1},
		want: flow.Observation{LocalIP: netip.MustParseAddr("fd00:198:18::3"), CgroupID: 42, Direction: flow.Ingress,
			Client: netip.MustParseAddr("fd00:198:18::2"), Server: netip.MustParseAddr("fd00:198:18::3"), ServerPort: 53,
			Protocol: corev1.ProtocolUDP, Count: 1, FirstSeen: t1, LastSeen: t1},
	}, {
		name: "a full 16-byte comm has no NUL", key: makeKey("::1", "::2", 1, ipprotoTCP, 0),
		val: flowbpfFlowValue{Comm: [16]int8{'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p'}},
		want: flow.Observation{LocalIP: netip.MustParseAddr("::1"), CgroupID: 42, Direction: flow.Egress,
			Client: netip.MustParseAddr("::1"), Server: netip.MustParseAddr("::2"), ServerPort: 1,
			Protocol: corev1.ProtocolTCP, Process: "abcdefghijklmnop", FirstSeen: testClock.at(0), LastSeen: testClock.at(0)},
	},
		{name: "unknown protocol", key: makeKey("::1", "::2", 1, 132, 0), wantErr: true},
		{name: "unknown direction", key: makeKey("::1", "::2", 1, ipprotoTCP, 7), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeRecord(encode(t, tt.key), encode(t, tt.val), testClock)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateComparable(netip.Addr{})); diff != "" {
				t.Errorf("decode (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeRecordRejectsWrongSizes(t *testing.T) {
	key, val := encode(t, flowbpfFlowKey{}), encode(t, flowbpfFlowValue{})
	for _, c := range []struct{ k, v []byte }{{key[1:], val}, {key, val[:10]}, {nil, nil}, {append(key, 0), val}} {
		if _, err := decodeRecord(c.k, c.v, testClock); err == nil {
			t.Errorf("decodeRecord(%d, %d bytes) succeeded", len(c.k), len(c.v))
		}
	}
}

func encode(t testing.TB, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := binary.Write(&b, binary.NativeEndian, v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
