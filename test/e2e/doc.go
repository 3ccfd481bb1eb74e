// Package e2e holds end-to-end tests of the real binaries as they run in a
// cluster: the observer (eBPF) on a node ships what pods do to the server,
// which resolves it against a real kube-apiserver and serves it through the
// read API. The package has no code of its own; everything is in its tests,
// which need root (eBPF, network namespaces, cgroups) and the control plane
// that `make controlplane` builds.
package e2e
