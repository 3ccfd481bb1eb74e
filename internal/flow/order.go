package flow

import (
	"bytes"
	"net/netip"
	"strconv"
)

// CompareKeys sorts by workload, direction, peer, protocol, port, process;
// workloads and peers compare as their String forms do, without building
// those strings: sorting a baseline of thousands of flows must not allocate
// per comparison.

// appendWorkload appends w.String().
func appendWorkload(b []byte, w WorkloadRef) []byte {
	b = append(append(append(b, w.Namespace...), '/'), w.Kind...)
	return append(append(b, '/'), w.Name...)
}

// appendService appends s.String().
func appendService(b []byte, s ServiceRef) []byte {
	b = append(append(append(b, s.Namespace...), '/'), s.Name...)
	if s.Port != 0 {
		b = strconv.AppendInt(append(b, ':'), int64(s.Port), 10)
	}
	return b
}

// appendPeer appends p.String().
func appendPeer(b []byte, p Peer) []byte {
	switch p.Kind {
	case PeerWorkload:
		b = appendWorkload(b, p.Workload)
		if !p.Service.IsZero() {
			b = appendService(append(b, " via service "...), p.Service)
		}
		return b
	case PeerNode:
		if p.Node != "" {
			return append(appendIP(append(append(append(b, "node "...), p.Node...), " ("...), p.IP), ')')
		}
		return appendIP(append(b, "node "...), p.IP)
	case PeerAPIServer:
		return appendIP(append(b, "apiserver "...), p.IP)
	case PeerExternal:
		return appendIP(append(b, "external "...), p.IP)
	case PeerNodeLocalDNS:
		return appendIP(append(b, "node-local dns "...), p.IP)
	case PeerService:
		return append(appendService(append(b, "service "...), p.Service), " (no endpoints)"...)
	case PeerUnresolved:
		return appendIP(append(b, "unresolved "...), p.IP)
	}
	return append(b, p.Kind...)
}

// appendIP appends ip.String().
func appendIP(b []byte, ip netip.Addr) []byte {
	if !ip.IsValid() {
		return append(b, "invalid IP"...)
	}
	return ip.AppendTo(b)
}

func compareWorkloads(a, b WorkloadRef) int {
	if a == b {
		return 0
	}
	var ab, bb [128]byte
	return bytes.Compare(appendWorkload(ab[:0], a), appendWorkload(bb[:0], b))
}

func comparePeers(a, b Peer) int {
	if a == b {
		return 0
	}
	var ab, bb [160]byte
	return bytes.Compare(appendPeer(ab[:0], a), appendPeer(bb[:0], b))
}
