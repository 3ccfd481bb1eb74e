// Package badgerstore keeps the server's cluster baselines in Badger.
//
// Flows are kept per workload in time buckets: one Badger entry (a row) per
// workload and bucket, holding each edge's (flow.Key without the workload)
// counts and first/last seen. Rollup merges old buckets into coarser rows (by
// default hours after a day, days after a week: rollup.go). A window query
// reads the workload's rows that overlap the window, merges them and says
// which time they cover; retention deletes whole rows.
//
// Deltas from many observers merge into the same entries. Each observer's
// last applied sequence number is written in the same Badger transaction as
// its batch, so a retried batch is applied once and a crash never leaves
// half a batch behind.
package badgerstore
