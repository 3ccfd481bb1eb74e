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
	return decodeEdgeInterned(w, b, nil)
}

// decodeEdgeInterned is decodeEdge taking its strings from names, when
// set, and adding the new ones: a baseline's edges repeat a few strings.
func decodeEdgeInterned(w flow.WorkloadRef, b []byte, names map[string]string) (flow.Key, error) {
	d := decoder{b: b, names: names}
	k := flow.Key{Workload: w}
	k.Direction = flow.Direction(d.string(string(flow.Egress), string(flow.Ingress)))
	k.Peer.Kind = flow.PeerKind(d.string(string(flow.PeerWorkload), string(flow.PeerExternal), string(flow.PeerNode), string(flow.PeerAPIServer)))
	k.Peer.Workload.Namespace = d.string()
	k.Peer.Workload.Kind = flow.Kind(d.string(string(flow.KindDeployment), string(flow.KindStatefulSet), string(flow.KindDaemonSet)))
	k.Peer.Workload.Name = d.string()
	k.Peer.Service = flow.ServiceRef{Namespace: d.string(), Name: d.string(), Port: int32(d.uint32())}
	ip := d.bytes()
	k.Peer.Node = d.string()
	k.Port = int32(d.uint32())
	k.Protocol = corev1.Protocol(d.string(string(corev1.ProtocolTCP), string(corev1.ProtocolUDP), string(corev1.ProtocolSCTP)))
	k.Process = d.string()
	if d.err != nil {
		return flow.Key{}, d.err
	}
	if len(d.b) != 0 {
		return flow.Key{}, fmt.Errorf("edge encoding has %d trailing bytes", len(d.b))
	}
	if err := k.Peer.IP.UnmarshalBinary(ip); err != nil {
		return flow.Key{}, fmt.Errorf("decode peer address: %w", err)
	}
	if !k.Peer.IP.IsValid() {
		k.Peer.IP = netip.Addr{}
	}
	return k, nil
}

// decoder reads what appendEdge wrote; the first error sticks.
type decoder struct {
	b     []byte
	err   error
	names map[string]string // interned strings, when set
}

// bytes reads a length-prefixed string without copying it.
func (d *decoder) bytes() []byte {
	n, sz := binary.Uvarint(d.b)
	if d.err != nil || sz <= 0 || uint64(len(d.b)-sz) < n {
		d.err = errShortEdge
		return nil
	}
	s := d.b[sz : sz+int(n)]
	d.b = d.b[sz+int(n):]
	return s
}

// string reads a string, taking it from common (the usual values of the
// field, compared without hashing) or from the interned names.
func (d *decoder) string(common ...string) string {
	b := d.bytes()
	for _, s := range common {
		if string(b) == s {
			return s
		}
	}
	if d.names == nil || len(b) == 0 {
		return string(b)
	}
	if s, ok := d.names[string(b)]; ok {
		return s
	}
	s := string(b)
	d.names[s] = s
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
