# End-to-end test of the real binaries (issues 4 + 5 wiring): the observer
# (eBPF) and the server built from the checkout, around a real kube-apiserver.
# `make test` runs it too (it is an ordinary package under ./test/e2e).

.PHONY: test-e2e
test-e2e: controlplane ## Run the end-to-end test of the real observer and server binaries (needs root).
	$(GO) test $(GOTEST_FLAGS) -v ./test/e2e/
