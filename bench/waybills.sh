#!/usr/bin/env bash
# Waybill bench (issue 16): BENCH_W waybills (default 10,000,000) with
# their tracking events (BENCH_PER per delivered waybill, default 5; two
# per in-transit one) loaded in bulk into SQLite (bench/gen_waybills.c),
# BENCH_T of them in transit (default 1,000,000), BENCH_X of those past
# their stop's threshold (default 10,000). Then, on the release server:
#   - the stuck-shipment pass over them (the server's log says how long
#     the pass that raised the alerts took);
#   - HTTP ingest: BENCH_FILES batches of 10,000 events (new events of
#     in-transit waybills) posted by BENCH_CLIENTS clients at once;
#   - the 360 figures of one enterprise (GET /enterprises/{id}/shipping,
#     a year) under wrk, p99 at the server from its request log;
#   - bytes of the database per million events.
# Writes bench/results-<date>-waybills.md.
#   bash bench/waybills.sh
# Knobs: BENCH_W, BENCH_PER, BENCH_T, BENCH_X, BENCH_FILES (20),
# BENCH_CLIENTS (2), BENCH_DURATION (10s), BENCH_KEEP=1, BENCH_OUT.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
W=${BENCH_W:-10000000}; PER=${BENCH_PER:-5}; T=${BENCH_T:-1000000}; X=${BENCH_X:-10000}
FILES=${BENCH_FILES:-20}; CLIENTS=${BENCH_CLIENTS:-2}; DUR=${BENCH_DURATION:-10s}
OUT=${BENCH_OUT:-bench/results-$(date +%Y-%m-%d)-waybills.md}
BIN=$ROOT/build/hongyan
GEN=$ROOT/build/bench/gen_waybills
log() { printf '[bench-w %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
for tool in curl jq wrk awk cc sqlite3; do command -v "$tool" >/dev/null || die "$tool is required"; done
secs() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

make -s build/hongyan >&2
mkdir -p build/bench
[ -x "$GEN" ] && [ "$GEN" -nt bench/gen_waybills.c ] ||
  cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -o "$GEN" bench/gen_waybills.c -lsqlite3

TMP=$(mktemp -d "${TMPDIR:-/tmp}/hy-bench-w.XXXXXX")
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

DB="sqlite:$TMP/bench.db"
"$BIN" demo --db "$DB" --customers 0 --enterprises 200 >"$TMP/demo.log" 2>&1 || die "demo: $(tail -3 "$TMP/demo.log")"
PW="Init${RANDOM}${RANDOM}Qz7"
printf '%s\n' "$PW" | "$BIN" user add B9161 --name 运单压测 --role admin --branch GD --password-stdin --db "$DB" >/dev/null 2>&1
KEY=$("$BIN" apikey add B9161 --name bench --db "$DB" 2>/dev/null | tail -1)
[ -n "$KEY" ] || die "no API key"

log "loading $W waybills ($T in transit, $X past their threshold) with their events"
t0=$(date +%s.%N)
"$GEN" load "$TMP/bench.db" "$W" "$PER" "$T" "$X" 20261203 >"$TMP/gen.out"
LOAD_S=$(secs "$t0")
NW=$(sqlite3 "$TMP/bench.db" 'SELECT COUNT(*) FROM waybills')
NE=$(sqlite3 "$TMP/bench.db" 'SELECT COUNT(*) FROM waybill_events')
NR=$(sqlite3 "$TMP/bench.db" 'SELECT COUNT(*) FROM waybill_rollups')
SIZE=$(stat -c %s "$TMP/bench.db")
EV_BYTES=$(sqlite3 "$TMP/bench.db" "SELECT SUM(pgsize) FROM dbstat WHERE name = 'waybill_events'" 2>/dev/null || echo 0)
log "loaded in ${LOAD_S}s: $NW waybills, $NE events, $NR rollup rows, $SIZE bytes"

LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
PORT=$(( 20000 + RANDOM % 40000 ))
API="http://127.0.0.1:$PORT/api/v1"
"$BIN" serve --listen "127.0.0.1:$PORT" --db "$DB" >"$TMP/server.out" 2>"$TMP/server.err" &
SERVER_PID=$!
for _ in $(seq 1 600); do curl -fsS -o /dev/null --max-time 1 "$API/health" 2>/dev/null && break; sleep 0.1; done

log "waiting for the stuck-shipment pass"
for _ in $(seq 1 600); do grep -q 'stuck-shipment pass:' "$TMP/server.err" && break; sleep 0.5; done
# The pass raises in batches of 256 a transaction until nothing is due:
# wait until the alerts stop growing, then read the passes' log lines.
prev=-1
for _ in $(seq 1 600); do
  n=$(sqlite3 -cmd ".timeout 60000" "$TMP/bench.db" 'SELECT COUNT(*) FROM waybill_alerts')
  [ "$n" = "$prev" ] && break
  prev=$n; sleep 3
done
ALERTS=$prev
PASS_LINES=$(grep 'stuck-shipment pass:' "$TMP/server.err" | sed 's/.*pass: //')
PASS_MS=$(grep 'stuck-shipment pass:' "$TMP/server.err" | sed -n 's/.* in \([0-9]*\) ms$/\1/p' | awk '{ s += $1 } END { print s + 0 }')
log "pass: $ALERTS alerts ($PASS_LINES)"
# An idle pass (nothing due) over the same million in transit: the index
# probe the scheduler repeats every few seconds.
IDLE_MS=$(printf '.timer on\nSELECT id FROM waybills WHERE due_at <= %s ORDER BY due_at LIMIT 256;\n' "$(date +%s)" |
  sqlite3 "$TMP/bench.db" 2>&1 | sed -n 's/^Run Time: real \([0-9.]*\).*/\1/p' | awk '{ printf "%.1f", $1 * 1000 }')

log "generating $FILES batches of 10000 events"
FIRST=$(( W - T + X ))
NOW=$(date +%s)
for f in $(seq 0 $(( FILES - 1 ))); do
  "$GEN" events $(( FIRST + f * 10000 )) 10000 "$NOW" >"$TMP/events-$f.ndjson"
done
log "posting them with $CLIENTS clients"
# The server's CPU time as well as the wall clock: the machine is shared,
# and CPU seconds per event say what one core does when it is not.
cpu() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }
TCK=$(getconf CLK_TCK)
C0=$(cpu)
t0=$(date +%s.%N)
post_files() {
  local c=$1
  for f in $(seq "$c" "$CLIENTS" $(( FILES - 1 ))); do
    curl -fsS -H "Authorization: Bearer $KEY" -H 'Content-Type: application/x-ndjson' \
      --data-binary "@$TMP/events-$f.ndjson" "$API/waybill-events:batch" >"$TMP/post-$f.json" || return 1
  done
}
pids=()
for c in $(seq 0 $(( CLIENTS - 1 ))); do post_files "$c" & pids+=($!); done
for p in "${pids[@]}"; do wait "$p" || die "a batch failed"; done
INGEST_S=$(secs "$t0")
INGEST_CPU=$(awk -v a="$C0" -v b="$(cpu)" -v t="$TCK" 'BEGIN { printf "%.2f", (b - a) / t }')
CREATED=$(cat "$TMP"/post-*.json | jq -s 'map(.created) | add')
REFUSED=$(cat "$TMP"/post-*.json | jq -s 'map(.refused) | add')
EPS=$(awk -v n="$CREATED" -v s="$INGEST_S" 'BEGIN { printf "%.0f", n / s }')
EPS_CPU=$(awk -v n="$CREATED" -v s="$INGEST_CPU" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
log "ingest: $CREATED events in ${INGEST_S}s = $EPS events/s (refused $REFUSED)"

log "signing in for the figures"
J=(-H 'Content-Type: application/json')
curl -fsS -c "$TMP/c1" "${J[@]}" --data "{\"login\":\"B9161\",\"password\":\"$PW\"}" "$API/auth/login" >"$TMP/login.json"
CSRF=$(jq -r .csrf_token "$TMP/login.json")
NEWPW="Bench${RANDOM}${RANDOM}Xy9"
curl -fsS -b "$TMP/c1" -c "$TMP/c1" "${J[@]}" -H "X-CSRF-Token: $CSRF" \
  --data "{\"old_password\":\"$PW\",\"new_password\":\"$NEWPW\"}" "$API/auth/password" >/dev/null
SESSION=$(awk '$6 == "hy_session" { print $7 }' "$TMP/c1")
[ -n "$SESSION" ] || die "no session"
mkdir -p "$TMP/samples"
sqlite3 "$TMP/bench.db" 'SELECT id FROM enterprises' >"$TMP/samples/w_ids.txt"
HY_SAMPLES=$TMP/samples HY_SESSION=$SESSION timeout 60 wrk -t2 -c4 -d2s -s bench/wrk/w_shipping.lua "http://127.0.0.1:$PORT" >/dev/null 2>&1 || true
MARK=$(wc -l <"$TMP/server.err")
C0=$(cpu)
HY_SAMPLES=$TMP/samples HY_SESSION=$SESSION timeout 300 wrk -t2 -c4 -d"$DUR" --latency \
  -s bench/wrk/w_shipping.lua "http://127.0.0.1:$PORT" >"$TMP/wrk.txt" 2>&1 || die "wrk failed"
FIG_CPU=$(awk -v a="$C0" -v b="$(cpu)" -v t="$TCK" 'BEGIN { printf "%.2f", (b - a) / t }')
line=$(sed -n 's/^HYBENCH //p' "$TMP/wrk.txt")
WP50=$(jq -r .p50_ms <<<"$line"); WP99=$(jq -r .p99_ms <<<"$line"); WRPS=$(jq -r .rps <<<"$line")
WERR=$(jq -r '.err_status + .err_timeout + .err_connect + .err_read + .err_write' <<<"$line")
SERVER_P99=$(tail -n +"$((MARK + 1))" "$TMP/server.err" | grep '/shipping 200 ' |
  sed -n 's/.* \([0-9.]*\)ms$/\1/p' | sort -n | awk '{ v[NR] = $1 } END { if (!NR) { print "n/a 0"; exit } i = int(NR * 0.99 + 0.5); if (i < 1) i = 1; print v[i], NR }')
ROWS=$(sqlite3 "$TMP/bench.db" "SELECT ROUND(AVG(n)) FROM (SELECT COUNT(*) n FROM waybill_rollups WHERE day > (strftime('%s','now') + 28800) / 86400 - 365 GROUP BY enterprise_id)")
FIG_CPU_MS=$(awk -v c="$FIG_CPU" -v n="${SERVER_P99#* }" 'BEGIN { printf "%.2f", (n > 0 ? c * 1000 / n : 0) }')
log "figures: wrk p50 $WP50 ms p99 $WP99 ms, server p99 ${SERVER_P99% *} ms, $FIG_CPU_MS ms CPU each"

{
  echo "# Waybill bench (issue 16), $(date -u +%Y-%m-%d\ %H:%M) UTC"
  echo
  echo "Commit \`$(git rev-parse --short HEAD)\`, release build, SQLite, one run on the shared 2-core"
  echo "machine (load average at the start of the measurements: $LOAD). Data loaded in bulk (bench/gen_waybills.c, ${LOAD_S}s): $NW waybills of 200"
  echo "enterprises over a year, $NE tracking events, $NR rollup rows; $T in transit, $X of them past"
  echo "their stop's threshold."
  echo
  echo "| measure | target | result |"
  echo "|---|---|---|"
  echo "| HTTP batch ingest, events/s ($FILES × 10,000 new events of in-transit waybills, $CLIENTS clients) | ≥ 50,000 | $EPS wall ($CREATED events in ${INGEST_S}s, refused $REFUSED); $EPS_CPU per CPU-second of the server (${INGEST_CPU}s CPU) |"
  echo "| 360 figures of one enterprise, a year (\`GET /enterprises/{id}/shipping?period=year\`, ~$ROWS detailed rollup rows each, read as 365 day rows, month rows and the partial months' detail), p99 at the server | < 20 ms | ${SERVER_P99% *} ms over ${SERVER_P99#* } requests (wrk -t2 -c4: p50 $WP50 ms, p99 $WP99 ms, $WRPS req/s, errors $WERR); $FIG_CPU_MS ms of server CPU a request |"
  echo "| stuck-shipment pass over $T in transit | < 1 s | raised $ALERTS alerts in $PASS_MS ms over its passes ($PASS_LINES); the pass's query when nothing is due: ${IDLE_MS} ms |"
  echo "| database size per million events | (stated) | $(awk -v s="$SIZE" -v n="$NE" 'BEGIN { printf "%.0f MB whole database ÷ events; ", s / n * 1e6 / 1e6 }')$(awk -v s="$EV_BYTES" -v n="$NE" 'BEGIN { if (s > 0) printf "%.0f MB the event table alone", s / n * 1e6 / 1e6; else printf "event table size n/a" }') ($SIZE bytes in all) |"
} >"$OUT"
cat "$OUT"
