# shellcheck shell=bash
# Shared settings and helpers of the test cluster's scripts (sourced).
# Everything the cluster writes lives under RUN_DIR; the host-side changes it
# cannot avoid (bridge, nft tables, sysctls, cgroups, a few fixed paths) are
# recorded there before they are made, so down.sh can undo them even after a
# failed or killed run.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUN_DIR=${NETPOL_ADVISOR_CLUSTER_DIR:-/var/lib/netpol-advisor-cluster}
CACHE=${NETPOL_ADVISOR_CACHE:-$HOME/.cache/netpol-advisor}
K8S_BIN=${NETPOL_ADVISOR_K8S_BIN:-$CACHE/k8s-v1.37.2-etcd-v3.6.16}
CONTAINERD_BIN=${NETPOL_ADVISOR_CONTAINERD_BIN:-$CACHE/containerd-v2.4.2}
KUBE_ROUTER_BIN=${NETPOL_ADVISOR_KUBE_ROUTER_BIN:-$CACHE/kube-router-v2.1.0}
IMAGES=${NETPOL_ADVISOR_CLUSTER_IMAGES:-$(cd "$HERE/../.." && pwd)/bin/cluster-images}

NODE=npa-node
BRIDGE=npa-br0
NODE_IP=198.18.0.1          # the node's address on the bridge, pods' gateway
EXT_GW=203.0.113.1          # gateway of the "external" test hosts
POD_CIDR=198.18.0.0/16
SVC_CIDR=198.19.0.0/16
# Only a /28 of TEST-NET-3: other addresses of 203.0.113.0/24 may be in use
# by the machine itself, and must keep their routes while the cluster runs.
EXT_CIDR=203.0.113.0/28
DNS_IP=198.19.0.10
API_PORT=6443
ETCD_PORT=23790             # not 2379: envtest's etcds may run beside us
CG_NAME=netpol-advisor-cluster
GUARD_TABLE=netpol_advisor_guard
CTRD_SOCK=$RUN_DIR/containerd/containerd.sock
KUBECONFIG_ADMIN=$RUN_DIR/kubeconfig
# The components, in start order; down.sh stops them in reverse.
COMPONENTS=(etcd kube-apiserver containerd kube-controller-manager kube-scheduler kubelet kube-proxy kube-router)
# Fixed host paths the node components write to whatever their flags say.
HOST_PATHS=(/var/log/containers /var/lib/cni /run/containerd /etc/cni /opt/cni /var/lib/kubelet /var/log/pods)
# Sysctls kubelet, kube-proxy or we change; saved by up.sh, restored by down.sh.
SYSCTLS=(net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables
	kernel.panic kernel.panic_on_oops vm.overcommit_memory net.ipv4.conf.all.route_localnet
	kernel.keys.root_maxkeys kernel.keys.root_maxbytes net.netfilter.nf_conntrack_max
	net.netfilter.nf_conntrack_tcp_timeout_established net.netfilter.nf_conntrack_tcp_timeout_close_wait)

# lock_cluster serializes whole up/down/bench runs (one run folder and one
# bridge per machine). The Go harness holds the same lock itself and says so
# with NETPOL_ADVISOR_CLUSTER_LOCKED=1; so does up.sh for the down.sh it runs.
# Components close fd 9 (see start), or they would keep the lock.
lock_cluster() {
	[[ ${NETPOL_ADVISOR_CLUSTER_LOCKED:-} == 1 ]] && return 0
	mkdir -p "$(dirname "$RUN_DIR")"
	exec 9>"$RUN_DIR.lock"
	if ! flock -n 9; then
		log "waiting for $RUN_DIR.lock: another cluster run (a test?) holds it"
		flock 9
	fi
	export NETPOL_ADVISOR_CLUSTER_LOCKED=1
}

log() { printf '>> %s\n' "$*" >&2; }
die() { printf 'cluster: %s\n' "$*" >&2; exit 1; }

kctl() { kubectl --kubeconfig "$KUBECONFIG_ADMIN" "$@"; }

# cgroup_dirs prints our cgroup in every mounted hierarchy (v1 controllers and
# the unified v2 one of this hybrid machine).
cgroup_dirs() {
	local h
	for h in /sys/fs/cgroup/*/; do
		if [[ -f $h/cgroup.procs ]]; then printf '%s%s\n' "$h" "$CG_NAME"; fi
	done
}

# join_cgroup moves a process into our cgroup in every hierarchy, so down.sh
# finds and stops it with the cluster (servers the tests or the demo leave
# running).
join_cgroup() {
	local d
	while read -r d; do
		if [[ -d $d/system ]]; then echo "$1" >"$d/system/cgroup.procs"; fi
	done < <(cgroup_dirs)
}

# cgroup_pids prints every process in our cgroup tree.
cgroup_pids() {
	local d
	while read -r d; do
		[[ -d $d ]] && find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null
	done < <(cgroup_dirs) | sort -un
}

# alive reports whether pid runs; exited processes linger as zombies for a
# while and count as stopped.
alive() {
	local state
	state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[[ -n $state && $state != Z && $state != X ]]
}

# check_components fails fast, with the log's end, when a component exited.
check_components() {
	local f name
	for f in "$RUN_DIR"/pids/*; do
		[[ -e $f ]] || continue
		name=$(basename "$f")
		if ! alive "$(cat "$f")"; then
			tail -n 20 "$RUN_DIR/logs/$name.log" >&2 || true
			die "$name exited (log: $RUN_DIR/logs/$name.log)"
		fi
	done
}

# wait_for runs "$@" until it succeeds or timeout seconds pass.
wait_for() {
	local what=$1 timeout=$2 deadline
	shift 2
	deadline=$((SECONDS + timeout))
	until "$@" >/dev/null 2>&1; do
		((SECONDS < deadline)) || die "timed out after ${timeout}s waiting for $what (logs: $RUN_DIR/logs)"
		check_components
		sleep 0.2
	done
}
