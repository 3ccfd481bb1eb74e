# helm v3 from the Go module proxy (go install), cached by version like the
# other tools; the chart's tests find it through NETPOL_ADVISOR_HELM.

HELM_VERSION := v3.22.0
HELM_DIR     := $(CACHE_DIR)/helm-$(HELM_VERSION)
HELM         := $(HELM_DIR)/helm
export NETPOL_ADVISOR_HELM := $(HELM)
CHART        := charts/netpol-advisor

TEST_DEPS += helm

.PHONY: helm chart-lint chart-rules chart-golden
helm: $(HELM) ## Build helm v3 from the Go module proxy into the cache (go install).

$(HELM):
	@echo ">> building helm $(HELM_VERSION) from the Go module proxy into $(HELM_DIR)"
	@mkdir -p $(HELM_DIR)/tmp
	GOBIN=$(abspath $(HELM_DIR))/tmp CGO_ENABLED=0 $(GO) install -trimpath \
		-ldflags '-s -w -X helm.sh/helm/v3/internal/version.version=$(HELM_VERSION)' helm.sh/helm/v3/cmd/helm@$(HELM_VERSION)
	@mv $(HELM_DIR)/tmp/helm $@ && rmdir $(HELM_DIR)/tmp

chart-lint: $(HELM) ## helm lint the chart.
	$(HELM) lint --strict $(CHART)

chart-golden: $(HELM) ## Rewrite the chart's helm template golden files.
	$(GO) test -count=1 -run 'TestChartGolden' ./test/chart/ -update

# The PrometheusRule includes copies of the alert rules of deploy/prometheus
# (helm reads files inside the chart only); test/chart fails when a copy is
# missing or stale.
PROM_RULES := $(filter-out %_test.yaml %.test.yaml,$(wildcard deploy/prometheus/*.yaml))
chart-rules: ## Copy deploy/prometheus's rule files into the chart.
	@for f in $(PROM_RULES); do cp $$f $(CHART)/files/prometheus/; echo "copied $$f"; done

