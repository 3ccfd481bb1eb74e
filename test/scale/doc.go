// Package scale measures the real server at the size of real clusters
// (issue 17): a real kube-apiserver (envtest) loaded with a synthetic
// cluster of 2k, 10k and 30k pods, a Badger store with 14 days of buckets,
// and the server binary built from this checkout. `make bench-scale` runs
// it and prints, per size, the server's memory, start-up, webhook and
// read-API latencies, mismatch evaluation and annotator convergence, then
// each figure extrapolated to 150k pods. The package has no code of its
// own; everything is in its benchmark, which is not part of `make test`.
package scale
