// Package validate is the validating admission webhook on NetworkPolicies
// (create, update, delete). It checks the change against the baselines of
// the workloads it touches and answers with admission warnings, one line per
// observed flow the change would block, capped, the last line saying how
// many more there are and where to see the fix. It allows the change unless
// its namespace opted into enforcement (label netpol-advisor.io/enforce=true)
// and there is a finding. Errors and missing baselines never deny.
//
// Dry-run requests (kubectl apply --dry-run=server) get the same answer: the
// webhook has no side effects.
package validate
