// Package cluster drives the single-node test cluster of hack/cluster (real
// kubelet, containerd, CNI bridge, kube-proxy, CoreDNS and kube-router on
// this machine) from Go tests: Start brings it up and registers its teardown,
// Kubectl and Exec talk to it, and Snapshot records the host state
// (interfaces, routes, nft rules, ipsets, mounts, sysctls, cgroups) so a test
// can prove that tearing it down left the machine as it was.
//
// It is imported only by tests; they need root and the binaries of
// `make cluster-build`, and skip outside CI (fail with CI=true) without them.
package cluster
