# netpol-advisor — `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Everything built from the Go module proxy for tests and the demo lives in a
# cache outside the source tree, keyed by version, so later runs (and CI on the
# same machine) reuse it.
CACHE_DIR    ?= $(HOME)/.cache/netpol-advisor
K8S_VERSION  := v1.37.2
ETCD_VERSION := v3.6.16
K8S_BIN      := $(CACHE_DIR)/k8s-$(K8S_VERSION)-etcd-$(ETCD_VERSION)
BIN_DIR      := bin
GO           ?= go
GOTEST_FLAGS ?= -count=1 -timeout 40m

# What `server version` and `observer version` print.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
PRODUCT_LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)

K8S_LDFLAGS := -s -w \
	-X k8s.io/component-base/version.gitVersion=$(K8S_VERSION) \
	-X k8s.io/component-base/version.gitMajor=1 \
	-X k8s.io/component-base/version.gitMinor=37

export KUBEBUILDER_ASSETS := $(K8S_BIN)

# Each area adds its own targets in make/<area>.mk; benchmarks register
# themselves with BENCH_TARGETS += bench-<area>, and tests that need built
# artefacts with TEST_DEPS += <target>.
BENCH_TARGETS :=
TEST_DEPS :=
-include make/*.mk
export NETPOL_ADVISOR_CACHE := $(CACHE_DIR)

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_.-]+:.*## / {printf "  \033[36m%-24s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: build
build: ## Build the product binaries into ./bin.
	$(GO) build -ldflags '$(PRODUCT_LDFLAGS)' -o $(BIN_DIR)/ ./cmd/...

.PHONY: fmt
fmt: ## Format the Go code.
	gofmt -w $$(git ls-files '*.go')

.PHONY: vet
vet: ## Run go vet.
	$(GO) vet ./...

.PHONY: lint
lint: vet ## Check formatting and the layering rules of DESIGN.md.
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) test -count=1 -run TestLayering ./internal/layering/

.PHONY: test
test: controlplane $(TEST_DEPS) ## Run every test (root needed for the eBPF and network-namespace tests).
	$(GO) vet ./...
	$(GO) test $(GOTEST_FLAGS) ./...

.PHONY: bench
bench: $(BENCH_TARGETS) ## Run the benchmarks and print the figures the issues ask for.

.PHONY: generate
generate: ## Regenerate generated code (bpf2go needs clang).
	$(GO) generate ./...

.PHONY: controlplane
controlplane: $(K8S_BIN)/kube-apiserver $(K8S_BIN)/etcd ## Build kube-apiserver and etcd from the Go module proxy (cached).
	@echo "control plane: $(K8S_BIN)"

# The binaries depend on nothing but their version (in the folder name): a
# fresh clone must reuse them, whatever the files' times.
$(K8S_BIN)/kube-apiserver:
	@echo ">> building kube-apiserver $(K8S_VERSION) from the Go module proxy into $(K8S_BIN) (first time: about 8 minutes)"
	@mkdir -p $(K8S_BIN)
	cd tools/kubernetes && $(GO) build -trimpath -ldflags '$(K8S_LDFLAGS)' -o $@.tmp ./kube-apiserver
	@mv $@.tmp $@

$(K8S_BIN)/etcd:
	@echo ">> building etcd $(ETCD_VERSION) from the Go module proxy into $(K8S_BIN)"
	@mkdir -p $(K8S_BIN)
	cd tools/etcd && $(GO) build -trimpath -ldflags '-s -w' -o $@.tmp .
	@mv $@.tmp $@

