#!/usr/bin/env bash
# Starts the single-node test cluster: etcd, kube-apiserver, containerd,
# kube-controller-manager, kube-scheduler, kubelet, kube-proxy, kube-router
# (NetworkPolicy enforcer) and CoreDNS, on the bridge npa-br0. Idempotent: it
# first removes whatever a previous run left. Waits for real readiness
# (apiserver /readyz, node Ready, default ServiceAccount, CoreDNS answering)
# and prints the kubeconfig path. Run `make cluster-build` first.
# `up.sh --check` only checks that binaries, images and tools are there.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
for f in host net pki config components; do
	# shellcheck source=/dev/null
	source "$HERE/$f.sh"
done

check_prerequisites() {
	[[ $EUID -eq 0 ]] || die "needs root (bridge, nftables, cgroups, containers): run as root"
	local b
	for b in "$K8S_BIN"/{etcd,kube-apiserver,kube-controller-manager,kube-scheduler,kubelet,kube-proxy} \
		"$CONTAINERD_BIN"/{containerd,containerd-shim-runc-v2,ctr} "$KUBE_ROUTER_BIN/kube-router" \
		"$IMAGES"/{pause,netcheck,coredns}.tar "$IMAGES/bin/netcheck"; do
		[[ -x $b || -f $b ]] || die "missing $b: run make cluster-build"
	done
	for b in runc nft iptables ipset conntrack openssl kubectl /usr/lib/cni/bridge; do
		command -v "$b" >/dev/null ||
			die "missing $b: apt-get install runc containernetworking-plugins iptables nftables conntrack ipset openssl (and kubectl)"
	done
}

import_images() {
	local tar out
	for tar in "$IMAGES"/*.tar; do
		out=$("$CONTAINERD_BIN/ctr" --address "$CTRD_SOCK" -n k8s.io images import --local "$tar" 2>&1) ||
			die "import $tar into containerd: $out"
	done
}

dns_answers() {
	"$IMAGES/bin/netcheck" resolve -server "$DNS_IP:53" -timeout 1s kubernetes.default.svc.cluster.local
}

main() {
	check_prerequisites
	[[ ${1:-} == --check ]] && return 0
	lock_cluster
	local t0=$SECONDS
	"$HERE/down.sh" >/dev/null
	mkdir -p "$RUN_DIR/logs" "$RUN_DIR/pids"
	record_host_state
	net_up
	make_pki
	write_containerd_config
	write_cni_config
	write_kubelet_config
	write_kube_proxy_config
	cgroup_setup
	start_etcd
	start_apiserver
	start_containerd
	wait_for "kube-apiserver /readyz" 180 kctl get --raw /readyz
	wait_for containerd 60 "$CONTAINERD_BIN/ctr" --address "$CTRD_SOCK" version
	import_images
	start_control_loops
	start_kubelet
	start_kube_proxy
	wait_for "node $NODE to register" 120 kctl get node "$NODE"
	start_kube_router
	kctl apply -f "$HERE/manifests/coredns.yaml" >/dev/null
	wait_for "node $NODE Ready" 120 kctl wait --for=condition=Ready "node/$NODE" --timeout 1s
	wait_for "the default ServiceAccount" 120 kctl -n default get serviceaccount default
	wait_for "CoreDNS to answer on $DNS_IP" 180 dns_answers
	log "cluster up in $((SECONDS - t0))s; run folder $RUN_DIR"
	echo "KUBECONFIG=$KUBECONFIG_ADMIN"
	echo "try: kubectl --kubeconfig $KUBECONFIG_ADMIN get nodes,pods -A"
}

main "$@"
