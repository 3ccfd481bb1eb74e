// Package annotator is the controller that keeps the recommendation
// annotations of existing workloads (every kind in webhook/workloads that
// is the top of its controller chain) current as their baselines mature.
// It looks at each workload when it is created or its spec, labels or
// annotations change, when its namespace's labels change, and again every
// Resync; it writes only when the recommendation, its state or its number
// of flows changed.
//
// Writes are narrow and accountable: a server-side apply of the two
// annotation keys it owns, and nothing else, under its own field manager
// (FieldManager), so the managedFields and an audit log show exactly what
// it touched and none of the user's fields is ever owned by it. They are
// rate-limited (QPS, Burst) across all kinds, and only namespaces in the
// annotation scope are written. A namespace that leaves the scope is no
// longer written at all, not even to remove what was written before: the
// operator narrowed what the product may touch.
package annotator
