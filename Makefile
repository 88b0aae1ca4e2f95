# Yichuang (一窗). The two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
CARGO ?= cargo
DEMO_DIR ?= target/demo
export CARGO_TERM_COLOR ?= never
export PATH := $(HOME)/.cargo/bin:$(PATH)

.PHONY: run run-cli test bench deps deps-app deps-test build ui ui-test desktop e2e bench-desktop fmt package package-test fuzz fuzz-proptest soak

## make run: install what is missing, build, create the demo workstation and start the desktop app
## on it (without a display: say what to do, and show the work list in the terminal).
run: deps-app build desktop
	./target/release/yc --data $(DEMO_DIR) demo --force
	@if [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  echo; echo "没有图形显示（DISPLAY/WAYLAND_DISPLAY 未设置），桌面程序无法打开窗口。可以："; \
	  echo "  1) 在桌面会话里运行 make run；  2) ssh -X 登录后运行；"; \
	  echo "  3) 虚拟显示：xvfb-run -a -s '-screen 0 1366x768x24' ./target/debug/yc-desktop --data $(DEMO_DIR)"; \
	  echo "     （看不到窗口；make e2e 会在 target/e2e-screenshots/ 生成截图）。"; \
	  echo "下面是命令行里的工作台（受理员 zhangwei）："; echo; \
	  YC_PASSWORD=yc123456 ./target/release/yc --data $(DEMO_DIR) --as zhangwei case list --open --limit 25; \
	else \
	  echo "市级平台模拟器（仅供演示）：http://127.0.0.1:18610"; \
	  ./target/release/yc-sim city --port 18610 --state-file $(DEMO_DIR)/city-sim.json & sim=$$!; \
	  trap 'kill $$sim 2>/dev/null' EXIT; \
	  ./target/debug/yc-desktop --data $(DEMO_DIR); \
	fi

## make run-cli: the demo workstation in the terminal only.
run-cli: deps build
	./target/release/yc --data $(DEMO_DIR) demo --force
	YC_PASSWORD=yc123456 ./target/release/yc --data $(DEMO_DIR) --as zhangwei case list --open --limit 25

deps:
	@scripts/deps.sh base
deps-app:
	@scripts/deps.sh app
deps-test:
	@scripts/deps.sh test

build:
	$(CARGO) build --release --locked -p yc -p yc-sim

# The desktop embeds ui/dist at compile time: build the UI before any workspace build.
UI_STAMP := ui/dist/index.html
# npm 11 here writes lockfiles holding only this platform's optional packages (rollup's native
# builds), which `npm ci` then calls out of sync; `npm install --no-save` installs exactly the
# locked versions without touching the lockfile.
ui/node_modules/.package-lock.json: ui/package-lock.json
	cd ui && (npm ci --no-audit --no-fund || npm install --no-save --no-audit --no-fund)
$(UI_STAMP): ui/node_modules/.package-lock.json $(shell find ui/src ui/index.html -type f 2>/dev/null)
	cd ui && npm run build
ui: $(UI_STAMP)
ui-test: ui/node_modules/.package-lock.json
	cd ui && npm test

desktop: ui
	$(CARGO) build -p yc-desktop --locked

## e2e: the real window under Xvfb, driven by tauri-driver + WebKitWebDriver; screenshots in
## target/e2e-screenshots/. The first-run test runs the city simulator (yc-sim) beside the app.
e2e: desktop
	$(CARGO) build -p yc-sim --locked
	cd tests/e2e && CARGO_TARGET_DIR=$(CURDIR)/target YC_DESKTOP_BIN=$(CURDIR)/target/debug/yc-desktop \
	  xvfb-run -a -s "-screen 0 1366x768x24" $(CARGO) test --locked -- --test-threads=1

## make test: everything CI checks.
test: deps-test ui ui-test
	$(CARGO) fmt --all -- --check
	# fuzz/ and tests/e2e/ are their own workspaces on the core's crates: their lockfiles must
	# follow a dependency added to a core crate (a stale one fails `make fuzz` / `make e2e`).
	$(CARGO) metadata --locked --format-version 1 --manifest-path fuzz/Cargo.toml >/dev/null
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	$(CARGO) build --workspace --locked --bins
	$(CARGO) test --workspace --locked
	$(MAKE) e2e

## make fuzz: every cargo-fuzz (libFuzzer, coverage-guided) target in fuzz/ for FUZZ_SECONDS each
## (default 60; 12 targets), on the nightly toolchain (scripts/deps.sh fuzz installs cargo-fuzz).
## Seeds: tests/fuzz-corpus/<dir>/ (read only); what libFuzzer learns goes to fuzz/corpus/<target>/,
## crashes to fuzz/artifacts/<target>/. Prints executions, exec/s and coverage per target and every
## crash artefact. FUZZ_SANITIZER=address for ASan (slow to build on 2 cores; default none).
## docs/fuzzing.md.
FUZZ_SECONDS ?= 60
FUZZ_SANITIZER ?= none
FUZZ_TARGETS ?= catalog calendar ids backup_manifest adapter_lines serve_lines xml soap_replies city_json file_drop qr sealed_pdf
fuzz:
	@scripts/deps.sh fuzz
	# cargo fuzz build takes one target (or none for all): build each asked for.
	cd fuzz && for t in $(FUZZ_TARGETS); do cargo +nightly fuzz build -s $(FUZZ_SANITIZER) $$t || exit 1; done
	@scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_SANITIZER) $(FUZZ_TARGETS)

## make fuzz-proptest: the proptest versions `make test` runs briefly (the `fuzz::` tests of core,
## adapters/sdk, adapters/builtin and seal), with FUZZ_CASES cases per fast target (default 200000;
## slow targets take a fraction, docs/fuzzing.md). About half an hour on 2 cores at the default;
## `make fuzz-proptest FUZZ_CASES=20000` a few minutes. Stable toolchain.
FUZZ_CASES ?= 200000
fuzz-proptest:
	YC_FUZZ_CASES=$(FUZZ_CASES) $(CARGO) test -p yc-core --locked --test it fuzz::
	YC_FUZZ_CASES=$(FUZZ_CASES) $(CARGO) test -p yc-adapter-sdk --locked --test it fuzz::
	YC_FUZZ_CASES=$(FUZZ_CASES) $(CARGO) test -p yc-adapters --locked --test it fuzz::
	PROPTEST_CASES=$$(( $(FUZZ_CASES) / 20 )) $(CARGO) test -p yc-seal --locked --test it fuzz::

## make soak: the crash harness `make test` runs with 50 runs (tests/system/tests/crash.rs), with
## SOAK_RUNS runs: `yc` SIGKILLed at random moments while filing, acting, sealing, syncing and backing
## up, the workstation checked after every kill; prints the counts (docs/crash-safety.md). About
## 7½ minutes on 2 cores at the default; SOAK_SEED=<seed> replays a run the harness printed.
SOAK_RUNS ?= 500
soak: deps
	$(CARGO) build --locked -p yc -p yc-sim
	YC_CRASH_RUNS=$(SOAK_RUNS) $(if $(SOAK_SEED),YC_CRASH_SEED=$(SOAK_SEED)) \
	  $(CARGO) test -p yc-system-tests --locked --test crash

## make package: the Debian package target/package/yichuang_<version>_<arch>.deb (installer/README.md).
package: deps-app ui
	CARGO=$(CARGO) installer/build-deb.sh

## make package-test: install the .deb with dpkg, check it, open the installed app to its login
## screen under Xvfb, remove it. Root only (skips otherwise). Not part of `make test`: it needs the
## dist build of yc and the desktop (~20 minutes from cold on 2 cores); the test itself takes ~15 s.
package-test: deps-test package
	installer/test-deb.sh

## make bench: figures and ratios against baselines measured in the same run.
bench: deps-test ui
	$(CARGO) bench -p yc-core --bench core --locked
	$(CARGO) bench -p yc-seal --bench seal --locked
	$(CARGO) bench -p yc-adapters --bench push --locked
	scripts/bench-sync.sh 100000
	$(MAKE) bench-desktop

# Start-up is measured on the release build (what a window PC runs).
bench-desktop: ui
	$(CARGO) build --release -p yc-desktop --locked
	cd tests/e2e && CARGO_TARGET_DIR=$(CURDIR)/target YC_DESKTOP_BIN=$(CURDIR)/target/release/yc-desktop \
	  xvfb-run -a -s "-screen 0 1366x768x24" $(CARGO) run --locked --bin bench -- 100000

fmt:
	$(CARGO) fmt --all
