# The CLI and kubectl plugin (issue 14): one binary, also installed under
# kubectl's plugin name so `kubectl netpol-advisor …` runs it.

CLI_VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

.PHONY: cli
cli: ## Build the CLI and the kubectl plugin into ./bin (put bin on PATH for `kubectl netpol-advisor`).
	$(GO) build -ldflags '-X main.version=$(CLI_VERSION)' -o $(BIN_DIR)/netpol-advisor ./cmd/netpol-advisor
	ln -sf netpol-advisor $(BIN_DIR)/kubectl-netpol_advisor
	@echo "built $(BIN_DIR)/netpol-advisor and the kubectl plugin $(BIN_DIR)/kubectl-netpol_advisor"
