# Cluster inventory (issue 10 item 2, issue 17): the incremental index the policy core reads.

BENCH_TARGETS += bench-inventory

.PHONY: bench-inventory
bench-inventory: controlplane ## Benchmark the inventory: a snapshot after one pod changed, 30k pods; the server's watches with one shared cache.
	@echo ">> snapshot after one change, 3,000 Deployments x 10 pods"
	$(GO) test -run '^$$' -bench 'BenchmarkSnapshotAfterOneChange$$' -benchtime 2s ./internal/inventory/ | grep -E '^(Benchmark|ok|FAIL)'
	@echo ">> API server watches and heap: separate caches vs one shared cache; an observer with and without cluster-wide ReplicaSet/Job watches"
	$(GO) test -count=1 -v -run 'TestOneWatchPerKind|TestObserverWatchesOnlyItsPods' ./internal/clustercache/ ./internal/resolve/ | grep -E 'watches|^(ok|FAIL)'
