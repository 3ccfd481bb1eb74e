// Package annotator is the controller that keeps the recommendation
// annotations of existing Deployments current as their baselines mature. It
// looks at each Deployment when it is created or its spec or annotations
// change, and again every Resync; it writes only when the recommendation,
// its state or its number of flows changed, with a merge patch of the two
// annotations it owns (no read-modify-write of the object, so it never
// fights other writers), and its work queue is rate-limited.
package annotator
