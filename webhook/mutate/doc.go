// Package mutate is the mutating admission webhook on Deployments (create and
// update). It writes the workload's recommended NetworkPolicy and its status
// into two metadata annotations, with a JSON patch that touches nothing but
// /metadata/annotations, so it never changes the pod template and never rolls
// the Deployment. It never denies: a workload without baseline gets the
// learning state, and any error lets the Deployment through unannotated.
package mutate
