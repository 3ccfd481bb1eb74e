// Package outbox is the observer's local Badger store: a durable queue of
// delta batches the server has not acknowledged yet, and a short history of
// the batches it has.
//
// Every batch gets the next sequence number in the same transaction that
// stores it, so after a crash (even SIGKILL in the middle of sending) the
// observer resends the same batches with the same numbers and the server,
// which remembers the last number it applied per observer, applies each
// once. The outbox's ID, created with it, names the observer towards the
// server: a fresh outbox starts a new sequence under a new ID.
package outbox
