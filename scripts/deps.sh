#!/usr/bin/env bash
# Installs what the build, the app and the tests need and is missing, on Debian/Ubuntu.
# Idempotent and quiet when everything is there. Usage: scripts/deps.sh [base|app|test|fuzz]
#   base: the CLI (yc) and its demo, which seals PDFs with the Noto CJK font
#   app:  + the desktop app (Tauri 2 on WebKitGTK)
#   test: + Xvfb, WebKitWebDriver and tauri-driver for the end-to-end tests in the real window;
#         desktop-file-utils and man-db for the package test (make package-test)
#   fuzz: + the nightly toolchain and cargo-fuzz for the libFuzzer targets (make fuzz)
set -euo pipefail
profile="${1:-base}"

pkgs=(pkg-config build-essential libssl-dev python3 fonts-noto-cjk poppler-utils)
case "$profile" in
  app|test) pkgs+=(libwebkit2gtk-4.1-dev librsvg2-dev libayatana-appindicator3-dev xvfb xauth) ;;
esac
case "$profile" in
  test) pkgs+=(webkit2gtk-driver desktop-file-utils man-db) ;;
esac

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "==> installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    echo "==> cargo is in ~/.cargo/bin: add it to PATH (source ~/.cargo/env)"; exit 1
  fi
  echo "==> installing the Rust toolchain with rustup"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
  echo "==> run: source ~/.cargo/env, then make again"; exit 1
fi
if [ "$profile" != base ] && [ "$profile" != fuzz ] && ! command -v npm >/dev/null 2>&1; then
  echo "==> installing Node.js and npm (the UI is built with Vite)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
if [ "$profile" = test ] && ! command -v tauri-driver >/dev/null 2>&1; then
  echo "==> installing tauri-driver (WebDriver proxy for the e2e tests)"
  cargo install tauri-driver --version '^2' --locked --quiet
fi
if [ "$profile" = test ] && ! python3 -c "import pyhanko.sign" >/dev/null 2>&1; then
  echo "==> installing pyHanko (independent validation of sealed PDFs in the seal tests)"
  if ! python3 -m pip --version >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-pip >/dev/null
  fi
  # Debian 12+ marks the system Python externally managed (PEP 668): fall back to --user.
  python3 -m pip install --quiet pyhanko==0.29.1 2>/dev/null \
    || python3 -m pip install --quiet --user --break-system-packages pyhanko==0.29.1
fi
if [ "$profile" = fuzz ]; then
  if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    echo "==> installing the nightly toolchain (cargo-fuzz needs -Z flags)"
    rustup toolchain install nightly --profile minimal
  fi
  if ! command -v cargo-fuzz >/dev/null 2>&1; then
    echo "==> installing cargo-fuzz (libFuzzer targets in fuzz/)"
    cargo install cargo-fuzz --version '^0.13' --locked --quiet
  fi
fi
