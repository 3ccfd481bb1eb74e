// Package cli is the netpol-advisor command, also installed as the kubectl
// plugin kubectl-netpol_advisor: baseline, topology, generate and check,
// reading the netpol-advisor.io aggregated API through the Kubernetes API
// server with the user's own kubeconfig (so RBAC decides what they see).
//
// Output is for people by default (aligned tables, colour only on a
// terminal) and stable for machines with -o json or -o yaml.
package cli
