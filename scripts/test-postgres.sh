#!/usr/bin/env bash
# Runs the storage suite and the HTTP suite against a real PostgreSQL server.
# Uses MADOGUCHI_TEST_POSTGRES_URL if set; otherwise the local server on 127.0.0.1:5432,
# installing and starting Debian's PostgreSQL if there is none (scripts/lib-postgres.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/madoguchi/target}"
source scripts/lib-postgres.sh

# Each test made its own database; drop those left by earlier runs.
psql "$MADOGUCHI_TEST_POSTGRES_URL" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'madoguchi_test_%'" 2>/dev/null \
  | while read -r db; do psql "$MADOGUCHI_TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS \"$db\"" >/dev/null 2>&1 || true; done

cargo test --locked -p madoguchi-storage --test store -p madoguchi-web --test http --test backoffice --test hardening --test catalog_rules --test life_events --test bundles --test counter
