# Scale (issue 17): the real server on a real kube-apiserver loaded with a
# synthetic cluster at three sizes and 14 days of baselines. Minutes, not
# part of `make test`; SCALE_PODS (default 2000,10000,30000), SCALE_BUCKETS
# (default 2016) and SCALE_REVIEWS (default 200) make it smaller;
# SCALE_PROFILE=<dir> writes CPU and heap profiles of the server answering
# webhook reviews there.

.PHONY: bench-scale
bench-scale: controlplane ## Benchmark the server at 2k/10k/30k pods with 14 days of buckets, extrapolated to 150k pods (minutes).
	@echo ">> server at $(or $(SCALE_PODS),2000,10000,30000) pods, $(or $(SCALE_BUCKETS),2016) buckets of baselines (real kube-apiserver, real server binary)"
	set -o pipefail; $(GO) test -run '^$$' -bench '^BenchmarkScale$$' -benchtime 1x -timeout 180m -v ./test/scale/ | grep --line-buffered -vE '^(goos|goarch|pkg|cpu):'
