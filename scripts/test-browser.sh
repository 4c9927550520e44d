#!/usr/bin/env bash
# Runs the end-to-end journeys in headless Chromium (Debian's package; playwright-core does not
# download a browser) with axe-core checks, the counter's through the real card agent and a
# virtual card (scripts/lib-card.sh). Installs Chromium, the card packages and the npm packages
# if absent.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/madoguchi/target}"
sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if [ -z "${CHROMIUM:-}" ] && ! command -v chromium >/dev/null; then
  echo "installing Chromium from Debian's packages"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# The counter journey reads a virtual マイナンバーカード through the real card agent.
# shellcheck source=scripts/lib-card.sh
source scripts/lib-card.sh

cargo build --locked -p madoguchi
cargo build --locked --manifest-path agent/Cargo.toml
export MADOGUCHI_AGENT_BIN="$CARGO_TARGET_DIR/debug/madoguchi-card-agent"
export MADOGUCHI_VIRTUAL_CARD="$PWD/agent/tests/card/mynacard.py"
cd e2e
npm ci --no-audit --no-fund --loglevel=error
MADOGUCHI_BIN="$CARGO_TARGET_DIR/debug/madoguchi" node --test --test-concurrency=1 tests/
