# The aggregated API's generated code (issue 14): deepcopy and OpenAPI
# definitions of internal/apis/v1alpha1, with the generators pinned as go
# tools in go.mod. The output is committed, so building needs neither;
# api-generate-check proves regenerating changes nothing.

API_PKG      := ./internal/apis/v1alpha1
OPENAPI_PKGS := k8s.io/apimachinery/pkg/apis/meta/v1 k8s.io/apimachinery/pkg/runtime \
	k8s.io/apimachinery/pkg/version k8s.io/apimachinery/pkg/util/intstr \
	k8s.io/api/networking/v1 $(API_PKG)

.PHONY: generate-api api-generate-check
generate-api: ## Regenerate the aggregated API's deepcopy and OpenAPI code.
	$(GO) tool deepcopy-gen --go-header-file hack/boilerplate.go.txt --output-file zz_generated.deepcopy.go $(API_PKG)
	$(GO) tool openapi-gen --go-header-file hack/boilerplate.go.txt --output-dir internal/apis/openapi \
		--output-pkg github.com/netpol-advisor/netpol-advisor/internal/apis/openapi \
		--output-file zz_generated.openapi.go --report-filename /dev/null $(OPENAPI_PKGS)
	gofmt -w internal/apis

api-generate-check: ## Fail when the aggregated API's generated code is stale.
	@tmp=$$(mktemp -d); cp -r internal/apis $$tmp/; $(MAKE) -s generate-api >/dev/null; \
	if ! diff -r $$tmp/apis internal/apis >/dev/null; then diff -r $$tmp/apis internal/apis | head -20; \
		echo "generated API code is stale: run make generate-api and commit" >&2; rm -rf $$tmp; exit 1; fi; rm -rf $$tmp
