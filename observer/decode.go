package observer

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"

	corev1 "k8s.io/api/core/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

const (
	ipprotoTCP = 6
	ipprotoUDP = 17
)

// decode turns one entry of the kernel's flow table into an Observation.
// IPv4-mapped addresses become IPv4 addresses.
func decode(k flowbpfFlowKey, v flowbpfFlowValue, c clock) (flow.Observation, error) {
	o := flow.Observation{
		CgroupID:   k.CgroupId,
		Client:     netip.AddrFrom16(k.Client).Unmap(),
		Server:     netip.AddrFrom16(k.Server).Unmap(),
		ServerPort: k.ServerPort,
		Process:    commString(v.Comm),
		Count:      v.Count,
		Failed:     v.Failed,
		Failures:   flow.Failures{Refused: v.Refused, TimedOut: v.TimedOut, Unreachable: v.Unreachable},
		FirstSeen:  c.at(v.FirstNs),
		LastSeen:   c.at(max(v.FirstNs, v.LastNs)),
	}
	switch k.Protocol {
	case ipprotoTCP:
		o.Protocol = corev1.ProtocolTCP
	case ipprotoUDP:
		o.Protocol = corev1.ProtocolUDP
	default:
		return flow.Observation{}, fmt.Errorf("decode flow: unknown IP protocol %d", k.Protocol)
	}
	// The local socket is the client of its egress, the server of its
	// ingress (bpf/observer.h: the key keeps the address once).
	switch flowbpfDirection(k.Direction) {
	case flowbpfDirectionDIR_EGRESS:
		o.Direction, o.LocalIP = flow.Egress, o.Client
	case flowbpfDirectionDIR_INGRESS:
		o.Direction, o.LocalIP = flow.Ingress, o.Server
	default:
		return flow.Observation{}, fmt.Errorf("decode flow: unknown direction %d", k.Direction)
	}
	return o, nil
}

// commString returns the NUL-terminated task name.
func commString(comm [16]int8) string {
	b := make([]byte, 0, len(comm))
	for _, c := range comm {
		if c == 0 {
			break
		}
		b = append(b, byte(c))
	}
	return string(b)
}

// decodeRecord decodes a raw key and value as the kernel lays them out
// (native byte order).
func decodeRecord(key, value []byte, c clock) (flow.Observation, error) {
	var k flowbpfFlowKey
	var v flowbpfFlowValue
	if err := readExact(key, &k); err != nil {
		return flow.Observation{}, fmt.Errorf("decode flow key: %w", err)
	}
	if err := readExact(value, &v); err != nil {
		return flow.Observation{}, fmt.Errorf("decode flow value: %w", err)
	}
	return decode(k, v, c)
}

func readExact(b []byte, out any) error {
	if want := binary.Size(out); len(b) != want {
		return fmt.Errorf("%d bytes, want %d", len(b), want)
	}
	return binary.Read(bytes.NewReader(b), binary.NativeEndian, out)
}
