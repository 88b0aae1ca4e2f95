#!/usr/bin/env bash
# Installs what the build and tests need and is missing, on Debian/Ubuntu. Idempotent and quiet
# when everything is there. Usage: scripts/deps.sh [base|test|app]
set -euo pipefail
profile="${1:-base}"

pkgs=(pkg-config build-essential python3)
case "$profile" in
  test|app) pkgs+=(poppler-utils fonts-noto-cjk) ;;
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
