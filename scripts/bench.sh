#!/usr/bin/env bash
# Benchmarks, each beside its limit measured in the same run (results go in BENCHMARKS.md):
#  (a) a procedure's question page through the whole stack, beside a minimal axum handler
#      returning a fixed page of the same size; both driven by wrk over loopback;
#  (b) durable submissions per second on SQLite, beside a bare SQLite insert-and-commit loop
#      with the same durability settings;
#  (c) postal-code look-ups and address normalisations per second, beside a plain HashMap
#      look-up of the same keys;
#  (d) the outbox's confirmation mails per second through SMTP on loopback (and written as
#      files), beside the durable submissions per second that queued them in the same run.
#  (e) a generated year of applications (YEAR_APPLICATIONS, 170,000 by default) and the back
#      office's reads of it beside their limits: inbox pages, each procedure's export streamed
#      with its peak memory, the whole year re-exported, the change feed; on SQLite, and on
#      PostgreSQL too when BENCH_POSTGRES_URL names a server (postgres://…/postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/madoguchi/target}"
SECONDS_EACH="${SECONDS_EACH:-10}"
sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
command -v wrk >/dev/null || { sudo_if_needed apt-get update -qq; sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

cargo build --release --locked -p madoguchi -p madoguchi-bench
bin="$CARGO_TARGET_DIR/release"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

"$bin/madoguchi" serve --bind 127.0.0.1:18080 --data-dir "$work/data" 2>"$work/server.log" &
for _ in $(seq 1 50); do curl -sf http://127.0.0.1:18080/healthz >/dev/null && break; sleep 0.1; done

# A draft of 保育施設 利用申込 (the largest page: a repeating group) to load its first question page.
jar="$work/cookies"
csrf=$(curl -s -c "$jar" http://127.0.0.1:18080/procedures/hoiku-moshikomi | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -1)
step=$(curl -s -b "$jar" -o /dev/null -w '%{redirect_url}' -X POST -d "_csrf=$csrf" http://127.0.0.1:18080/procedures/hoiku-moshikomi/start)
token=$(echo "$step" | sed -n 's|.*/drafts/\([^/]*\)/.*|\1|p')
children="http://127.0.0.1:18080/drafts/$token/steps/children"
bytes=$(curl -s "$children" | wc -c)

"$bin/madoguchi-bench" baseline-server 127.0.0.1:18081 "$bytes" &
for _ in $(seq 1 50); do curl -sf http://127.0.0.1:18081/ >/dev/null && break; sleep 0.1; done

measure() { # url → "rps p50 p99"
  wrk -t2 -c32 -d"${SECONDS_EACH}s" --latency "$1" | awk '
    /Requests\/sec/ {rps=$2}
    /^ +50%/ {p50=$2}
    /^ +99%/ {p99=$2}
    END {print rps, p50, p99}'
}
read -r ours_rps ours_p50 ours_p99 < <(measure "$children")
read -r base_rps base_p50 base_p99 < <(measure "http://127.0.0.1:18081/")
share=$(awk -v a="$ours_rps" -v b="$base_rps" 'BEGIN {printf "%.0f", 100*a/b}')

echo
echo "machine: $(nproc) cores, $(uname -sr); wrk -t2 -c32 -d${SECONDS_EACH}s over loopback (client and server share the cores)"
echo
echo "| benchmark | madoguchi | limit | share |"
echo "|---|---|---|---|"
echo "| question page (保育施設 children step, $bytes bytes) | $ours_rps req/s, p50 $ours_p50, p99 $ours_p99 | minimal axum handler, same size: $base_rps req/s, p50 $base_p50, p99 $base_p99 | $share % |"
"$bin/madoguchi-bench" submissions "$SECONDS_EACH" 8
"$bin/madoguchi-bench" outbox "$SECONDS_EACH" 8
OUTBOX_TO_FOLDER=1 "$bin/madoguchi-bench" outbox "$SECONDS_EACH" 8
"$bin/madoguchi-bench" year "${YEAR_APPLICATIONS:-170000}"
if [ -n "${BENCH_POSTGRES_URL:-}" ]; then
  BENCH_POSTGRES_URL="$BENCH_POSTGRES_URL" "$bin/madoguchi-bench" year "${YEAR_APPLICATIONS:-170000}"
fi
"$bin/madoguchi-bench" jp
"$bin/madoguchi-bench" life-events
