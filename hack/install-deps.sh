#!/usr/bin/env bash
# Installs what a fresh Debian machine of this kind lacks for `make test`
# (the test cluster, eBPF code generation, promtool):
# Debian packages only (Go comes with the machine; everything Go is built from
# the module proxy by the Makefile). Safe to run again: it installs nothing
# that is already there.
set -euo pipefail

# package:command-or-file that proves it is installed
wanted=(
	iproute2:ip
	nftables:nft
	iptables:iptables
	clang:clang
	llvm:llvm-strip
	libbpf-dev:/usr/include/bpf/bpf_helpers.h
	prometheus:promtool
	runc:runc
	containernetworking-plugins:/usr/lib/cni/bridge
	conntrack:conntrack
	ipset:ipset
	openssl:openssl
	procps:ps
	util-linux:nsenter
	chromium:chromium
)

missing=()
for w in "${wanted[@]}"; do
	pkg=${w%%:*} probe=${w#*:}
	if [[ $probe == /* ]]; then [[ -e $probe ]] && continue
	else command -v "$probe" >/dev/null 2>&1 && continue
	fi
	missing+=("$pkg")
done

# kubectl comes with machines of this kind; Debian does not package it.
command -v kubectl >/dev/null 2>&1 || echo "install-deps: kubectl is not on PATH: the tests drive the real kubectl, install it first" >&2

if ((${#missing[@]} == 0)); then
	echo "install-deps: nothing missing"
	exit 0
fi
if [[ $(id -u) != 0 ]]; then
	echo "install-deps: missing ${missing[*]}; run as root (apt-get install)" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
# The package mirror sometimes refuses a connection for a moment: try again.
for try in 1 2 3; do
	if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
		exit 0
	fi
	echo "install-deps: apt-get failed (try $try of 3)" >&2
	sleep $((try * 10))
done
exit 1
