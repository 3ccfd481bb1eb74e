package netns

import (
	"bytes"
	"fmt"
	"net/netip"
	"os/exec"
	"strings"
)

// nftTable is the node namespace's nat table; it lives and dies with the
// namespace.
const nftTable = "netpol_svc"

// AddService makes front (a ClusterIP and Service port) reach back (a pod IP
// and target port) for proto ("tcp" or "udp") by DNAT in the node's
// prerouting hook, as kube-proxy does: the client's socket sees front, the
// server's sees back, and conntrack rewrites the replies.
func (n *Node) AddService(proto string, front, back netip.AddrPort) error {
	proto = strings.ToLower(proto)
	if proto != "tcp" && proto != "udp" {
		return fmt.Errorf("service protocol %q: want tcp or udp", proto)
	}
	if front.Addr().Is4() != back.Addr().Is4() {
		return fmt.Errorf("service %s → %s: address families differ", front, back)
	}
	var script strings.Builder
	if !n.services {
		fmt.Fprintf(&script, "add table inet %s\n", nftTable) // no error if it exists
		fmt.Fprintf(&script, "add chain inet %s prerouting { type nat hook prerouting priority dstnat; policy accept; }\n", nftTable)
	}
	fam, to := "ip", back.String()
	if front.Addr().Is6() {
		fam = "ip6"
	}
	fmt.Fprintf(&script, "add rule inet %s prerouting %s daddr %s %s dport %d dnat %s to %s\n",
		nftTable, fam, front.Addr(), proto, front.Port(), fam, to)
	if err := n.nft(script.String()); err != nil {
		return fmt.Errorf("add service %s/%s → %s: %w", proto, front, back, err)
	}
	n.services = true
	return nil
}

// nft runs an nft script inside the node namespace.
func (n *Node) nft(script string) error {
	path, err := exec.LookPath("nft")
	if err != nil {
		return fmt.Errorf("nft not found: install the nftables package (apt-get install nftables): %w", err)
	}
	cmd := exec.Command(path, "-f", "-")
	cmd.Stdin = strings.NewReader(script)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := startInNetNS(n.ns, cmd); err != nil {
		return err
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("nft: %w: %s", err, bytes.TrimSpace(out.Bytes()))
	}
	return nil
}
