#!/usr/bin/env bash
# Replaces the bundled postal-code data with a newer file of the same columns, then tests it.
set -euo pipefail
cd "$(dirname "$0")/.."
src="${1:?usage: scripts/refresh-postal-data.sh japan-postal-codes.csv}"
expected="postal_code,local_gov_code,prefecture,city,town,prefecture_kana,city_kana,town_kana,note"
header=$(head -1 "$src" | tr -d '\r\357\273\277')
if [ "$header" != "$expected" ]; then
  echo "unexpected header: $header" >&2
  echo "expected:          $expected" >&2
  exit 1
fi
gzip -9 -n -c "$src" > crates/jp/data/japan-postal-codes.csv.gz
echo "$(($(wc -l < "$src") - 1)) postal codes bundled"
cargo test -p madoguchi-jp postal
