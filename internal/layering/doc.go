// Package layering enforces DESIGN.md's "what may import what" with a test
// over the module's real import graph (go list), so a forbidden import fails
// `make test` and `make lint` rather than waiting for review.
package layering
