// Package mutate is the mutating admission webhook on workloads (create and
// update of every kind in webhook/workloads that is the top of its
// controller chain). It writes the workload's recommended NetworkPolicy and
// its status into two metadata annotations, with a JSON patch that touches
// nothing but /metadata/annotations, so it never changes the pod template
// and never rolls the workload. It never denies: a workload without
// baseline gets the learning state, and any error lets the object through
// unannotated. Namespaces outside the annotation scope are left alone.
package mutate
