#!/usr/bin/env bash
# Pricing bench (issue 18, first part): the engine in bulk as a statement
# run will use it. A demo database with BENCH_E enterprises (default 1000)
# gets contract rules for each and BENCH_W waybills (default 1,000,000) in
# one month (bench/bench_pricing.c load); then the run prices the whole
# month: the price book loaded once, each enterprise's rules once, its
# waybills streamed from SQLite and priced one by one. Prints and writes
# waybills/s, the projection for issue 18's target (statements for 1,000
# enterprises over 1 million waybills in < 30 s) and RSS before and after.
#   bash bench/pricing.sh
# Knobs: BENCH_E, BENCH_W, BENCH_RUNS (3), BENCH_KEEP=1, BENCH_OUT.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
E=${BENCH_E:-1000}; W=${BENCH_W:-1000000}; RUNS=${BENCH_RUNS:-3}
OUT=${BENCH_OUT:-bench/results-$(TZ=Asia/Shanghai date +%Y-%m-%d)-pricing.md}
BIN=$ROOT/build/hongyan
B=$ROOT/build/bench/bench_pricing
log() { printf '[bench-p %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# The release objects (make build/hongyan) without main: the engine and
# the store exactly as the server runs them.
[ -x "$BIN" ] || die "build the release server first: make build/hongyan"
mkdir -p build/bench
OBJS=$(find build/obj -name '*.o' ! -path '*/src/app/main.o' | sort)
PKGS="libmicrohttpd jansson sqlite3 libpq libsodium libcurl icu-uc icu-i18n xlsxwriter libical pangocairo"
# shellcheck disable=SC2086
cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Isrc -Ibuild/gen $(pkg-config --cflags $PKGS) \
  -o "$B" bench/bench_pricing.c $OBJS $(pkg-config --libs $PKGS) -lcsv -lpthread -lm -ljemalloc

TMP=$(mktemp -d "${TMPDIR:-/tmp}/hy-bench-p.XXXXXX")
cleanup() { [ -n "${BENCH_KEEP:-}" ] && log "kept $TMP" || rm -rf "$TMP"; }
trap cleanup EXIT
DB=$TMP/bench.db
# November 2026 at +08:00
FROM=$(date -d '2026-11-01T00:00:00+08:00' +%s); TO=$(date -d '2026-12-01T00:00:00+08:00' +%s)

log "demo database with $E enterprises"
"$BIN" demo --db "sqlite:$DB" --customers 0 --enterprises "$E" >"$TMP/demo.log" 2>&1 || die "demo: $(tail -3 "$TMP/demo.log")"
log "loading $W waybills of one month and the contract rules"
"$B" load "$DB" "$W" "$FROM" 20261204 >&2
SIZE=$(du -m "$DB" | cut -f1)
best=""
for i in $(seq 1 "$RUNS"); do
  "$B" run "$DB" "$FROM" "$TO" >"$TMP/run-$i.txt"
  log "run $i: $(tr '\n' ' ' <"$TMP/run-$i.txt")"
  s=$(awk '/^seconds/ {print $2}' "$TMP/run-$i.txt")
  if [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$s; cp "$TMP/run-$i.txt" "$TMP/best.txt"; fi
done
get() { awk -v k="$1" '$1 == k {print $2}' "$TMP/best.txt"; }
N=$(get waybills); PS=$(get per_second); R0=$(get rss_before_kb); R1=$(get rss_after_kb)
ALL=$(for i in $(seq 1 "$RUNS"); do awk '/^seconds/ {printf "%s s ", $2}' "$TMP/run-$i.txt"; done)
PROJ=$(awk -v n=1000000 -v ps="$PS" 'BEGIN { printf "%.1f", n / ps }')
COMMIT=$(git rev-parse --short HEAD)
cat >"$OUT" <<MD
# Pricing bench, $(date +%Y-%m-%d) (issue 18, first part)

Commit \`$COMMIT\`, release build (\`-O2\`, jemalloc), SQLite, this machine
($(nproc) cores shared with other work). \`bash bench/pricing.sh\`
(BENCH_E=$E, BENCH_W=$W, best of $RUNS runs).

What is measured: the pricing engine in bulk as the statement run will use
it, on one thread: the price book of the month loaded once; per enterprise
its contract rules loaded once and the month's volume read from the
rollups; its waybills of the month streamed from SQLite
(\`waybills_enterprise\` index) and priced one by one
(\`pricing_price\`, a pure function), totals summed. Every enterprise has
4-5 rules (product discount, tier on pieces, fixed zone price, waiver,
half of them a discount on all products); a quarter of the waybills have a
volume weight, a fifth a declared value, a tenth a COD amount; 10
destinations including a remote one.

| figure | value |
|---|---|
| enterprises | $(get enterprises) |
| waybills priced | $N (unpriced: $(get unpriced)) |
| time (best run) | $(get seconds) s (all runs: $ALL) |
| waybills per second | $PS |
| of which in the engine (\`pricing_price\` alone) | $(get engine_seconds) s |
| projection: 1,000 enterprises × 1,000,000 waybills | $PROJ s of pricing (target for whole statements: < 30 s) |
| RSS before → after | $R0 kB → $R1 kB |
| database | $SIZE MB |

The runs differ by the page cache and by what else this shared machine
was doing (the first run reads the database from disk). The projection is the pricing share of a statement run; laying out,
storing and sending the statements (next session) come on top of it.
Memory stays flat: the run holds one enterprise's rules and one row at a
time (the RSS growth is SQLite's page cache and the one price book).
MD
log "wrote $OUT"
cat "$OUT"
