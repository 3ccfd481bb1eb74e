# Baselines (issue 5): stores, transport, resolution, the server command.

BENCH_TARGETS += bench-baselines

.PHONY: bench-baselines
bench-baselines: controlplane ## Benchmark server ingest into Badger at GOMAXPROCS=1 (records/s; goal >= 200k/s).
	@echo ">> server ingest into Badger, GOMAXPROCS=1 (goal: >= 200000 records/s)"
	$(GO) test -run '^$$' -bench 'BenchmarkApply$$' -benchtime 5s -cpu 1 ./internal/store/badgerstore/ | grep -E '^(Benchmark|ok|FAIL)'
	@echo ">> the whole ingest of a batch in-process (JSON, validation, resolution, Badger), GOMAXPROCS=1"
	$(GO) test -run '^$$' -bench 'BenchmarkIngest$$' -benchtime 5s -cpu 1 ./internal/transport/ | grep -E '^(Benchmark|ok|FAIL)'
	@echo ">> TokenReviews per minute at 1,000 simulated observers (server defaults): tokenreview = cache and rate only, local = pod-bound tokens verified locally; real API server"
	$(GO) test -run '^$$' -bench 'BenchmarkTokenReviews1000Observers$$' -benchtime 1x ./internal/transport/ | grep -E '^(Benchmark|ok|FAIL)'
	@echo ">> 1,000 observers at once (own node, pod-bound token, TLS connection; 5 batches of 200 records each, resent with the agent's own retry) into one server: records/s, CPU µs/record, p99 to acknowledge, p99 per batch (beside what a strict first-come order gives at that rate), 429/503 answers, TokenReviews; fails if a record is lost"
	$(GO) test -run '^$$' -bench 'BenchmarkIngest1000Observers$$' -benchtime 1x -timeout 20m ./internal/transport/ | grep -E '^(Benchmark|ok|FAIL|---|\s+\S+_test.go)'

BASELINE_PKGS := ./internal/store/... ./internal/resolve/... ./internal/transport/... ./internal/agent/... ./internal/api/... ./cmd/server/...

.PHONY: test-baselines
test-baselines: controlplane ## Run the baselines tests (stores, resolution, transport, agent fault test, read API, server).
	$(GO) vet $(BASELINE_PKGS)
	$(GO) test $(GOTEST_FLAGS) $(BASELINE_PKGS)
