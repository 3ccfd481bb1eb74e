// Package store defines how the rest of netpol-advisor reads and writes
// baselines, without knowing how they are kept.
//
// The server keeps cluster baselines behind Reader (what the policy core, the
// webhook, the API, the CLI and the UI use) and Writer (what the ingest
// transport uses). Each observer keeps a durable Outbox of deltas the server
// has not acknowledged yet. The implementations live in sub-packages; those
// are the only packages of the module that import Badger.
package store
