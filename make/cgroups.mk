# cgroups (shared by the observer, the agent and the netns harness).

BENCH_TARGETS += bench-cgroups

.PHONY: bench-cgroups
bench-cgroups: ## Benchmark cgroup ID -> pod UID: a hit, and a rescan of a 300-pod node.
	@echo ">> cgroup ID -> pod UID: index hit, and one rescan of 300 pods x 3 containers (tmpfs tree)"
	$(GO) test -run '^$$' -bench 'BenchmarkResolver' -benchtime 2s -cpu 1 ./internal/cgroups/ | grep -E '^(Benchmark|ok|FAIL)'
