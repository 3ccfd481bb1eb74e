# The page of `netpol-advisor ui` (issue 15): web/ holds its sources and the
# npm lockfile; the bundle esbuild makes is committed in internal/ui/assets so
# that `go build` alone works. Rebuild it after changing web/ with make ui-assets.

UI_BUNDLE := internal/ui/assets/app.js

.PHONY: ui-assets
ui-assets: ## Rebuild the page's bundle (internal/ui/assets/app.js) from web/ with the locked npm packages.
	cd web && npm ci --no-audit --no-fund && npm run build

.PHONY: ui-assets-check
ui-assets-check: ui-assets ## Fail when the committed bundle is not what web/ builds.
	@git diff --exit-code --stat -- $(UI_BUNDLE) || { echo "$(UI_BUNDLE) is stale: run make ui-assets and commit it"; exit 1; }

.PHONY: bench-ui
bench-ui: controlplane ## The page in headless Chromium with 300 workloads and 3,000 edges: time to interactive and to redraw a proposal change.
	set -o pipefail; $(GO) test -count=1 -run '^$$' -bench BenchmarkPage -benchtime 5x ./internal/ui/ 2>&1 | grep -E '^ +bench_test.go:[0-9]+: |ms-interactive|^(ok|FAIL|--- )'

BENCH_TARGETS += bench-ui
