# The product's images as OCI image tarballs, built without a Docker engine:
# static binaries on an empty base (tools/images/imagepack), stamped with the
# version. The test cluster imports them (make cluster-images); with Docker,
# tools/images/docker/*.Dockerfile build the same images.
#
#   make images                           # bin/cluster-images/{server,observer}.tar
#   make images IMAGE_REGISTRY=registry.example.com/netpol-advisor IMAGE_TAG=v0.1.0

IMAGE_REGISTRY ?= netpol-advisor.local
IMAGE_TAG      ?= dev
IMAGE_SOURCE   ?= https://github.com/netpol-advisor/netpol-advisor
IMAGE_LABELS = -label org.opencontainers.image.version=$(VERSION) \
	-label org.opencontainers.image.revision=$(COMMIT) \
	-label org.opencontainers.image.source=$(IMAGE_SOURCE) \
	-label org.opencontainers.image.vendor=netpol-advisor
# The server needs no privilege: it runs as a fixed non-root user (the
# chart's runAsUser). The observer runs as root with only the capabilities
# the chart adds back (the kernel checks them against its credentials).
IMAGE_USER_server   := 65532:65532
IMAGE_USER_observer := 0:0
IMAGE_DESC_server   := netpol-advisor server: baselines, policy advice, admission webhooks
IMAGE_DESC_observer := netpol-advisor observer: eBPF connection observer for one node

.PHONY: images
images: $(CLUSTER_IMAGES)/server.tar $(CLUSTER_IMAGES)/observer.tar ## Build the server and observer OCI image tarballs (no Docker needed).
	@ls -l $^

# Rebuilt whenever the module's Go code (or the version) changes.
PRODUCT_SRC := $(shell git ls-files -- '*.go' '*.o' go.mod go.sum ':!tools' 2>/dev/null)

$(CLUSTER_IMAGES)/product/%: $(PRODUCT_SRC) $(CLUSTER_IMAGES)/.version
	@mkdir -p $(dir $@)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(PRODUCT_LDFLAGS)' -o $@ ./cmd/$*

$(CLUSTER_IMAGES)/server.tar $(CLUSTER_IMAGES)/observer.tar: $(CLUSTER_IMAGES)/%.tar: $(IMAGEPACK) $(CLUSTER_IMAGES)/product/%
	$(IMAGEPACK) -ref $(IMAGE_REGISTRY)/$*:$(IMAGE_TAG) -out $@ -file $(CLUSTER_IMAGES)/product/$*:/$* -entrypoint /$* \
		-user $(IMAGE_USER_$*) $(IMAGE_LABELS) -label org.opencontainers.image.title=netpol-advisor-$* \
		-label 'org.opencontainers.image.description=$(IMAGE_DESC_$*)'

# The binaries carry the version: rebuild them when it changes (a new
# commit), not on every make run.
.PHONY: FORCE
$(CLUSTER_IMAGES)/.version: FORCE
	@mkdir -p $(CLUSTER_IMAGES)
	@echo '$(VERSION) $(COMMIT)' | cmp -s - $(CLUSTER_IMAGES)/.version || echo '$(VERSION) $(COMMIT)' > $(CLUSTER_IMAGES)/.version
