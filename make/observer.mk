# The eBPF observer (issue 4): BPF objects, their freshness check, benchmarks.

BENCH_TARGETS += bench-observer
TEST_DEPS += observer-generate-check

OBSERVER_BPF_GEN := observer/flowbpf_bpfel.go observer/flowbpf_bpfel.o

.PHONY: generate-observer observer-generate-check bench-observer
generate-observer: ## Rebuild the observer's BPF object with clang (bpf2go; Debian: clang llvm libbpf-dev).
	$(GO) generate ./observer/

# Regenerates the committed BPF object and fails if it changed, so the .o in
# git always matches observer/bpf/*.c. Skipped (with a note) without clang.
observer-generate-check: ## Check that the committed BPF object matches its C source.
	@if ! command -v clang >/dev/null || [ ! -e /usr/include/bpf/bpf_helpers.h ]; then \
		echo ">> observer-generate-check cannot run: needs clang and libbpf-dev (hack/install-deps.sh)"; \
		if [ "$$CI" = true ]; then exit 1; fi; exit 0; fi; \
	$(GO) generate ./observer/ && git diff --exit-code --stat -- $(OBSERVER_BPF_GEN) || { \
		echo "the committed BPF object is stale: run make generate-observer and commit $(OBSERVER_BPF_GEN)" >&2; exit 1; }

lint: observer-generate-check

bench-observer: ## eBPF observer figures: connect-rate ratio, ns per hook call, events per record, RSS with 100k flows (root).
	@echo ">> observer, on the real kernel through veth pairs (goals: ratio_tcp and ratio_udp >= 0.97, ns/call <= 150, events/record >= 100, RSS <= 128 MiB; ns/call_empty_skb is the kernel accounting's own floor, ratio_udp_empty_skb, ratio_udp_empty and ratio_tcp_empty the UDP and TCP ratios of programs that do nothing on the same hooks, ratio_tcp_over_empty and ratio_udp_over_empty the observer against those programs, ratio_*_lo and ratio_*_hi a 90 % confidence interval of each median, TCPCostModel the calls and accounted ns of each program per TCP connection, UDPCacheCost the per-socket UDP cache against none, HookCostNamedServers HookCost with servers started after the observer, whose sockets carry their process name)"
	set -o pipefail; $(GO) test -run '^$$' -bench '^Benchmark(ConnectRateRatio|UDPFloorRatio|TCPCostModel|HookCost|HookCostNamedServers|UDPCacheCost|EventsPerRecord|RSS100kFlows)$$' -benchtime 1x -timeout 10m ./observer/ | grep -E '^(Benchmark|ok|FAIL|---)'
