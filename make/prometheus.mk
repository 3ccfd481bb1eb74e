# Prometheus (issue 13): alert rules, their promtool unit tests, the mismatch
# evaluation's benchmark. `make test` runs the rule tests twice: here, as a
# prerequisite with promtool's own output, and as ./deploy/prometheus's Go test.

TEST_DEPS += test-prometheus-rules
BENCH_TARGETS += bench-mismatch

.PHONY: test-prometheus-rules
test-prometheus-rules: ## Check the alert rules and run their promtool unit tests (every alert firing and not firing).
	promtool check rules deploy/prometheus/netpol-advisor.rules.yaml
	cd deploy/prometheus && promtool test rules netpol-advisor.rules.test.yaml

.PHONY: test-prometheus-e2e
test-prometheus-e2e: controlplane ## Run the real-Prometheus end-to-end test (mismatch series and alerts of the story; needs root).
	$(GO) test $(GOTEST_FLAGS) -v -run 'TestPrometheus' ./test/e2e/

# Full re-evaluation at 1,000 workloads / 50k edges / 1,000 policies (goal
# <= 1 s) and the incremental update after one policy change (goal <= 10 ms).
.PHONY: bench-mismatch
bench-mismatch: ## Benchmark the continuous mismatch evaluation: full and incremental rounds.
	$(GO) test -count=1 -run '^$$' -bench '^BenchmarkMismatch' -benchmem -benchtime 5x ./internal/mismatch/ | grep -E '^(Benchmark|ok|FAIL)'
