#!/usr/bin/env bash
# The API conformance suite: schemathesis generates requests from /api/openapi.json (valid and
# invalid ones, every operation, following its links) against a real server, once on SQLite
# and once on PostgreSQL, and fails on any server error or any answer the document does not
# describe. Installs schemathesis into a virtual environment (from PyPI) when it is missing;
# PostgreSQL as scripts/lib-postgres.sh does.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/madoguchi/target}"
source scripts/lib-postgres.sh

venv="${MADOGUCHI_API_VENV:-$HOME/.cache/madoguchi/api-venv}"
if [ ! -x "$venv/bin/schemathesis" ]; then
  echo "installing schemathesis into $venv"
  if ! python3 -m venv "$venv" 2>/dev/null; then
    # Debian ships venv's ensurepip apart.
    sudo_if_needed apt-get update -qq
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    rm -rf "$venv"
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install -q --disable-pip-version-check -r scripts/api-requirements.txt
fi

cargo build --locked -q -p madoguchi
bin="$CARGO_TARGET_DIR/debug/madoguchi"
examples="${MADOGUCHI_API_EXAMPLES:-40}"
work=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# The suite sends many requests a minute from one address: lift the per-address limits.
cat > "$work/madoguchi.toml" <<TOML
[limits]
submissions_per_minute = 1000000
status_lookups_per_minute = 1000000
uploads_per_minute = 1000000
TOML

run_against() { # name, database URL (empty for SQLite)
  local name=$1 url=$2 data="$work/$1" port
  port=$((18000 + RANDOM % 1000))
  local args=(--config "$work/madoguchi.toml" --data-dir "$data")
  [ -n "$url" ] && args+=(--database-url "$url")
  local token
  token=$("$bin" token issue "${args[@]}" --department kosekijumin --name schemathesis 2>/dev/null)
  "$bin" serve "${args[@]}" --bind "127.0.0.1:$port" >"$work/$name.log" 2>&1 &
  server=$!
  python3 - "$port" <<'PY'
import sys, time, urllib.request
for _ in range(100):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=1)
        break
    except OSError:
        time.sleep(0.2)
PY
  echo "== schemathesis on $name"
  (cd "$work" && "$venv/bin/schemathesis" --config-file "$root/scripts/schemathesis.toml" run \
    "http://127.0.0.1:$port/api/openapi.json" --checks all --max-examples "$examples" \
    --header "Authorization: Bearer $token" --no-color --seed 20261201 \
    --suppress-health-check filter_too_much,too_slow)
  local status=$?
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  server=""
  if grep -q "request failed\|panicked" "$work/$name.log"; then
    echo "the server logged failures on $name:"; grep "request failed\|panicked" "$work/$name.log" | head -20
    return 1
  fi
  return $status
}

run_against sqlite ""
db="madoguchi_api_$$"
psql "$MADOGUCHI_TEST_POSTGRES_URL" -qc "CREATE DATABASE $db" >/dev/null
pg_url="${MADOGUCHI_TEST_POSTGRES_URL%/*}/$db"
status=0
run_against postgres "$pg_url" || status=$?
psql "$MADOGUCHI_TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS $db" >/dev/null || true
exit $status
