# Policy core (internal/policy): pure Go, no root, no cluster.

.PHONY: test-policy
test-policy: ## Run the policy core's tests (semantics, story, conformance, differential).
	$(GO) test -count=1 ./internal/policy/...

.PHONY: fuzz-policy
fuzz-policy: ## Fuzz Evaluate, Recommend and Check with arbitrary policies for 60s.
	$(GO) test -run '^$$' -fuzz '^FuzzEvaluate$$' -fuzztime 60s ./internal/policy/

# Check: p50/p99 per call, wall clock and thread CPU, of one proposed policy
# against 1,000 policies and 50k edges over 1,000 workloads (target p99 <=
# 1 ms). Recommend: total-ms for all 1,000 workloads (target <= 1 s).
.PHONY: bench-policy
bench-policy: ## Benchmark the policy core: Check p99 and Recommend for 1,000 workloads.
	$(GO) test -count=1 -run '^$$' -bench '^BenchmarkCheck$$' -benchtime 2000x ./internal/policy/
	$(GO) test -count=1 -run '^$$' -bench '^BenchmarkRecommend$$' -benchtime 5x ./internal/policy/

BENCH_TARGETS += bench-policy
