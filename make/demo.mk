# `make demo` (issue 16): the story of DESIGN.md on the real single-node
# cluster, for demo/apps/$(DEMO_APP) (default story). Runs as root.
#   DEMO_APP=ledger make demo     the second app
#   DEMO_KEEP=1 make demo         leave the cluster running
#   DEMO_PAUSE=0 make demo        no pauses between steps

DEMO_APP ?= story
export DEMO_APP

.PHONY: demo demo-build demo-note
demo: demo-build ## Tell the whole story on a real single-node cluster (root; DEMO_APP, DEMO_KEEP=1, DEMO_PAUSE=0).
	@test "$$(id -u)" = 0 || { echo "make demo needs root (the cluster's bridge, nftables, containers): sudo make demo" >&2; exit 1; }
	@command -v prometheus >/dev/null || { echo "make demo needs Debian's prometheus: apt-get install prometheus (or hack/install-deps.sh)" >&2; exit 1; }
	$(BIN_DIR)/demo

demo-note:
	@echo ">> make demo: building what it needs. The first time, on 2 cores, this takes about 30-50 minutes"
	@echo "   (kube-apiserver and etcd ~8 min, the cluster components 20-40 min, helm ~1 min),"
	@echo "   cached in $(CACHE_DIR);"
	@echo "   later runs reuse the cache and the demo itself takes about 2-3 minutes."

demo-build: demo-note cluster-build cli $(HELM)
	$(GO) build -o $(BIN_DIR)/demo ./cmd/demo
