#!/usr/bin/env bash
# Report builder bench (issue 19): a saved report "fee and pieces by month
# × product over the last twelve months" (source waybills_month) run by an
# admin (every branch), a supervisor (one branch) and a manager (their own
# enterprises), GET /reports/{id}/data with wrk, over BENCH_E enterprises
# (default 100,000; bench/gen_enterprises.awk) and their
# enterprise × month × product rollups (waybill_rollups_month, dim
# 'product'), the rows that ingesting BENCH_W waybills an enterprise
# (default 100: 10 million) over 13 months leaves there. Only those rows
# are generated, by SQL: the report reads nothing else (the day rollups,
# the detailed rows and the waybills themselves are not made).
# Prints p50 / p99 of wrk and of the server's own request log and writes
# bench/results-<date>-reports.md.
#   bash bench/reports.sh
# Knobs: BENCH_E, BENCH_W, BENCH_DURATION (5s), BENCH_WARMUP (1s),
# BENCH_THREADS (1), BENCH_CONNECTIONS (1: one user at a time, as ROUTE_HEAVY
# answers a second request of the same user 429 while one runs), BENCH_LIMIT_MS,
# BENCH_KEEP=1, BENCH_OUT.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
E=${BENCH_E:-100000}; W=${BENCH_W:-100}
DUR=${BENCH_DURATION:-5s}; WARM=${BENCH_WARMUP:-1s}
WT=${BENCH_THREADS:-1}; WC=${BENCH_CONNECTIONS:-1}
OUT=${BENCH_OUT:-bench/results-$(date +%Y-%m-%d)-reports.md}
BIN=$ROOT/build/hongyan
log() { printf '[bench-r %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
for tool in curl jq wrk awk sqlite3; do command -v "$tool" >/dev/null || die "$tool is required"; done

make -s build/hongyan >&2
. bench/lib.sh
. bench/session.sh
bench_scratch hy-bench-r
DB="sqlite:$TMP/bench.db"
"$BIN" demo --db "$DB" --customers 0 --enterprises 0 >"$TMP/demo.log" 2>&1 || die "demo: $(tail -3 "$TMP/demo.log")"
printf 'Init%sQz7\n' "$RANDOM$RANDOM" >"$TMP/pw"
for u in "B9291 admin GD" "B9292 supervisor GD-GZ-01" "B9293 manager GD-GZ-01"; do
  set -- $u
  "$BIN" user add "$1" --name "压测$2" --role "$2" --branch "$3" --password-stdin --db "$DB" <"$TMP/pw" >/dev/null 2>&1
done
BR=$(sqlite3 "$TMP/bench.db" "SELECT id || ':' || path FROM branches WHERE level = 'branch' ORDER BY id" | tr '\n' ' ')
log "generating $E enterprises (SQL)"
awk -v N="$E" -v C=0 -v S="$S" -v BRANCHES="$BR" -f bench/gen_enterprises.awk | sqlite3 "$TMP/bench.db"
MANAGER=$(sqlite3 "$TMP/bench.db" "SELECT id FROM users WHERE login = 'B9293'")
MBR=$(sqlite3 "$TMP/bench.db" "SELECT branch_id FROM users WHERE login = 'B9293'")
sqlite3 "$TMP/bench.db" "UPDATE enterprises SET owner_id = $MANAGER WHERE id IN
  (SELECT id FROM enterprises WHERE branch_id = $MBR ORDER BY id LIMIT $((E / 100)));"
TODAY=$(( ($(date +%s) + 8 * 3600) / 86400 ))
log "generating the month × product rollups of $W waybills an enterprise over 13 months (SQL)"
t0=$(date +%s.%N)
# W waybills an enterprise over 13 months of 6 products: 78 month × product
# cells, each holding W / 78 of them on average (a cell is left out where
# the hash says so, so that enterprises differ); pieces summed per cell.
sqlite3 "$TMP/bench.db" "
  WITH RECURSIVE m(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM m WHERE k < 12),
  p(j, name) AS (VALUES (0, 'standard'), (1, 'economy'), (2, 'heavy'), (3, 'cold_chain'),
                        (4, 'medical'), (5, 'international')),
  months(k, first) AS (SELECT k, CAST(strftime('%s', date(($TODAY - 31 * k) * 86400, 'unixepoch',
                        'start of month')) AS INTEGER) / 86400 FROM m)
  INSERT INTO waybill_rollups_month (enterprise_id, month, dim, value, pieces, weight_g, fee_fen)
  SELECT e.id, months.first, 'product', p.name,
         1 + (e.id * 7 + months.k * 13 + p.j * 31) % ($W * 2 / 78 + 1),
         1500, (1 + (e.id * 7 + months.k * 13 + p.j * 31) % ($W * 2 / 78 + 1)) * (1200 + p.j * 350)
  FROM enterprises e, months, p
  WHERE (e.id * 5 + months.k * 3 + p.j) % 10 < 8
  ORDER BY 1, 2, 3, 4;
  ANALYZE;"
ROWS=$(sqlite3 "$TMP/bench.db" "SELECT COUNT(*) || ' rows, ' || SUM(pieces) || ' pieces' FROM waybill_rollups_month")
SIZE=$(du -m "$TMP/bench.db" | cut -f1)
log "rollups loaded in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')s: $ROWS; database ${SIZE} MB"

FROM=$(date -u -d "@$(( (TODAY - 365) * 86400 ))" +%Y-%m-%d)
DEF=$(jq -nc --arg from "$FROM" '{source: "waybills_month",
  dimensions: [{field: "month", grain: "month"}, {field: "product"}],
  measures: [{fn: "sum", field: "fee", as: "fee"}, {fn: "sum", field: "pieces", as: "pieces"}],
  filter: {field: "month", op: "gte", value: $from}, chart: {type: "bar"}}')
pct() { sort -n | awk -v p="$1" '{ v[NR] = $1 } END { if (!NR) { print "n/a"; exit } i = int(NR * p + 0.5); if (i < 1) i = 1; print v[i] }'; }

PORT=$(( 20000 + RANDOM % 40000 ))
BASE="http://127.0.0.1:$PORT"
# The statement limits raised (BENCH_LIMIT_MS, default 60 s) so that a
# report slower than the default cut is measured rather than answered 503.
LIMIT_MS=${BENCH_LIMIT_MS:-60000}
HONGYAN_STATEMENT_TIMEOUT_MS=$LIMIT_MS HONGYAN_REPORT_TIMEOUT_MS=$LIMIT_MS \
  "$BIN" serve --listen "127.0.0.1:$PORT" --db "$DB" >"$TMP/server.out" 2>"$TMP/server.err" &
SERVER_PID=$!
for _ in $(seq 1 1200); do curl -fsS -o /dev/null --max-time 1 "$BASE/api/v1/health" 2>/dev/null && break; sleep 0.5; done
curl -fsS -o /dev/null "$BASE/api/v1/health" || die "the server did not start: $(tail -3 "$TMP/server.err")"
declare -A SESS CSRFS
for who in B9291 B9292 B9293; do
  read -r SESS[$who] CSRFS[$who] < <(bench_session "$BASE" "$who" "$(cat "$TMP/pw")") || die "no session for $who"
done
# the report, saved by the admin and shared with every role
ID=$(curl -fsS -H "Cookie: hy_session=${SESS[B9291]}" -H "X-CSRF-Token: ${CSRFS[B9291]}" -H 'Content-Type: application/json' \
  --data "$(jq -nc --argjson d "$DEF" '{name: "月份×产品", definition: $d, shared: {roles: ["manager", "supervisor"]}}')" \
  "$BASE/api/v1/reports" | jq -r .id)
[ -n "$ID" ] && [ "$ID" != null ] || die "the report was not saved"
t1=$(date +%s.%N)
GROUPS_ADMIN=$(curl -fsS --max-time 120 -H "Cookie: hy_session=${SESS[B9291]}" "$BASE/api/v1/reports/$ID/data" | jq '.rows | length') ||
  die "the admin's report failed: $(tail -3 "$TMP/server.err")"
FIRST_MS=$(awk -v a="$t1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", (b - a) * 1000 }')
log "the admin's first run: $GROUPS_ADMIN groups in $FIRST_MS ms"

declare -a NAMES
declare -A P50 P99 RPS SP50 SP99 CODES WHO
for who in "admin B9291" "supervisor B9292" "manager B9293"; do
  set -- $who; NAMES+=("$1"); WHO[$1]=$2
done
for n in "${NAMES[@]}"; do
  who=${WHO[$n]}
  HY_PATH="/api/v1/reports/$ID/data" HY_SESSION=${SESS[$who]} HY_CSRF=${CSRFS[$who]} timeout 120 wrk -t"$WT" -c"$WC" -d"$WARM" \
    -s bench/wrk/d_path.lua "$BASE" >/dev/null 2>&1 || true
  MARK=$(wc -l <"$TMP/server.err")
  HY_PATH="/api/v1/reports/$ID/data" HY_SESSION=${SESS[$who]} HY_CSRF=${CSRFS[$who]} timeout 600 wrk -t"$WT" -c"$WC" -d"$DUR" --latency \
    --timeout 30s -s bench/wrk/d_path.lua "$BASE" >"$TMP/wrk.txt" 2>&1 || die "wrk $n failed"
  line=$(sed -n 's/^HYBENCH //p' "$TMP/wrk.txt")
  P50[$n]=$(jq -r .p50_ms <<<"$line"); P99[$n]=$(jq -r .p99_ms <<<"$line"); RPS[$n]=$(jq -r .rps <<<"$line")
  # the server's time of its answers (200) and cut statements (503), not of
  # the 429s ROUTE_HEAVY gives a user's second request while one runs
  tail -n +"$((MARK + 1))" "$TMP/server.err" | sed -n 's/.*GET \/api\/v1\/reports\/.* \(200\|503\) \([0-9.]*\)ms$/\2/p' >"$TMP/ms.txt"
  CODES[$n]=$(tail -n +"$((MARK + 1))" "$TMP/server.err" | sed -n 's/.*GET \/api\/v1\/reports\/.* \([0-9][0-9][0-9]\) [0-9.]*ms$/\1/p' | sort | uniq -c | awk '{ printf "%s%s×%s", (NR > 1 ? " " : ""), $2, $1 }')
  SP50[$n]=$(pct 0.5 <"$TMP/ms.txt"); SP99[$n]=$(pct 0.99 <"$TMP/ms.txt")
  log "  $n: wrk p50 ${P50[$n]} ms, p99 ${P99[$n]} ms; server p50 ${SP50[$n]} ms, p99 ${SP99[$n]} ms (${CODES[$n]})"
done

{
  echo "# Report builder bench (issue 19), $(date -u +%Y-%m-%d\ %H:%M) UTC"
  echo
  echo "Commit \`$(git rev-parse --short HEAD)\`, release build, SQLite, one run. $E enterprises"
  echo "(bench/gen_enterprises.awk) with the month × product rollups of about $W waybills each over"
  echo "13 months: $ROWS in \`waybill_rollups_month\` (dim product; written by SQL, see the"
  echo "script's head), database ${SIZE} MB."
  echo "The report: \`$DEF\` ($GROUPS_ADMIN groups for the admin), saved and shared, read with"
  echo "GET /api/v1/reports/{id}/data (the admin's first run: $FIRST_MS ms). Statement limits raised to $LIMIT_MS ms"
  echo "for the bench (the default request limit, 5 s, cuts the admin's run: 503 query_timeout)."
  echo "The supervisor sees one branch"
  echo "($(sqlite3 "$TMP/bench.db" "SELECT COUNT(*) FROM enterprises WHERE branch_id = $MBR") enterprises), the manager their"
  echo "$(sqlite3 "$TMP/bench.db" "SELECT COUNT(*) FROM enterprises WHERE owner_id = $MANAGER")."
  echo "\`wrk -t$WT -c$WC -d$DUR\` after $WARM of warm-up per line; the server's times are from its request log."
  echo "Machine: 2 cores shared with other work (load average at the end: $(cut -d' ' -f1-3 /proc/loadavg))."
  echo
  echo "| viewer | wrk p50 / p99 ms | server p50 / p99 ms | req/s | answers (status×n) |"
  echo "|---|---|---|---|---|"
  for n in "${NAMES[@]}"; do
    echo "| $n | ${P50[$n]} / ${P99[$n]} | ${SP50[$n]} / ${SP99[$n]} | ${RPS[$n]} | ${CODES[$n]} |"
  done
} >"$OUT"
cat "$OUT"
