# shellcheck shell=bash
# The cluster's network (sourced): the bridge npa-br0 holding the node
# address and the pods, the nft leak guard, and "external" test hosts
# (203.0.113.0/28) as network namespaces on the same bridge. The namespaces
# are bind-mounted under RUN_DIR, not /run/netns, so nothing outside the run
# folder is touched. No default route anywhere.

net_up() {
	ip link add "$BRIDGE" type bridge
	ip addr add "$NODE_IP/16" dev "$BRIDGE"
	ip addr add "$EXT_GW/28" dev "$BRIDGE"
	ip link set "$BRIDGE" up
	# The host reaches ClusterIPs too (kube-proxy DNATs them in OUTPUT).
	ip route add "$SVC_CIDR" dev "$BRIDGE" src "$NODE_IP"
	nft -f "$HERE/guard.nft"
	# Forwarding only for what comes in through the bridge: IPv4 checks the
	# ingress device's own forwarding flag, so net.ipv4.ip_forward (which
	# would set it on every interface, eth0 too) stays as it is.
	sysctl -qw "net.ipv4.conf.$BRIDGE.forwarding=1" net.bridge.bridge-nf-call-iptables=1
}

# guard_loaded succeeds when the leak guard's drop rules are in place.
guard_loaded() {
	nft list chain inet "$GUARD_TABLE" postrouting 2>/dev/null | grep -q 'leak: from the cluster ranges' &&
		nft list chain inet "$GUARD_TABLE" forward 2>/dev/null | grep -q 'forward only what came in'
}

# ext_host_add NAME IP/PREFIX: a network namespace on the bridge, with routes
# only to the cluster ranges. NAME must be short (it names the veth).
ext_host_add() {
	local name=$1 ip=$2 ns=$RUN_DIR/netns/$1 gw=$EXT_GW
	if [[ $ip == 198.18.* ]]; then gw=$NODE_IP; fi
	mkdir -p "$RUN_DIR/netns"
	touch "$ns"
	unshare --net="$ns" true
	ip link add "npx-$name" type veth peer name eth0 netns "$ns"
	ip link set "npx-$name" master "$BRIDGE" up
	nsenter --net="$ns" sh -ec "ip link set lo up; ip link set eth0 up
		ip addr add $ip dev eth0
		for r in $POD_CIDR $SVC_CIDR $EXT_CIDR; do ip route add \$r via $gw 2>/dev/null || true; done"
}

ext_host_del() {
	local ns=$RUN_DIR/netns/$1
	ip link del "npx-$1" 2>/dev/null || true
	umount "$ns" 2>/dev/null || true
	rm -f "$ns"
}

net_down() {
	local ns link
	for ns in "$RUN_DIR"/netns/*; do
		[[ -e $ns ]] && ext_host_del "$(basename "$ns")"
	done
	for link in $(ip -o link show master "$BRIDGE" 2>/dev/null | awk -F'[:@ ]+' '{print $2}'); do
		ip link del "$link" 2>/dev/null || true
	done
	ip link del "$BRIDGE" 2>/dev/null || true
	nft delete table inet "$GUARD_TABLE" 2>/dev/null || true
	nft delete table bridge "$GUARD_TABLE" 2>/dev/null || true
	if command -v conntrack >/dev/null; then
		for cidr in "$POD_CIDR" "$SVC_CIDR" "$EXT_CIDR"; do
			conntrack -D -s "$cidr" >/dev/null 2>&1 || true
			conntrack -D -d "$cidr" >/dev/null 2>&1 || true
		done
	fi
}
