# Marketbench. `make run` and `make test` do all set-up on Debian/Ubuntu.
SHELL := /bin/bash
export LANG ?= en_US.UTF-8
BIN := bin/marketbench
DEMO_DIR := demo-output
DEMO := $(DEMO_DIR)/demo.mbproj

.PHONY: setup build run demo test fmt-check vet bench screenshots clean

setup:
	@./.ci/setup.sh

build: setup
	go build -o $(BIN) ./app

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

test: setup fmt-check vet
	go test -timeout 20m ./...

# Benchmarks against bare DuckDB and pandas on the same data, in one run.
bench: setup
	@./.ci/setup.sh python3-pandas python3-sklearn
	go test -run '^$$' -bench . -benchtime 3x -timeout 60m ./storage/ingest ./storage/segment ./storage
	go test -run '^$$' -bench . -benchtime 1x -timeout 60m ./analytics/bench

# Screenshots of the real window under Xvfb (for the README).
screenshots: build
	@./.ci/setup.sh xvfb imagemagick
	./.ci/screenshots.sh

clean:
	rm -rf bin $(DEMO_DIR)
