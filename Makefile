# The two commands a newcomer needs: `make run` and `make test`. Everything else supports them.
SHELL := /bin/bash
# end2end/node_modules/.bin provides wasm-opt (npm binaryen) for release builds.
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/end2end/node_modules/.bin:$(PATH)

# The app's own database for `make run`; tests create throwaway databases on the same server.
DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/attest
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
export LEPTOS_SITE_ROOT := target/site

.PHONY: run test tools build build-dev lint unit e2e bench bench-inventory bench-pull bench-evidence \
	bench-snapshot bench-campaign bench-remediation size

## Serve the app in demo mode at http://127.0.0.1:3000.
run: tools build-dev
	DATABASE_URL=$(DATABASE_URL) ./target/debug/attest demo

## Formatting, lints, unit and integration tests against PostgreSQL, browser tests.
test: tools lint unit build-dev e2e
	@echo "make test: all checks passed"

tools:
	@bash .ci/tools.sh

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p app --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings

unit:
	DATABASE_URL=$(TEST_DATABASE_URL) cargo test --workspace

build-dev:
	cargo leptos build

## Release build (size-tuned wasm through wasm-opt); prints the browser bundle's size.
build: tools
	cargo leptos build --release
	@$(MAKE) --no-print-directory size

size:
	@wasm=$$(stat -c %s target/site/pkg/attest.wasm); js=$$(stat -c %s target/site/pkg/attest.js); \
	gz=$$(cat target/site/pkg/attest.wasm target/site/pkg/attest.js | gzip -9 | wc -c); \
	echo "browser bundle: wasm $$wasm bytes, js $$js bytes, $$gz bytes gzip -9 (budget 307200)"; \
	test $$gz -le 307200

e2e:
	cd end2end && DATABASE_URL=$(TEST_DATABASE_URL) ATTEST_BIN=$(CURDIR)/target/debug/attest node --test --test-concurrency=1 tests/

## Benchmarks; record results in BENCHMARKS.md: the release browser bundle's size, the Atlas
## pull and the snapshot of the simulator's `large` org, evidence, inventory search, campaigns
## and remediation.
bench: build bench-pull bench-snapshot bench-evidence bench-inventory bench-campaign bench-remediation

# The `large` org snapshotted end to end (time, requests, rows, peak memory) and its
# entitlement write against COPY; a release build, as the server ships; see BENCHMARKS.md.
bench-snapshot:
	DATABASE_URL=$(TEST_DATABASE_URL) RUST_LOG=warn cargo run --release -p server --example snapshot_bench

# Inventory search over the `large` org loaded through a real snapshot, in a release build as
# the server ships; see BENCHMARKS.md. INVENTORY_ARGS=--keep leaves the database for EXPLAIN.
INVENTORY_ARGS ?=
bench-inventory:
	DATABASE_URL=$(TEST_DATABASE_URL) RUST_LOG=warn cargo run --release -p server --example inventory_search_bench -- $(INVENTORY_ARGS)

# A full pull of the simulator's `large` org through the Atlas client, unpaced and then
# rate-limited; see BENCHMARKS.md. PER_SECOND sets the allowed rate of the second pass.
PER_SECOND ?= 100
bench-pull:
	cargo run -p server --example atlas_pull_bench -- $(PER_SECOND)
# A 1,000,000-row decisions CSV over HTTP against PostgreSQL's COPY; see BENCHMARKS.md.
bench-evidence:
	DATABASE_URL=$(TEST_DATABASE_URL) RUST_LOG=warn cargo run -p server --example evidence_csv_bench

# Launch, reviewer queues, decisions and a bulk approve over the simulator's `large` org; see
# BENCHMARKS.md. A release build, as the server ships. CAMPAIGN_ARGS=reuse keeps the snapshot an
# earlier run loaded.
CAMPAIGN_ARGS ?=
bench-campaign:
	DATABASE_URL=$(TEST_DATABASE_URL) RUST_LOG=warn cargo run --release -p server --example campaign_bench -- $(CAMPAIGN_ARGS)

# 10,000 revocations pushed to the simulator by the real workers under a rate limit of
# REVOKES_PER_SECOND deletions a second, in a release build as the server ships; see
# BENCHMARKS.md.
REVOKES_PER_SECOND ?= 50
WORKERS ?= 2
bench-remediation:
	DATABASE_URL=$(TEST_DATABASE_URL) RUST_LOG=warn cargo run --release -p server --example remediation_bench -- $(REVOKES_PER_SECOND) $(WORKERS)
