#!/usr/bin/env bash
# Stops the test cluster and leaves the machine as up.sh found it: processes
# (components, shims, pods) killed through our cgroup, mounts under the run
# folder unmounted, bridge, veths, test-host namespaces and nft tables gone,
# ipsets, sysctls and the fixed host paths restored, cgroups removed. Safe to
# run any time, also after a failed or killed up.sh; the logs stay in
# RUN_DIR/logs.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
# shellcheck source=net.sh
source "$HERE/net.sh"
# shellcheck source=host.sh
source "$HERE/host.sh"

# live_pids prints the processes of our cgroup tree that are not zombies.
live_pids() {
	local pid
	for pid in $(cgroup_pids); do
		if alive "$pid"; then echo "$pid"; fi
	done
}

# stop_processes asks the components to stop, then kills everything left in
# our cgroup tree (pods, shims, anything they started).
stop_processes() {
	local i name pid pids
	for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
		name=${COMPONENTS[i]}
		pid=$(cat "$RUN_DIR/pids/$name" 2>/dev/null) || continue
		if alive "$pid"; then kill -TERM "$pid" 2>/dev/null || true; fi
	done
	for ((i = 0; i < 50; i++)); do
		pids=$(live_pids)
		[[ -z $pids ]] && break
		if ((i >= 10)); then kill -KILL $pids 2>/dev/null || true; fi
		sleep 0.1
	done
	rm -rf "$RUN_DIR/pids"
}

# unmount_all unmounts what the cluster mounted (kubelet volumes, container
# root filesystems, netns files, the rshared bind of kubelet's root), deepest
# first.
unmount_all() {
	local m
	while read -r m; do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "could not unmount $m"
	done < <(findmnt -rn -o TARGET | grep -E "^($RUN_DIR|/run/containerd)(/|$)" | sort -r)
}

# remove_cgroups retries: zombies keep a cgroup busy until they are reaped.
remove_cgroups() {
	local d i
	for ((i = 0; i < 50; i++)); do
		while read -r d; do
			[[ -d $d ]] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
		done < <(cgroup_dirs)
		[[ -z $(for d in $(cgroup_dirs); do [[ -d $d ]] && echo "$d"; done) ]] && return 0
		sleep 0.1
	done
	log "could not remove the cgroups $CG_NAME: $(cgroup_pids | tr '\n' ' ')"
}

main() {
	[[ $EUID -eq 0 ]] || die "needs root: run as root"
	lock_cluster
	local t0=$SECONDS
	if [[ -d $RUN_DIR ]]; then
		stop_processes
		unmount_all
	fi
	net_down
	restore_host_state
	remove_cgroups
	if [[ -d $RUN_DIR ]]; then
		find "$RUN_DIR" -mindepth 1 -maxdepth 1 ! -name logs -exec rm -rf {} +
	fi
	log "cluster down in $((SECONDS - t0))s"
}

main "$@"
