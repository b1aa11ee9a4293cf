# Marketbench. `make run` and `make test` do all set-up on Debian/Ubuntu.
SHELL := /bin/bash
export LANG ?= en_US.UTF-8
BIN := bin/marketbench
DEMO_DIR := demo-output
DEMO := $(DEMO_DIR)/demo.mbproj

.PHONY: setup build run demo test fmt-check vet bench bench-check claims screenshots proto clean

setup:
	@./.ci/setup.sh

# The app and, next to it in bin/plugins/, the first-party plugins with
# their manifests (the app finds them there).
build: setup
	go build -o $(BIN) ./app
	go run ./plugins/host/cmd/bundle -out bin/plugins

# With a display: the GUI on the demo project (created on first run).
# Without one: the headless demo, which says where its outputs went.
run: build
	@if [ -n "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
		[ -f $(DEMO) ] || ./$(BIN) init $(DEMO) --demo; \
		./$(BIN) --gui $(DEMO); \
	else \
		echo "No display found: running the headless demo instead."; \
		./$(BIN) demo --out $(DEMO_DIR); \
	fi

demo: build
	./$(BIN) demo --out $(DEMO_DIR)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet: setup
	go vet ./...
	cd sdk && go vet ./...

# The app, then the SDK, which is a module of its own (plugin authors
# import it without the app).
test: setup fmt-check vet
	@# The keyring tests start their own D-Bus session bus and GNOME Keyring.
	@./.ci/setup.sh gnome-keyring dbus
	go test -timeout 20m ./...
	cd sdk && go test -timeout 10m ./...

# Benchmarks against bare DuckDB and pandas on the same data, in one run.
# Each result is recorded in docs/benchmarks.json with the commit it was
# measured at, and the table in docs/BENCHMARKS.md is regenerated from it.
BENCHREC := go run ./docs/benchtool record --
bench: setup
	@./.ci/setup.sh python3-pandas python3-sklearn python3-scipy
	$(BENCHREC) go test -run '^$$' -bench . -benchtime 3x -timeout 60m ./storage/ingest ./storage/segment ./storage ./storage/bench
	$(BENCHREC) go test -run '^$$' -bench . -benchtime 1x -timeout 60m ./analytics/bench
	$(BENCHREC) go test -run '^$$' -bench . -benchtime 1x -timeout 60m ./app/core ./plugins/host ./storage/models

# The benchmark records whose measured code changed since their commit
# (exit status 1 if any), then the same check as a test.
bench-check:
	go run ./docs/benchtool check
	MB_BENCH_CHECK=1 go test -count=1 -run TestRecords ./docs/benchtool

# The claims ledger (docs/CLAIMS.md): every quote still in its doc, every
# cited test exists (also part of make test), and the README feature
# sentences no ledger row covers yet.
claims:
	set -o pipefail; CLAIMS_REPORT=1 go test -count=1 ./docs -run 'TestLedger' -v | grep -v '^=== RUN'

# Screenshots of the real window under Xvfb (for the README).
screenshots: build
	@./.ci/setup.sh xvfb imagemagick
	./.ci/screenshots.sh

# Regenerate the plugin protocol's Go code (committed) from sdk/proto.
PROTOC_GEN_GO := google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
PROTOC_GEN_GO_GRPC := google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.5.1
proto:
	@./.ci/setup.sh protobuf-compiler
	GOBIN=$(CURDIR)/bin/tools go install $(PROTOC_GEN_GO)
	GOBIN=$(CURDIR)/bin/tools go install $(PROTOC_GEN_GO_GRPC)
	cd sdk && PATH=$(CURDIR)/bin/tools:$$PATH protoc -I proto \
		--go_out=. --go_opt=module=github.com/marketbench/marketbench/sdk \
		--go-grpc_out=. --go-grpc_opt=module=github.com/marketbench/marketbench/sdk \
		proto/marketbench/plugin/v1/plugin.proto

clean:
	rm -rf bin $(DEMO_DIR)
