# Yichuang (一窗). The two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
CARGO ?= cargo
DEMO_DIR ?= target/demo
export CARGO_TERM_COLOR ?= never

.PHONY: run test bench deps deps-test build demo lint fmt clean-demo

## make run: install what is missing, build, create the demo workstation and show its work list.
run: deps build
	./target/release/yc --data $(DEMO_DIR) demo --force
	@echo
	./target/release/yc --data $(DEMO_DIR) --as zhangwei case list --open --limit 25
	@echo
	@echo "更多：./target/release/yc --data $(DEMO_DIR) --help   （例如 case show 编号、catalog guide 编码、journal verify）"

deps:
	@scripts/deps.sh base

deps-test:
	@scripts/deps.sh test

build:
	$(CARGO) build --release -p yc

## make test: everything CI checks.
test: deps-test
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	$(CARGO) build --workspace --locked --bins
	$(CARGO) test --workspace --locked

## make bench: figures and ratios against baselines measured in the same run.
bench: deps-test
	$(CARGO) bench -p yc-core --bench core --locked

fmt:
	$(CARGO) fmt --all
