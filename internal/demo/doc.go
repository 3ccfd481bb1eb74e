// Package demo tells the story of DESIGN.md on the real single-node test
// cluster, for any application described as data (demo/apps/<app>: its
// manifests, the hand-written policy and story.yaml). The same steps run
// for `make demo` (cmd/demo) and for the end-to-end test, which asserts the
// Result of each app.
//
// It is an adapter that drives real programs as processes — the
// hack/cluster scripts, helm, kubectl, the netpol-advisor CLI and Debian's
// prometheus server — and never the product's packages directly: what it
// shows is what a user of the installed product sees.
package demo
