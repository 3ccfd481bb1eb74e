// Package testutil holds the gates and harnesses that tests share: the
// privileged-test gate, the real control plane (envtest with the binaries the
// Makefile builds) and, in sub-packages, network-namespace "pods".
//
// It is imported only by tests.
package testutil
