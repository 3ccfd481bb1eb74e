#!/usr/bin/env bash
# Shows the test cluster: its processes, memory, nodes and pods.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"

[[ -d $RUN_DIR/pids ]] || { echo "cluster: not running (run folder $RUN_DIR)"; exit 1; }
echo "run folder: $RUN_DIR"
echo "kubeconfig: $KUBECONFIG_ADMIN"
for name in "${COMPONENTS[@]}"; do
	pid=$(cat "$RUN_DIR/pids/$name" 2>/dev/null || echo -)
	if [[ $pid != - ]] && alive "$pid"; then state=running; else state=stopped; fi
	printf '  %-24s %-8s pid %s\n' "$name" "$state" "$pid"
done
mem=/sys/fs/cgroup/memory/$CG_NAME/memory.usage_in_bytes
[[ -f $mem ]] && echo "memory (cgroup $CG_NAME): $(($(cat "$mem") / 1024 / 1024)) MiB"
kctl get nodes,pods -A -o wide
