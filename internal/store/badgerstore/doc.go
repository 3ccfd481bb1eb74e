// Package badgerstore keeps the server's cluster baselines in Badger.
//
// Flows are kept per workload in time buckets: one Badger entry per
// workload, bucket and edge (flow.Key without the workload), holding counts
// and first/last seen. A window query reads the workload's buckets that
// overlap the window and merges them; retention deletes whole buckets.
//
// Deltas from many observers merge into the same entries. Each observer's
// last applied sequence number is written in the same Badger transaction as
// its batch, so a retried batch is applied once and a crash never leaves
// half a batch behind.
package badgerstore
