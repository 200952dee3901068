#!/usr/bin/env bash
# Enterprise bench (issue 15): BENCH_E enterprises with BENCH_C contacts
# each (default 100,000 and 5: 500,000 contacts) beside BENCH_N customers
# (default 100,000, imported through the API as bench/run.sh does). Runs
# the enterprise list's quick search by USCC / contact mobile / name
# fragment and the customers' search by ID number / phone / name fragment
# with wrk, one after the other in one run, a common word of names, and
# the 360 overview; prints
# the ratios and the overview's p99 (wrk's, and the server's own timing
# from its request log), and writes bench/results-<date>-enterprises.md.
#   bash bench/enterprises.sh
# Knobs: BENCH_E, BENCH_C, BENCH_N, BENCH_DURATION (5s), BENCH_WARMUP (2s),
# BENCH_THREADS (2), BENCH_CONNECTIONS (8), BENCH_KEEP=1, BENCH_OUT.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
E=${BENCH_E:-100000}; C=${BENCH_C:-5}; N=${BENCH_N:-100000}
DUR=${BENCH_DURATION:-5s}; WARM=${BENCH_WARMUP:-2s}
WT=${BENCH_THREADS:-2}; WC=${BENCH_CONNECTIONS:-8}
OUT=${BENCH_OUT:-bench/results-$(date +%Y-%m-%d)-enterprises.md}
BIN=$ROOT/build/hongyan
GEN=$ROOT/build/bench/gen_customers
log() { printf '[bench-e %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
for tool in curl jq wrk awk cc sqlite3; do command -v "$tool" >/dev/null || die "$tool is required"; done

make -s build/hongyan >&2
mkdir -p build/bench
[ -x "$GEN" ] && [ "$GEN" -nt bench/gen_customers.c ] ||
  cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -o "$GEN" bench/gen_customers.c

TMP=$(mktemp -d "${TMPDIR:-/tmp}/hy-bench-e.XXXXXX")
SERVER_PID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ "${BENCH_KEEP:-0}" = 1 ]; then log "kept $TMP"; else rm -rf "$TMP"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
S=$TMP/samples
mkdir -p "$S"

log "generating $N customers"
"$GEN" "$N" 20261203 --samples "$S" >"$TMP/customers.csv"
DB="sqlite:$TMP/bench.db"
"$BIN" demo --db "$DB" --customers 0 --enterprises 0 >"$TMP/demo.log" 2>&1 || die "demo: $(tail -3 "$TMP/demo.log")"
printf 'Init%sQz7\n' "$RANDOM$RANDOM" >"$TMP/pw"
. bench/session.sh
"$BIN" user add B9151 --name 压测管理员 --role admin --branch GD --password-stdin --db "$DB" <"$TMP/pw" >/dev/null 2>&1
BR=$(sqlite3 "$TMP/bench.db" "SELECT id || ':' || path FROM branches WHERE level = 'branch' ORDER BY id" | tr '\n' ' ')
log "generating $E enterprises with $C contacts each (SQL)"
t0=$(date +%s.%N)
awk -v N="$E" -v C="$C" -v S="$S" -v BRANCHES="$BR" -f bench/gen_enterprises.awk | sqlite3 "$TMP/bench.db"
log "enterprises loaded in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')s:" \
  "$(sqlite3 "$TMP/bench.db" 'SELECT COUNT(*) FROM enterprises') enterprises," \
  "$(sqlite3 "$TMP/bench.db" 'SELECT COUNT(*) FROM enterprise_contacts') contacts"

PORT=$(( 20000 + RANDOM % 40000 ))
API="http://127.0.0.1:$PORT/api/v1"
"$BIN" serve --listen "127.0.0.1:$PORT" --db "$DB" >"$TMP/server.out" 2>"$TMP/server.err" &
SERVER_PID=$!
for _ in $(seq 1 300); do curl -fsS -o /dev/null --max-time 1 "$API/health" 2>/dev/null && break; sleep 0.1; done
read -r SESSION CSRF < <(bench_session "http://127.0.0.1:$PORT" B9151 "$(cat "$TMP/pw")")
[ -n "$SESSION" ] || die "no session"
AUTH=(-b "hy_session=$SESSION" -H "X-CSRF-Token: $CSRF")
log "importing the customers through the API"
imp=$(curl -fsS "${AUTH[@]}" -H 'Content-Type: text/csv' --data-binary "@$TMP/customers.csv" "$API/imports?entity=customer")
ID=$(jq -r .import.id <<<"$imp"); MAP=$(jq -c .import.suggested_mapping <<<"$imp")
curl -fsS "${AUTH[@]}" -H 'Content-Type: application/json' \
  --data "$(jq -nc --argjson m "$MAP" '{mapping:$m,dry_run:false,on_duplicate:"skip"}')" "$API/imports/$ID/run" >/dev/null
for _ in $(seq 1 3000); do
  st=$(curl -fsS "${AUTH[@]}" "$API/imports/$ID" | jq -r .import.status)
  case $st in running | queued | uploaded) sleep 0.2 ;; *) break ;; esac
done
[ "$st" = done ] || die "import ended $st"
for _ in $(seq 1 600); do
  ck=$(sqlite3 -cmd ".timeout 60000" "$TMP/bench.db" 'PRAGMA wal_checkpoint(TRUNCATE);' 2>/dev/null || echo "1|")
  [ "${ck%%|*}" = 0 ] && break
  sleep 0.5
done
log "customers: $(sqlite3 "$TMP/bench.db" 'SELECT COUNT(*) FROM customers')"

declare -A P50 P99 RPS ERR
run() {
  local s=$1
  HY_SAMPLES=$S HY_SESSION=$SESSION HY_CSRF=$CSRF timeout 120 wrk -t"$WT" -c"$WC" -d"$WARM" -s "bench/wrk/$s.lua" \
    "http://127.0.0.1:$PORT" >/dev/null 2>&1 || true
  HY_SAMPLES=$S HY_SESSION=$SESSION HY_CSRF=$CSRF timeout 300 wrk -t"$WT" -c"$WC" -d"$DUR" --latency \
    -s "bench/wrk/$s.lua" "http://127.0.0.1:$PORT" >"$TMP/wrk-$s.txt" 2>&1 || die "wrk $s failed"
  local line
  line=$(sed -n 's/^HYBENCH //p' "$TMP/wrk-$s.txt")
  P50[$s]=$(jq -r .p50_ms <<<"$line"); P99[$s]=$(jq -r .p99_ms <<<"$line")
  RPS[$s]=$(jq -r .rps <<<"$line")
  ERR[$s]=$(jq -r '.err_status + .err_timeout + .err_connect + .err_read + .err_write' <<<"$line")
  log "  $s: p50 ${P50[$s]} ms, p99 ${P99[$s]} ms, ${RPS[$s]} req/s, errors ${ERR[$s]}"
}
PAIRS=("e_uscc q_id_number" "e_phone q_phone" "e_name_frag q_name_frag")
for p in "${PAIRS[@]}"; do for s in $p; do run "$s"; done; done
run e_word
: >"$TMP/server.err.mark"
MARK=$(wc -l <"$TMP/server.err")
run e_overview
# The server's own time for each overview (its request log line ends in "<ms>ms").
SERVER_P99=$(tail -n +"$((MARK + 1))" "$TMP/server.err" | grep '/overview 200 ' |
  sed -n 's/.* \([0-9.]*\)ms$/\1/p' | sort -n | awk '{ v[NR] = $1 } END { if (!NR) { print "n/a 0"; exit } i = int(NR * 0.99 + 0.5); if (i < 1) i = 1; print v[i], NR }')

{
  echo "# Enterprise bench (issue 15), $(date -u +%Y-%m-%d\ %H:%M) UTC"
  echo
  echo "Commit \`$(git rev-parse --short HEAD)\`, release build, SQLite. $E enterprises with $C contacts each"
  echo "($((E * C)) contacts, loaded by SQL: bench/gen_enterprises.awk) beside $N customers imported through"
  echo "the API; \`wrk -t$WT -c$WC -d$DUR\` after $WARM of warm-up, each pair back to back, one run,"
  echo "admin (every branch). Machine shared with other work: ratios within a pair are what counts."
  echo
  echo "| search | enterprises p50 / p99 ms, req/s | customers p50 / p99 ms, req/s | enterprises' time ÷ customers' (req/s customers ÷ enterprises) |"
  echo "|---|---|---|---|"
  for p in "${PAIRS[@]}"; do
    set -- $p
    echo "| ${1#e_} vs ${2#q_} | ${P50[$1]} / ${P99[$1]}, ${RPS[$1]} | ${P50[$2]} / ${P99[$2]}, ${RPS[$2]} | $(awk -v a="${RPS[$2]}" -v b="${RPS[$1]}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }') |"
  done
  echo
  echo "A common word of names (\"科技\", a twentieth of all enterprises, exact total counted): p50"
  echo "${P50[e_word]} ms, p99 ${P99[e_word]} ms, ${RPS[e_word]} req/s (no customer pair: a customer's name has no such word)."
  echo
  echo "360 overview (\`GET /enterprises/{id}/overview\`, 5 contacts each): wrk p50 ${P50[e_overview]} ms,"
  echo "p99 ${P99[e_overview]} ms, ${RPS[e_overview]} req/s; at the server (its request log) p99 ${SERVER_P99% *} ms"
  echo "over ${SERVER_P99#* } requests. Errors: $(for s in "${!ERR[@]}"; do printf '%s=%s ' "$s" "${ERR[$s]}"; done)"
} >"$OUT"
cat "$OUT"
