// Package mismatch evaluates, continuously, the NetworkPolicies in force
// against the observed baselines and exports what they block as Prometheus
// gauges: the "policy blocks observed traffic" signal operators alert on.
// It also counts failed connects as they are ingested, attributed to the
// policies that isolate their ends.
//
// The verdicts are the policy core's (policy.InForce, over the same
// inventory snapshot the webhooks use): this package only decides when to
// evaluate and what. A round re-evaluates the workloads a change can
// affect: the workloads a changed policy selects (policy.Touched) and the
// workloads whose flows have them as peers (a policy on the peer's side
// blocks too), a changed workload and its peers, and the workloads whose
// baselines took new flows. A change of namespace labels, the cluster DNS
// or the API server endpoints, and every Period, evaluates everything
// (baselines age out of the window).
//
// Series: netpol_advisor_mismatch_blocked_flows counts the distinct edges
// (workload, direction, peer, port, protocol) of a workload that a policy
// blocks, by class. A series falls to 0 when the traffic is allowed again
// and disappears with its workload or policy. Neither peers, IPs nor ports
// are labels: the CLI and the read API list the flows themselves.
//
// Files: evaluator.go (the type, triggers, Run), diff.go (what changed
// between two snapshots), round.go (one evaluation), series.go and
// metrics.go (the exported metrics), failed.go (failed connects), writer.go
// (the store.Writer decorator that feeds both from the ingest).
package mismatch
