#!/usr/bin/env bash
# "External" test hosts: network namespaces on the cluster bridge, for the
# 203.0.113.0/28 hosts of the tests and the demo (and the leak probe).
#
#	ext-host.sh add NAME IP/PREFIX   create (routes only to the cluster ranges)
#	ext-host.sh exec NAME CMD...     run CMD inside
#	ext-host.sh del NAME             remove (down.sh removes all of them)
#	ext-host.sh adopt PID            put a host process (the demo's Prometheus
#	                                 with DEMO_KEEP=1) in the cluster's cgroup, so
#	                                 down.sh stops it too
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
# shellcheck source=net.sh
source "$HERE/net.sh"

[[ $EUID -eq 0 ]] || die "needs root"
case ${1:-} in
add) ext_host_add "$2" "$3" ;;
exec) # in the cluster's cgroup, so down.sh also stops servers left running
	ns=$RUN_DIR/netns/$2
	shift 2
	join_cgroup $$
	exec 9>&-
	exec nsenter --net="$ns" "$@"
	;;
del) ext_host_del "$2" ;;
adopt) join_cgroup "$2" ;;
*) die "usage: ext-host.sh add NAME IP/PREFIX | exec NAME CMD... | del NAME | adopt PID" ;;
esac
