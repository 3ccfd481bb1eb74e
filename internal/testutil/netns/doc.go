// Package netns builds "pods" for privileged tests: network namespaces joined
// to a "node" namespace by veth pairs, each pod's processes in their own
// cgroup v2 child, and Service-style DNAT in the node namespace as kube-proxy
// does it (the client sees the ClusterIP and Service port, the server sees the
// pod IP and target port).
//
// The node is routed, not bridged (like Calico): every pod has a /32 (and a
// /128) with a default route through a gateway address on its veth's node
// end, so every packet between pods crosses the node namespace's netfilter
// hooks and the DNAT's conntrack entry undoes itself on the replies.
//
// Addresses stay inside the namespaces a test creates: pods 198.18.0.0/16 and
// fd00:198:18::/48, Services 198.19.0.0/16. Nothing is routed out of the node
// namespace, which has no link to the host. Everything is torn down in
// t.Cleanup, also when the test fails: processes are killed, cgroups removed
// and the namespaces (with their veths and nftables rules) released.
//
// Tests using it must call testutil.RequireRoot first.
package netns
