package badgerstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	corev1 "k8s.io/api/core/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

var errShortEdge = errors.New("edge encoding is truncated")

// appendEdge encodes everything of k but its workload (which is in the key
// prefix): length-prefixed strings and fixed-size integers, so that equal
// edges always give equal bytes.
func appendEdge(b []byte, k flow.Key) []byte {
	p := k.Peer
	b = appendString(b, string(k.Direction))
	b = appendString(b, string(p.Kind))
	b = appendString(b, p.Workload.Namespace)
	b = appendString(b, string(p.Workload.Kind))
	b = appendString(b, p.Workload.Name)
	b = appendString(b, p.Service.Namespace)
	b = appendString(b, p.Service.Name)
	b = binary.BigEndian.AppendUint32(b, uint32(p.Service.Port))
	ip, _ := p.IP.MarshalBinary() // never fails
	b = appendString(b, string(ip))
	b = appendString(b, p.Node)
	b = binary.BigEndian.AppendUint32(b, uint32(k.Port))
	b = appendString(b, string(k.Protocol))
	return appendString(b, k.Process)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decodeEdge is the inverse of appendEdge; the workload comes from the key.
func decodeEdge(w flow.WorkloadRef, b []byte) (flow.Key, error) {
	d := decoder{b: b}
	k := flow.Key{Workload: w}
	k.Direction = flow.Direction(d.string())
	k.Peer.Kind = flow.PeerKind(d.string())
	k.Peer.Workload = flow.WorkloadRef{Namespace: d.string(), Kind: flow.Kind(d.string()), Name: d.string()}
	k.Peer.Service = flow.ServiceRef{Namespace: d.string(), Name: d.string(), Port: int32(d.uint32())}
	ip := d.string()
	k.Peer.Node = d.string()
	k.Port = int32(d.uint32())
	k.Protocol = corev1.Protocol(d.string())
	k.Process = d.string()
	if d.err != nil {
		return flow.Key{}, d.err
	}
	if len(d.b) != 0 {
		return flow.Key{}, fmt.Errorf("edge encoding has %d trailing bytes", len(d.b))
	}
	if err := k.Peer.IP.UnmarshalBinary([]byte(ip)); err != nil {
		return flow.Key{}, fmt.Errorf("decode peer address: %w", err)
	}
	if !k.Peer.IP.IsValid() {
		k.Peer.IP = netip.Addr{}
	}
	return k, nil
}

// decoder reads what appendEdge wrote; the first error sticks.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) string() string {
	n, sz := binary.Uvarint(d.b)
	if d.err != nil || sz <= 0 || uint64(len(d.b)-sz) < n {
		d.err = errShortEdge
		return ""
	}
	s := string(d.b[sz : sz+int(n)])
	d.b = d.b[sz+int(n):]
	return s
}

func (d *decoder) uint32() uint32 {
	if d.err != nil || len(d.b) < 4 {
		d.err = errShortEdge
		return 0
	}
	v := binary.BigEndian.Uint32(d.b)
	d.b = d.b[4:]
	return v
}
