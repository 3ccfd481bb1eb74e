package observer

// The BPF object is built by bpf2go and committed (flowbpf_bpfel.go and .o),
// so building the observer needs no clang; `make generate` rebuilds it with
// clang and the libbpf headers (Debian: clang llvm libbpf-dev).
//
//go:generate go tool bpf2go -tags linux -target bpfel -type flow_key -type flow_value -type counter -type direction -type new_flow -type failure flowbpf bpf/observer.c -- -mcpu=v3 -I./bpf -I/usr/include/x86_64-linux-gnu -Wall -Werror
