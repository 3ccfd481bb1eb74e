// Package health runs a process's readiness checks in the background and
// serves their last results as /readyz and /livez.
//
// Readiness says whether the process can do its job now (its store answers,
// its caches are synced, its webhook certificate is in place); it may go
// false when a dependency is slow. Liveness says only whether the process
// itself still makes progress: it fails when a round of checks has not
// finished for a long time, which each check's own timeout rules out unless
// the process is wedged. A slow API server therefore makes the server
// unready, never restarted.
package health
