# shellcheck shell=bash
# Recording and restoring the host state the cluster changes (sourced). up.sh
# records before it changes anything; down.sh restores and then forgets it.

HOST_STATE=$RUN_DIR/host

record_host_state() {
	local key p
	mkdir -p "$HOST_STATE"
	for key in "${SYSCTLS[@]}"; do
		[[ -e /proc/sys/${key//.//} ]] && printf '%s=%s\n' "$key" "$(sysctl -n "$key")"
	done >"$HOST_STATE/sysctls"
	for p in "${HOST_PATHS[@]}"; do
		[[ -e $p ]] && echo "$p"
	done >"$HOST_STATE/paths"
	nft list tables >"$HOST_STATE/nft-tables"
	ipset list -n >"$HOST_STATE/ipsets" 2>/dev/null || true
	touch "$HOST_STATE/recorded"
}

# restore_host_state undoes what the components did: nft tables they made
# (iptables-nft's tables with the kube-proxy, kube-router and kubelet chains,
# and our guard), ipsets, sysctls, and the fixed paths they created.
restore_host_state() {
	[[ -f $HOST_STATE/recorded ]] || return 0
	local family name set p
	while read -r _ family name; do
		grep -qx "table $family $name" "$HOST_STATE/nft-tables" || nft delete table "$family" "$name"
	done < <(nft list tables)
	if [[ -s $HOST_STATE/nft-tables ]]; then # tables of others: remove only our chains
		"$K8S_BIN/kube-proxy" --cleanup >/dev/null 2>&1 || true
		"$KUBE_ROUTER_BIN/kube-router" --cleanup-config >/dev/null 2>&1 || true
	fi
	while read -r set; do
		[[ -n $set ]] && ! grep -qx "$set" "$HOST_STATE/ipsets" && ipset destroy "$set" 2>/dev/null
	done < <(ipset list -n 2>/dev/null)
	while IFS== read -r key value; do
		sysctl -qw "$key=$value" || log "could not restore $key=$value"
	done <"$HOST_STATE/sysctls"
	for p in "${HOST_PATHS[@]}"; do
		[[ -e $p ]] && ! grep -qx "$p" "$HOST_STATE/paths" && rm -rf "$p"
	done
	rm -rf "$HOST_STATE"
}
