# Admission webhooks (issue 6): Deployment annotations, NetworkPolicy warnings.

BENCH_TARGETS += bench-webhook

.PHONY: bench-webhook
bench-webhook: controlplane ## Benchmark the webhooks: handler p99 in-process (goal <= 5 ms) and through kube-apiserver (goal <= 20 ms).
	@echo ">> webhook handlers in-process, 50k edges over 1,000 workloads and 1,000 policies (goal: p99 <= 5 ms)"
	$(GO) test -run '^$$' -bench 'Benchmark(Validate|Mutate)Handler(BaselineTTL|FullScan)?$$' -benchtime 3s ./webhook/ | grep -E '^(Benchmark|ok|FAIL)'
	@echo ">> NetworkPolicy dry-run creates through the real kube-apiserver with the webhook (goal: p99 <= 20 ms)"
	$(GO) test -run '^$$' -bench 'BenchmarkValidateThroughAPIServer$$' -benchtime 1x ./webhook/ | grep -E '^(Benchmark|ok|FAIL)'

.PHONY: fuzz-webhook
fuzz-webhook: ## Fuzz both admission handlers with hostile AdmissionReview bodies (FUZZTIME, default 1m each).
	$(GO) test -run '^$$' -fuzz '^FuzzValidate$$' -fuzztime $(or $(FUZZTIME),1m) ./webhook/
	$(GO) test -run '^$$' -fuzz '^FuzzMutate$$' -fuzztime $(or $(FUZZTIME),1m) ./webhook/
