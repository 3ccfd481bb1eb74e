package flow

import (
	"net/netip"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Observation is one aggregated record from a node's kernel before it is
// resolved to Kubernetes names: addresses, not workloads. The observer makes
// them; resolution turns them into Flows.
//
// For egress the local socket is the client and Server is what it connected
// to, before any Service DNAT (a ClusterIP and Service port). For ingress the
// local socket is the server, after DNAT (the pod IP and target port).
type Observation struct {
	// LocalIP is the observing socket's address (a pod IP, or a node IP for
	// host-network pods, which CgroupID then tells apart).
	LocalIP netip.Addr `json:"localIP"`
	// CgroupID is the cgroup v2 ID of the observing socket.
	CgroupID  uint64    `json:"cgroupID,omitempty"`
	Direction Direction `json:"direction"`
	// Client and Server are the two ends; ServerPort is the server's port.
	// The client's ephemeral port is never kept.
	Client     netip.Addr      `json:"client"`
	Server     netip.Addr      `json:"server"`
	ServerPort uint16          `json:"serverPort"`
	Protocol   corev1.Protocol `json:"protocol"`
	// Process is the command name (comm) of the process (its thread-group
	// leader) that opened the connection or sent the first datagram, when
	// known.
	Process string `json:"process,omitempty"`
	// Count is the number of connections (TCP) or of datagrams the client
	// side sent (UDP; replies are not counted).
	Count uint64 `json:"count"`
	// Failed counts connects that never established (TCP) and datagrams
	// answered with an ICMP error (UDP). It is Refused + TimedOut +
	// Unreachable, which say why; records from observers that do not tell
	// have Failed alone.
	Failed uint64 `json:"failed,omitempty"`
	Failures
	FirstSeen time.Time `json:"firstSeen"`
	LastSeen  time.Time `json:"lastSeen"`
}

// Peer returns the remote address of the observation.
func (o Observation) Peer() netip.Addr {
	if o.Direction == Egress {
		return o.Server
	}
	return o.Client
}
