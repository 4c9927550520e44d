#!/usr/bin/env bash
# The card agent (agent/, a workspace of its own because it links libpcsclite) against a virtual
# マイナンバーカード in pcscd's virtual reader: lints, then its tests (agent/tests/virtual_card.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib-card.sh
source scripts/lib-card.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/madoguchi/target}"
cd agent
cargo fmt -- --check
cargo clippy --all-targets --locked -- -D warnings
cargo test --locked
