#!/usr/bin/env bash
# Runs the end-to-end journeys in headless Chromium (Debian's package; playwright-core does not
# download a browser) with axe-core checks. Installs Chromium and the npm packages if absent.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/madoguchi/target}"
sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if [ -z "${CHROMIUM:-}" ] && ! command -v chromium >/dev/null; then
  echo "installing Chromium from Debian's packages"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

cargo build --locked -p madoguchi
cd e2e
npm ci --no-audit --no-fund --loglevel=error
MADOGUCHI_BIN="$CARGO_TARGET_DIR/debug/madoguchi" node --test --test-concurrency=1 tests/
