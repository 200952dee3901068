#!/usr/bin/env bash
# Hongyan benchmarks (issue 3) — `make bench`, or `bash bench/run.sh`.
#
# Builds the release server and the data generator, generates BENCH_N
# customers (default 1 000 000), starts a server on a temp database on
# 127.0.0.1, signs in an admin, imports the CSV through the import API
# (timed), measures quick search and GET of one customer with wrk, exports
# everything to CSV and XLSX (timed, with the server's memory sampled), then
# prints a results table and writes bench/results-<date>.md.
#
# Knobs (environment):
#   BENCH_N=1000000      rows to generate and import
#   BENCH_SEED=20261124  generator seed (same seed -> same data)
#   BENCH_DURATION=15s   wrk duration per scenario
#   BENCH_WARMUP=3s      unmeasured wrk run of the same scenario before it (0 = none)
#   BENCH_THREADS=2 BENCH_CONNECTIONS=16   wrk -t / -c
#   BENCH_LOOKUPS=2000   customers looked up to collect ids / customer numbers
#   BENCH_IMPORT_TIMEOUT=900 BENCH_EXPORT_TIMEOUT=900   seconds before giving up
#   BENCH_SKIP_EXPORT=1  skip the export part
#   BENCH_KEEP=1         keep the temp dir (database, logs, files)
#   BENCH_OUT=path       where to write the results (default bench/results-<date>.md)
#   BENCH_COMMIT=abc123  commit to name in the results (default: git rev-parse HEAD)
#   BENCH_BIN=path       server binary to measure instead of build/hongyan (A/B runs)
#
# Only 127.0.0.1 is used. The script stops its server and removes its temp
# dir on exit, also on failure or Ctrl-C; every wait is bounded.

if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

N=${BENCH_N:-1000000}
SEED=${BENCH_SEED:-20261124}
DUR=${BENCH_DURATION:-15s}
WARM=${BENCH_WARMUP:-3s}
WT=${BENCH_THREADS:-2}
WC=${BENCH_CONNECTIONS:-16}
LOOKUPS=${BENCH_LOOKUPS:-2000}
IMPORT_TIMEOUT=${BENCH_IMPORT_TIMEOUT:-900}
EXPORT_TIMEOUT=${BENCH_EXPORT_TIMEOUT:-900}
DATE=$(date +%Y-%m-%d)
OUT=${BENCH_OUT:-bench/results-$DATE.md}
BIN=${BENCH_BIN:-$ROOT/build/hongyan}
GEN=$ROOT/build/bench/gen_customers

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

for tool in curl jq wrk awk cc; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is required (apt-get install $tool)"
done

# ---------------------------------------------------------------- build
log "building the release server (make build/hongyan) and the generator"
[ -n "${BENCH_BIN:-}" ] || make -s build/hongyan >&2
mkdir -p build/bench
if [ ! -x "$GEN" ] || [ bench/gen_customers.c -nt "$GEN" ]; then
  cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -o "$GEN" bench/gen_customers.c
fi

# ---------------------------------------------------------------- temp dir, cleanup
TMP=$(mktemp -d "${TMPDIR:-/tmp}/hy-bench.XXXXXX")
SERVER_PID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$SERVER_PID" 2>/dev/null && kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ "${BENCH_KEEP:-0}" = 1 ]; then log "kept $TMP"; else rm -rf "$TMP"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SAMPLES=$TMP/samples
mkdir -p "$SAMPLES"

# ---------------------------------------------------------------- data
CSV=$TMP/customers.csv
log "generating $N customers (seed $SEED)"
t0=$(now)
"$GEN" "$N" "$SEED" --samples "$SAMPLES" >"$CSV"
GEN_S=$(elapsed "$t0" "$(now)")
CSV_BYTES=$(stat -c %s "$CSV")
log "generated $CSV_BYTES bytes in ${GEN_S}s"

# ---------------------------------------------------------------- server
DB="sqlite:$TMP/bench.db"
"$BIN" demo --db "$DB" >"$TMP/demo.log" 2>&1 || die "hongyan demo failed: $(tail -5 "$TMP/demo.log")"
LOGIN=B9001
PW0="Init$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')Qz7"
PW1="Bench$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')Qz7"
printf '%s\n' "$PW0" | "$BIN" user add "$LOGIN" --name 压测管理员 --role admin --branch GD \
  --password-stdin --db "$DB" >"$TMP/useradd.log" 2>&1 || die "user add failed: $(cat "$TMP/useradd.log")"

free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  return 1
}
PORT=$(free_port) || die "no free port"
BASE="http://127.0.0.1:$PORT"
API="$BASE/api/v1"
# --test-mode only for /api/v1/_bench/static (the baseline of the GET ratio).
"$BIN" serve --listen "127.0.0.1:$PORT" --db "$DB" --test-mode >"$TMP/server.out" 2>"$TMP/server.err" &
SERVER_PID=$!
for _ in $(seq 1 300); do
  curl -fsS -o /dev/null --max-time 1 "$API/health" 2>/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || die "server exited: $(tail -20 "$TMP/server.err")"
  sleep 0.1
done
curl -fsS -o /dev/null --max-time 2 "$API/health" || die "server not healthy on $BASE"
THREADS_INFO=$(grep -o '[0-9]* threads' "$TMP/server.err" | head -1 || true)
log "server pid $SERVER_PID on $BASE ($THREADS_INFO)"

# Counting rows straight from the database file (read-only, WAL: does not
# disturb the server); "?" without the sqlite3 command.
sqlite_count() {
  if command -v sqlite3 >/dev/null 2>&1; then
    sqlite3 -readonly "$TMP/bench.db" "$1" 2>/dev/null || echo "?"
  else echo "?"; fi
}
# Anonymous RSS (heap, stacks): what the server allocates. VmRSS / VmHWM also
# count mapped file pages (shared libraries, and the database file if it is
# ever memory-mapped), which are not the server's doing.
rss_kb() { awk '/^RssAnon:/ { print $2 }' "/proc/$SERVER_PID/status"; }
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER_PID/status"; }
# Reset the peak-RSS counter (Linux >= 4.0); returns non-zero when not possible.
reset_hwm() { echo 5 2>/dev/null >"/proc/$SERVER_PID/clear_refs"; }

# ---------------------------------------------------------------- sign in
JAR=$TMP/cookies
CURL=(curl -sS --max-time 60 -b "$JAR" -c "$JAR")
json_post() { # path body -> body on stdout, status in $TMP/status
  "${CURL[@]}" -o "$TMP/resp" -w '%{http_code}' -H 'Content-Type: application/json' \
    -H "X-CSRF-Token: ${CSRF:-}" -X POST --data-binary "$2" "$API$1" >"$TMP/status"
  cat "$TMP/resp"
}
status() { cat "$TMP/status"; }

CSRF=""
body=$(json_post /auth/login "$(jq -nc --arg l "$LOGIN" --arg p "$PW0" '{login:$l,password:$p}')")
[ "$(status)" = 200 ] || die "login: $(status) $body"
CSRF=$(jq -r .csrf_token <<<"$body")
body=$(json_post /auth/password "$(jq -nc --arg o "$PW0" --arg n "$PW1" '{old_password:$o,new_password:$n}')")
[ "$(status)" = 200 ] || die "password change: $(status) $body"
CSRF=$(jq -r .csrf_token <<<"$body")
SESSION=$(awk '$6 == "hy_session" { print $7 }' "$JAR" | tail -1)
[ -n "$SESSION" ] || die "no hy_session cookie in $JAR"
log "signed in as $LOGIN (admin)"

# ---------------------------------------------------------------- import
log "import: uploading $CSV_BYTES bytes"
IMPORT_HWM="n/a"; reset_hwm && IMPORT_HWM=0
IMPORT_RSS0=$(rss_kb)
t0=$(now)
"${CURL[@]}" --max-time 600 -o "$TMP/resp" -w '%{http_code}' -H 'Content-Type: text/csv' \
  -H "X-CSRF-Token: $CSRF" --data-binary "@$CSV" "$API/imports?entity=customer" >"$TMP/status"
t1=$(now)
[ "$(status)" = 201 ] || die "upload: $(status) $(head -c 500 "$TMP/resp")"
IMPORT_ID=$(jq -r .import.id "$TMP/resp")
MAPPING=$(jq -c .import.suggested_mapping "$TMP/resp")
UPLOAD_S=$(elapsed "$t0" "$t1")
log "import $IMPORT_ID uploaded in ${UPLOAD_S}s; mapping $MAPPING"
body=$(json_post "/imports/$IMPORT_ID/run" "$(jq -nc --argjson m "$MAPPING" '{mapping:$m,dry_run:false,on_duplicate:"skip"}')")
[ "$(status)" = 202 ] || die "import run: $(status) $body"
deadline=$(( $(date +%s) + IMPORT_TIMEOUT ))
IMPORT_PEAK_KB=0
while :; do
  "${CURL[@]}" -o "$TMP/imp.json" "$API/imports/$IMPORT_ID"
  st=$(jq -r .import.status "$TMP/imp.json")
  r=$(rss_kb); [ "$r" -gt "$IMPORT_PEAK_KB" ] && IMPORT_PEAK_KB=$r
  [ "$st" != running ] && [ "$st" != uploaded ] && [ "$st" != queued ] && break
  [ "$(date +%s)" -lt "$deadline" ] || die "import still $st after ${IMPORT_TIMEOUT}s: $(cat "$TMP/imp.json")"
  sleep 0.2
done
t2=$(now)
RUN_S=$(elapsed "$t1" "$t2")
IMPORT_S=$(elapsed "$t0" "$t2")
IMPORT_CREATED=$(jq -r .import.created "$TMP/imp.json")
IMPORT_FAILED=$(jq -r .import.failed "$TMP/imp.json")
[ "$IMPORT_HWM" = 0 ] && IMPORT_HWM=$(hwm_kb)
[ "$st" = done ] || die "import ended $st: $(head -c 1000 "$TMP/imp.json")"
log "import done in ${IMPORT_S}s (upload ${UPLOAD_S}s + run ${RUN_S}s): created $IMPORT_CREATED, failed $IMPORT_FAILED"

# The import leaves a WAL that the background checkpointer copies back for
# a while afterwards; measure the counter workload on a settled database
# (as after a night-time import), not against that copy.
log "settling: checkpointing the import's WAL"
T0=$(date +%s.%N)
# A TRUNCATE checkpoint answers "busy|log frames|checkpointed frames"; busy 1
# means the server's own checkpointer or a reader held it up: try again
# until the WAL is empty (bounded).
for _ in $(seq 1 600); do
  ck=$(sqlite3 -cmd ".timeout 60000" "$TMP/bench.db" 'PRAGMA wal_checkpoint(TRUNCATE);' 2>/dev/null || echo "1|?|?")
  [ "${ck%%|*}" = 0 ] && break
  sleep 0.5
done
log "checkpoint: $ck; WAL now $(stat -c %s "$TMP/bench.db-wal" 2>/dev/null || echo 0) bytes"
log "settled in $(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')s"

# ---------------------------------------------------------------- ids and customer numbers
# Look up random generated phones to learn ids and customer numbers (one curl,
# keep-alive, many URLs).
log "collecting ids and customer numbers of $LOOKUPS customers"
shuf -n "$LOOKUPS" --random-source=<(yes "$SEED") "$SAMPLES/phones.txt" 2>/dev/null \
  | awk -v api="$API" '{ printf "url = \"%s/customers?q=%s&limit=1&count=none\"\n", api, $1 }' >"$TMP/lookups.cfg"
"${CURL[@]}" --max-time 300 -K "$TMP/lookups.cfg" \
  | jq -r '.items[0] | select(. != null) | "\(.id)\t\(.customer_no)"' >"$TMP/lookups.tsv"
cut -f1 "$TMP/lookups.tsv" >"$SAMPLES/customer_ids.txt"
cut -f2 "$TMP/lookups.tsv" >"$SAMPLES/customer_nos.txt"
FOUND=$(wc -l <"$SAMPLES/customer_ids.txt")
[ "$FOUND" -gt 0 ] || die "quick search by phone found none of the imported customers"
log "found $FOUND of $LOOKUPS"

# Size of one customer's JSON (mean over 50) for the static baseline.
head -50 "$SAMPLES/customer_ids.txt" | awk -v api="$API" '{ printf "url = \"%s/customers/%s\"\noutput = \"/dev/null\"\n", api, $1 }' >"$TMP/sizes.cfg"
DETAIL_BYTES=$("${CURL[@]}" -K "$TMP/sizes.cfg" -w '%{size_download}\n' | awk '{ s += $1; n++ } END { printf "%d", n ? s / n : 0 }')
echo "$DETAIL_BYTES" >"$SAMPLES/static_bytes.txt"
STATIC_CODE=$("${CURL[@]}" -o "$TMP/static.json" -w '%{http_code}' "$API/_bench/static?bytes=$DETAIL_BYTES")
if [ "$STATIC_CODE" = 200 ]; then
  BASELINE=static
  BASELINE_BYTES=$(stat -c %s "$TMP/static.json")
else
  BASELINE=health
  BASELINE_BYTES=$(curl -s "$API/health" | wc -c)
  log "WARNING: /api/v1/_bench/static answered $STATIC_CODE; the ratio uses /api/v1/health ($BASELINE_BYTES bytes vs $DETAIL_BYTES)"
fi

# ---------------------------------------------------------------- wrk
declare -A P50 P99 RPS ERRS
run_wrk() { # scenario
  local s=$1
  # A few seconds of the same requests first, not counted: the first
  # requests after a start or an import read pages into each connection's
  # cache and fill its statement cache, which a server that has been up
  # for a while has long done.
  if [ "$WARM" != 0 ] && [ "$WARM" != 0s ]; then
    HY_SAMPLES=$SAMPLES HY_SESSION=$SESSION HY_CSRF=$CSRF timeout 120 \
      wrk -t"$WT" -c"$WC" -d"$WARM" --timeout 10s -s "bench/wrk/$s.lua" "$BASE" >/dev/null 2>&1 || true
  fi
  log "wrk $s (-t$WT -c$WC -d$DUR, after ${WARM} of warm-up)"
  HY_SAMPLES=$SAMPLES HY_SESSION=$SESSION HY_CSRF=$CSRF timeout 300 \
    wrk -t"$WT" -c"$WC" -d"$DUR" --timeout 10s --latency -s "bench/wrk/$s.lua" "$BASE" >"$TMP/wrk-$s.txt" 2>&1 \
    || die "wrk $s failed: $(tail -5 "$TMP/wrk-$s.txt")"
  local line
  line=$(sed -n 's/^HYBENCH //p' "$TMP/wrk-$s.txt")
  [ -n "$line" ] || die "no HYBENCH line from $s: $(tail -5 "$TMP/wrk-$s.txt")"
  P50[$s]=$(jq -r .p50_ms <<<"$line")
  P99[$s]=$(jq -r .p99_ms <<<"$line")
  RPS[$s]=$(jq -r .rps <<<"$line")
  ERRS[$s]=$(jq -r '.err_status + .err_timeout + .err_connect + .err_read + .err_write' <<<"$line")
  log "  $s: p50 ${P50[$s]} ms, p99 ${P99[$s]} ms, ${RPS[$s]} req/s, errors ${ERRS[$s]}"
}
SCEN=(q_phone q_last4 q_customer_no q_id_number q_name_frag q_initials get_customer "$BASELINE")
if [ "${BENCH_SKIP_WRK:-0}" != 1 ]; then
  for s in "${SCEN[@]}"; do run_wrk "$s"; done
else
  for s in "${SCEN[@]}"; do P50[$s]=0; P99[$s]=0; RPS[$s]=0; ERRS[$s]=0; done
fi
# Issue 4: a business record with a follow-up task, over HTTP (each request
# is its own transaction: interaction + task + profile figures, one commit).
INTER_BEFORE=$(sqlite_count "SELECT COUNT(*) FROM interactions")
if [ "${BENCH_SKIP_WRK:-0}" != 1 ]; then run_wrk post_interaction; else P50[post_interaction]=0; P99[post_interaction]=0; RPS[post_interaction]=0; ERRS[post_interaction]=0; fi
INTER_AFTER=$(sqlite_count "SELECT COUNT(*) FROM interactions")
RATIO=$(awk -v a="${RPS[get_customer]}" -v b="${RPS[$BASELINE]}" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')

# ---------------------------------------------------------------- export
COLUMNS='["customer_no","name","phone","id_number","gender","birthday","address","region","occupation","level","tags"]'
declare -A EXP_S EXP_DL_S EXP_BYTES EXP_ROWS EXP_RSS0 EXP_PEAK EXP_HWM
run_export() { # label format filter-json-or-null
  local label=$1 fmt=$2 filter=$3 id st t0 t1 t2 peak r body hwm_ok=0
  log "export $label ($fmt)"
  reset_hwm && hwm_ok=1
  EXP_RSS0[$label]=$(rss_kb)
  peak=${EXP_RSS0[$label]}
  t0=$(now)
  body=$(json_post /exports "$(jq -nc --arg f "$fmt" --argjson c "$COLUMNS" --argjson flt "$filter" \
    '{entity:"customer",format:$f,columns:$c} + (if $flt == null then {} else {filter:$flt} end)')")
  [ "$(status)" = 202 ] || die "export $label: $(status) $body"
  id=$(jq -r .export.id <<<"$body")
  local deadline=$(( $(date +%s) + EXPORT_TIMEOUT ))
  while :; do
    "${CURL[@]}" -o "$TMP/exp.json" "$API/exports/$id"
    st=$(jq -r .export.status "$TMP/exp.json")
    r=$(rss_kb); [ "$r" -gt "$peak" ] && peak=$r
    [ "$st" != running ] && [ "$st" != queued ] && break
    [ "$(date +%s)" -lt "$deadline" ] || die "export $label still $st after ${EXPORT_TIMEOUT}s"
    sleep 0.1
  done
  t1=$(now)
  [ "$st" = done ] || die "export $label ended $st: $(cat "$TMP/exp.json")"
  "${CURL[@]}" --max-time 600 -o "$TMP/export.$fmt" "$API/exports/$id/download"
  t2=$(now)
  EXP_S[$label]=$(elapsed "$t0" "$t1")
  EXP_DL_S[$label]=$(elapsed "$t1" "$t2")
  EXP_BYTES[$label]=$(stat -c %s "$TMP/export.$fmt")
  if [ "$fmt" = csv ]; then
    EXP_ROWS[$label]=$(( $(wc -l <"$TMP/export.csv") - 1 ))
  else
    EXP_ROWS[$label]=$(jq -r '.export.processed // .export.total // "?"' "$TMP/exp.json")
  fi
  EXP_PEAK[$label]=$peak
  if [ $hwm_ok = 1 ]; then EXP_HWM[$label]=$(hwm_kb); else EXP_HWM[$label]="n/a"; fi
  rm -f "$TMP/export.$fmt"
  log "  $label: ${EXP_S[$label]}s (+ download ${EXP_DL_S[$label]}s), ${EXP_ROWS[$label]} rows, ${EXP_BYTES[$label]} bytes, RSS ${EXP_RSS0[$label]} -> peak ${EXP_PEAK[$label]} kB (VmHWM ${EXP_HWM[$label]})"
}
if [ "${BENCH_SKIP_EXPORT:-0}" != 1 ]; then
  TENTH='{"field":"level","op":"eq","value":"高价值"}'
  run_export csv_10pct csv "$TENTH"
  run_export csv_all csv null
  run_export xlsx_10pct xlsx "$TENTH"
  run_export xlsx_all xlsx null
fi

# ---------------------------------------------------------------- reminder pass (issue 4)
# The server already ran today's pass on the empty database at start (the
# scheduler runs it every 30 s), so move the test-mode clock one day forward
# and run the pass for that day over all customers: birthdays in 3 days,
# 协议到期日 in 30 days, 理财产品到期日 in 7 days, the quarterly visits rule,
# then the figures refresh. If the scheduler wins the race for that day
# (created 0), try the next day (at most 3 times).
bearer_post() { # path body
  json_post "$1" "$2"
}
REM_S="n/a"; REM_CREATED="n/a"; REM_DAY="n/a"
BDAY_EXPECTED="?"; AGR_EXPECTED="?"; MAT_EXPECTED="?"
if [ "${BENCH_SKIP_REMINDERS:-0}" != 1 ]; then
  for attempt in 1 2 3; do
    body=$(bearer_post /_test/clock '{"advance_seconds":86400}')
    [ "$(status)" = 200 ] || die "test clock: $(status) $body"
    REM_DAY=$(jq -r .now <<<"$body" | cut -c1-10)
    log "reminder pass for $REM_DAY (attempt $attempt)"
    t0=$(now)
    body=$(bearer_post /reminder-rules/run '{}')
    t1=$(now)
    [ "$(status)" = 200 ] || die "reminder run: $(status) $body"
    REM_S=$(elapsed "$t0" "$t1")
    REM_CREATED=$(jq -r .created <<<"$body")
    log "  reminder pass: ${REM_S}s, created $REM_CREATED tasks"
    [ "$REM_CREATED" != 0 ] && break
  done
  bday=$(date -d "$REM_DAY + 3 days" +%m-%d); agr=$(date -d "$REM_DAY + 30 days" +%F); mat=$(date -d "$REM_DAY + 7 days" +%F)
  BDAY_EXPECTED=$(sqlite_count "SELECT COUNT(*) FROM customers WHERE substr(birthday, 6, 5) = '$bday'")
  AGR_EXPECTED=$(sqlite_count "SELECT COUNT(*) FROM customers WHERE json_extract(custom, '\$.agreement_end') = '$agr'")
  MAT_EXPECTED=$(sqlite_count "SELECT COUNT(*) FROM customers WHERE json_extract(custom, '\$.product_maturity') = '$mat'")
fi
DB_BYTES=$(du -cb "$TMP"/bench.db* | tail -1 | cut -f1)

# ---------------------------------------------------------------- report
pass() { awk -v v="$1" -v t="$2" -v dir="${3:-lt}" 'BEGIN { ok = (dir == "lt") ? (v < t) : (v >= t); print ok ? "pass" : "FAIL" }'; }
COMMIT=${BENCH_COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}
DIRTY=$(git status --porcelain -- src 2>/dev/null | head -1 || true)
CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)
MEM=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
mkdir -p "$(dirname "$OUT")"
{
  echo "# Hongyan benchmark results — $DATE"
  echo
  echo "- commit: \`$COMMIT\`${DIRTY:+ (with uncommitted changes in src/)}; release build (\`make build/hongyan\`, -O2), SQLite"
  echo "- machine: $CPU, $(nproc) CPUs, $MEM; server and wrk on the same machine over 127.0.0.1"
  echo "- server: \`hongyan serve --test-mode\` ($THREADS_INFO); every request logged to a file, as in production"
  echo "- data: $N customers from \`bench/gen_customers $N $SEED\` ($CSV_BYTES bytes of CSV, generated in ${GEN_S}s)"
  echo "- wrk: \`-t$WT -c$WC -d$DUR --timeout 10s --latency\` after an unmeasured \`-d$WARM\` warm-up run of the same scenario, signed-in admin session cookie (admin: no branch filter narrows the search), values drawn at random from up to 5000 samples per scenario (ids / customer numbers: $FOUND looked up after the import)"
  echo
  echo "## Quick search and detail (wrk)"
  echo
  echo "| scenario | request | p50 ms | p99 ms | target p99 | result | req/s | errors |"
  echo "|---|---|---:|---:|---:|---|---:|---:|"
  row() { # scenario request target
    local t=$3 res="—"
    [ "$t" != "—" ] && res=$(pass "${P99[$1]}" "$t")
    echo "| $1 | $2 | ${P50[$1]} | ${P99[$1]} | ${t/#/< } | $res | ${RPS[$1]} | ${ERRS[$1]} |" | sed 's/< —/—/'
  }
  row q_phone "GET /customers?q=<11-digit mobile>" 5
  row q_customer_no "GET /customers?q=<customer_no>" 5
  row q_id_number "GET /customers?q=<18-char ID>" 5
  row q_last4 "GET /customers?q=<last 4 digits>" —
  row q_name_frag "GET /customers?q=<2 Chinese chars>" 50
  row q_initials "GET /customers?q=<pinyin initials>" 50
  row get_customer "GET /customers/<id> (${DETAIL_BYTES} B)" —
  row post_interaction "POST /customers/<id>/interactions with follow_up (API key)" —
  if [ "$BASELINE" = static ]; then
    row static "GET /_bench/static?bytes=$DETAIL_BYTES ($BASELINE_BYTES B)" —
  else
    row health "GET /health ($BASELINE_BYTES B — NOT the same size)" —
  fi
  echo
  echo "GET one customer ÷ $BASELINE: **$RATIO** (target ≥ 0.30) → $(pass "$RATIO" 0.30 ge)"
  echo
  echo "Business records with a follow-up over HTTP: **${RPS[post_interaction]}/s** (target ≥ 2000/s) → $(pass "${RPS[post_interaction]}" 2000 ge); interactions in the database $INTER_BEFORE → $INTER_AFTER"
  if [ "$BASELINE" != static ]; then
    echo
    echo "> The server has no \`/api/v1/_bench/static\` route yet, so the baseline is \`/api/v1/health\`,"
    echo "> a ${BASELINE_BYTES}-byte unauthenticated response instead of a ${DETAIL_BYTES}-byte one: the ratio is pessimistic."
  fi
  echo
  echo "## Import (CSV → import API)"
  echo
  echo "| step | seconds | target | result |"
  echo "|---|---:|---:|---|"
  echo "| upload $CSV_BYTES bytes | $UPLOAD_S | | |"
  echo "| run (until status done) | $RUN_S | | |"
  echo "| **total** | **$IMPORT_S** | < 30 | $(pass "$IMPORT_S" 30) |"
  echo
  ihwm=$IMPORT_HWM; [ "$ihwm" != n/a ] && ihwm=$(( ihwm / 1024 ))
  echo "created $IMPORT_CREATED, failed $IMPORT_FAILED; server RssAnon $(( IMPORT_RSS0 / 1024 )) MiB before, peak ≈ $(( IMPORT_PEAK_KB / 1024 )) MiB (sampled; the import's page cache is 256 MiB), VmHWM $ihwm MiB; database after the run $(( DB_BYTES / 1048576 )) MiB"
  if [ "${BENCH_SKIP_EXPORT:-0}" != 1 ]; then
    echo
    echo "## Export (export API, all columns)"
    echo
    echo "| export | rows | seconds (to done) | download s | bytes | target | result | RssAnon before MiB | peak RssAnon MiB (sampled) | VmHWM MiB |"
    echo "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|"
    for l in csv_10pct csv_all xlsx_10pct xlsx_all; do
      t="—"; res="—"
      [ $l = csv_all ] && t=20 && res=$(pass "${EXP_S[$l]}" 20)
      [ $l = xlsx_all ] && t=60 && res=$(pass "${EXP_S[$l]}" 60)
      hwm=${EXP_HWM[$l]}; [ "$hwm" != n/a ] && hwm=$(( hwm / 1024 ))
      echo "| $l | ${EXP_ROWS[$l]} | ${EXP_S[$l]} | ${EXP_DL_S[$l]} | ${EXP_BYTES[$l]} | ${t/#/< } | $res | $(( EXP_RSS0[$l] / 1024 )) | $(( EXP_PEAK[$l] / 1024 )) | $hwm |" | sed 's/< —/—/'
    done
    echo
    echo "Constant memory: the peak anonymous RSS of the full export should not exceed the 10% export's by more"
    echo "than a few MiB. RssAnon is sampled every 0.1 s; VmHWM (reset before each export through"
    echo "/proc/<pid>/clear_refs) also counts mapped file pages (shared libraries)."
    d_csv=$(( (EXP_PEAK[csv_all] - EXP_PEAK[csv_10pct]) / 1024 ))
    d_xlsx=$(( (EXP_PEAK[xlsx_all] - EXP_PEAK[xlsx_10pct]) / 1024 ))
    echo "Peak RSS, all minus 10%: CSV ${d_csv} MiB, XLSX ${d_xlsx} MiB."
  fi
  echo
  echo "## Daily reminder pass (issue 4)"
  echo
  echo "| pass for | seconds | target | result | tasks created | birthdays in 3 days | 协议到期 in 30 days | 理财到期 in 7 days |"
  echo "|---|---:|---:|---|---:|---:|---:|---:|"
  rres="—"; [ "$REM_S" != n/a ] && rres=$(pass "$REM_S" 10)
  echo "| $REM_DAY | $REM_S | < 10 | $rres | $REM_CREATED | $BDAY_EXPECTED | $AGR_EXPECTED | $MAT_EXPECTED |"
  echo
  echo "\`POST /api/v1/reminder-rules/run\` after moving the test-mode clock one day on (\`POST /_test/clock\`): all enabled rules for that day over all customers, then the figures refresh of customers seen in the last year."
  echo
  echo "Raw wrk output and server logs are in the temp dir when run with BENCH_KEEP=1."
} >"$OUT"
echo
cat "$OUT"
log "results written to $OUT"
