#!/usr/bin/env bash
# Measures the test cluster (make bench): time to come up (to CoreDNS
# answering), memory of everything in its cgroup (components, shims, pods)
# once up, and time to come down.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"

lock_cluster
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", b - a}'; }
t0=$(now)
"$HERE/up.sh" >/dev/null
t1=$(now)
mem=$(cat "/sys/fs/cgroup/memory/$CG_NAME/memory.usage_in_bytes" 2>/dev/null || echo 0)
rss=0
for pid in $(cgroup_pids); do
	r=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
	rss=$((rss + ${r:-0}))
done
t2=$(now)
"$HERE/down.sh" >/dev/null
t3=$(now)
echo "cluster up:     $(elapsed "$t0" "$t1") s"
echo "cluster down:   $(elapsed "$t2" "$t3") s"
printf 'cluster memory: %d MiB in its memory cgroup (incl. page cache), %d MiB RSS of its processes\n' \
	$((mem / 1024 / 1024)) $((rss / 1024))
