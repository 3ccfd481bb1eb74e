# The single-node test cluster (issue 7): kubelet, kube-proxy, scheduler and
# controller manager next to the control plane, containerd 2.4, CoreDNS and
# kube-router from the Go module proxy, runc and the CNI plugins from Debian.
# hack/cluster/*.sh start and stop it; internal/testutil/cluster drives it from Go.

CONTAINERD_VERSION  := v2.4.2
COREDNS_VERSION     := v1.15.0
KUBE_ROUTER_VERSION := v2.1.0
CONTAINERD_BIN  := $(CACHE_DIR)/containerd-$(CONTAINERD_VERSION)
COREDNS_BIN     := $(CACHE_DIR)/coredns-$(COREDNS_VERSION)
KUBE_ROUTER_BIN := $(CACHE_DIR)/kube-router-$(KUBE_ROUTER_VERSION)
CLUSTER_IMAGES  := $(BIN_DIR)/cluster-images
CLUSTER_APT     := runc containernetworking-plugins iptables nftables conntrack ipset openssl iproute2 procps util-linux
CLUSTER_NODE_BINS := kubelet kube-proxy kube-scheduler kube-controller-manager

# Where the scripts find everything; cluster-up prints the run folder.
export NETPOL_ADVISOR_K8S_BIN := $(K8S_BIN)
export NETPOL_ADVISOR_CONTAINERD_BIN := $(CONTAINERD_BIN)
export NETPOL_ADVISOR_COREDNS_BIN := $(COREDNS_BIN)
export NETPOL_ADVISOR_KUBE_ROUTER_BIN := $(KUBE_ROUTER_BIN)
export NETPOL_ADVISOR_CLUSTER_IMAGES := $(abspath $(CLUSTER_IMAGES))

TEST_DEPS += cluster-build

.PHONY: cluster-build cluster-up cluster-down cluster-status cluster-apt-check
CLUSTER_BUILD := controlplane cluster-apt-check $(addprefix $(K8S_BIN)/,$(CLUSTER_NODE_BINS)) \
	$(CONTAINERD_BIN)/containerd $(COREDNS_BIN)/coredns $(KUBE_ROUTER_BIN)/kube-router cluster-images
cluster-build: $(CLUSTER_BUILD) ## Build the test cluster's binaries and OCI images (cached).

cluster-up: cluster-build ## Start the single-node test cluster (prints the kubeconfig path).
	hack/cluster/up.sh

cluster-down: ## Stop the test cluster and restore the machine (works after a failed run).
	hack/cluster/down.sh

cluster-status: ## Show the test cluster's processes, nodes and pods.
	hack/cluster/status.sh

cluster-apt-check:
	@missing=""; for p in $(CLUSTER_APT); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "the test cluster needs Debian packages:$$missing — run: apt-get update && apt-get install -y$$missing" >&2; exit 1; fi

# Like the control plane: each binary depends only on its version (in the
# folder name), is built to $@.tmp and then moved, so a killed build leaves
# nothing that looks finished. They come after kube-apiserver (order only),
# whose packages they share in the Go build cache.
$(addprefix $(K8S_BIN)/,$(CLUSTER_NODE_BINS)): | $(K8S_BIN)/kube-apiserver
	@echo ">> building $(notdir $@) $(K8S_VERSION) from the Go module proxy into $(K8S_BIN)"
	cd tools/kubernetes && $(GO) build -trimpath -ldflags '$(K8S_LDFLAGS)' -o $@.tmp ./$(notdir $@)
	@mv $@.tmp $@

$(CONTAINERD_BIN)/containerd:
	@echo ">> building containerd, its runc shim and ctr $(CONTAINERD_VERSION) into $(CONTAINERD_BIN)"
	@mkdir -p $(CONTAINERD_BIN)/tmp
	cd tools/containerd && CGO_ENABLED=0 $(GO) build -trimpath \
		-ldflags '-s -w -X github.com/containerd/containerd/v2/version.Version=$(CONTAINERD_VERSION:v%=%)' \
		-o $(CONTAINERD_BIN)/tmp/ ./containerd ./containerd-shim-runc-v2 ./ctr
	@mv $(CONTAINERD_BIN)/tmp/ctr $(CONTAINERD_BIN)/tmp/containerd-shim-runc-v2 $(CONTAINERD_BIN)/
	@mv $(CONTAINERD_BIN)/tmp/containerd $@ && rmdir $(CONTAINERD_BIN)/tmp

$(COREDNS_BIN)/coredns:
	@echo ">> building CoreDNS $(COREDNS_VERSION) (kubernetes, cache, errors, log, health, ready) into $(COREDNS_BIN)"
	@mkdir -p $(COREDNS_BIN)
	cd tools/coredns && CGO_ENABLED=0 $(GO) build -trimpath -ldflags '-s -w' -o $@.tmp .
	@mv $@.tmp $@

$(KUBE_ROUTER_BIN)/kube-router:
	@echo ">> building kube-router $(KUBE_ROUTER_VERSION) (test-only NetworkPolicy enforcer) into $(KUBE_ROUTER_BIN)"
	@mkdir -p $(KUBE_ROUTER_BIN)
	cd tools/kube-router && CGO_ENABLED=0 $(GO) build -trimpath -ldflags '-s -w' -o $@.tmp .
	@mv $@.tmp $@

# Images: static binaries on an empty base, written as image tarballs that
# hack/cluster/up.sh imports into containerd (pods use imagePullPolicy: Never).
IMAGES_SRC := $(shell find tools/images -name '*.go' -o -name go.mod -o -name go.sum)
IMAGEPACK  := $(CLUSTER_IMAGES)/bin/imagepack

.PHONY: cluster-images
cluster-images: $(CLUSTER_IMAGES)/pause.tar $(CLUSTER_IMAGES)/netcheck.tar $(CLUSTER_IMAGES)/coredns.tar \
	$(CLUSTER_IMAGES)/server.tar $(CLUSTER_IMAGES)/observer.tar

$(CLUSTER_IMAGES)/bin/%: $(IMAGES_SRC)
	@mkdir -p $(dir $@)
	cd tools/images && CGO_ENABLED=0 $(GO) build -trimpath -ldflags '-s -w' -o $(abspath $@) ./$*

$(CLUSTER_IMAGES)/pause.tar: $(IMAGEPACK) $(CLUSTER_IMAGES)/bin/pause
	$(IMAGEPACK) -ref netpol-advisor.local/pause:v1 -out $@ -file $(CLUSTER_IMAGES)/bin/pause:/pause -entrypoint /pause

$(CLUSTER_IMAGES)/netcheck.tar: $(IMAGEPACK) $(CLUSTER_IMAGES)/bin/netcheck
	$(IMAGEPACK) -ref netpol-advisor.local/netcheck:dev -out $@ -file $(CLUSTER_IMAGES)/bin/netcheck:/netcheck -entrypoint /netcheck

# The product's own images (server.tar, observer.tar): make/images.mk.

$(CLUSTER_IMAGES)/coredns.tar: $(IMAGEPACK) $(COREDNS_BIN)/coredns
	$(IMAGEPACK) -ref netpol-advisor.local/coredns:$(COREDNS_VERSION) -out $@ -file $(COREDNS_BIN)/coredns:/coredns -entrypoint /coredns

BENCH_TARGETS += bench-cluster
.PHONY: bench-cluster
bench-cluster: cluster-build ## Time the test cluster's up and down and measure its memory.
	hack/cluster/bench.sh
