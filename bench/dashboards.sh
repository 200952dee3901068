#!/usr/bin/env bash
# Dashboards bench (issue 19): the built-in dashboards of 统计分析 over
# BENCH_E enterprises (default 100,000) with the waybill rollups of
# BENCH_W waybills each (default 100: 10 million waybills) spread over the
# last 13 months, written straight into waybill_rollups by SQL. The
# dashboards read only the rollups, never the waybills, so the waybills
# themselves are not generated: a rollup row is what ingesting them would
# have left (one row per enterprise × day × department × product ×
# province × channel; at 100 waybills an enterprise over 395 days nearly
# every waybill is a row of its own, pieces summed where two meet), the
# same rows the dashboards read after a real ingest of that many.
# The coarser rollups the ingest keeps beside them (waybill_rollups_day,
# waybill_rollups_month) are filled from those rows with migration 0030's
# own SQL, as a real ingest would have left them.
# (The after binary reads the snapshots of migrations 0034 and 0044; a
# product slice is still summed at the request.)
# Each dashboard endpoint is asked for with wrk by an admin (every branch),
# a supervisor (one branch tree) and a manager (their own enterprises);
# prints p50 / p99 of wrk and of the server's own request log, and writes
# bench/results-<date>-dashboards.md. BENCH_BEFORE_BIN=<a hongyan binary>
# (e.g. a release build of main) measures it first on the same data, and
# the table shows both; the binary here then makes the health snapshot
# (POST /dashboards/refresh, timed) before it is measured.
#   bash bench/dashboards.sh
# Knobs: BENCH_E, BENCH_W, BENCH_T (tickets, default 10 an enterprise), BENCH_DURATION (5s), BENCH_WARMUP (1s),
# BENCH_THREADS (1), BENCH_CONNECTIONS (2), BENCH_KEEP=1, BENCH_OUT, BENCH_BEFORE_BIN.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
E=${BENCH_E:-100000}; W=${BENCH_W:-100}
DUR=${BENCH_DURATION:-5s}; WARM=${BENCH_WARMUP:-1s}
WT=${BENCH_THREADS:-1}; WC=${BENCH_CONNECTIONS:-2}
OUT=${BENCH_OUT:-bench/results-$(date +%Y-%m-%d)-dashboards.md}
BIN=$ROOT/build/hongyan
log() { printf '[bench-d %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
for tool in curl jq wrk awk sqlite3; do command -v "$tool" >/dev/null || die "$tool is required"; done

make -s build/hongyan >&2
. bench/lib.sh
bench_scratch hy-bench-d
DB="sqlite:$TMP/bench.db"
# The database is made by the before binary when there is one, so that it
# does not meet migrations it does not know; this one adds its own when it
# serves.
MAKER=${BENCH_BEFORE_BIN:-$BIN}
"$MAKER" demo --db "$DB" --customers 0 --enterprises 0 >"$TMP/demo.log" 2>&1 || die "demo: $(tail -3 "$TMP/demo.log")"
printf 'Init%sQz7\n' "$RANDOM$RANDOM" >"$TMP/pw"
. bench/session.sh
for u in "B9191 admin GD" "B9192 supervisor GD-GZ-01" "B9193 manager GD-GZ-01"; do
  set -- $u
  "$MAKER" user add "$1" --name "压测$2" --role "$2" --branch "$3" --password-stdin --db "$DB" <"$TMP/pw" >/dev/null 2>&1
done
BR=$(sqlite3 "$TMP/bench.db" "SELECT id || ':' || path FROM branches WHERE level = 'branch' ORDER BY id" | tr '\n' ' ')
log "generating $E enterprises (SQL)"
awk -v N="$E" -v C=0 -v S="$S" -v BRANCHES="$BR" -f bench/gen_enterprises.awk | sqlite3 "$TMP/bench.db"
# industries, regions and a manager's hundredth: the dimensions the figures group by
MANAGER=$(sqlite3 "$TMP/bench.db" "SELECT id FROM users WHERE login = 'B9193'")
MBR=$(sqlite3 "$TMP/bench.db" "SELECT branch_id FROM users WHERE login = 'B9193'")
sqlite3 "$TMP/bench.db" "UPDATE enterprises SET industry = substr('ACFGHIJKLMS', 1 + id % 11, 1),
  region = CASE id % 5 WHEN 0 THEN '广东省/广州市/天河区' WHEN 1 THEN '广东省/深圳市/南山区'
    WHEN 2 THEN '广东省/佛山市/禅城区' WHEN 3 THEN '广东省/东莞市/南城区' ELSE '广东省/珠海市/香洲区' END;
  UPDATE enterprises SET owner_id = $MANAGER WHERE id IN
    (SELECT id FROM enterprises WHERE branch_id = $MBR ORDER BY id LIMIT $((E / 100)));"
TODAY=$(( ($(date +%s) + 8 * 3600) / 86400 ))
log "generating the rollups of $W waybills an enterprise over 395 days (SQL)"
t0=$(date +%s.%N)
# Dormant (an eighth stop 31-120 days ago) and falling (an eighth ship a
# third as much in the last 90 days) enterprises beside steady ones.
sqlite3 "$TMP/bench.db" "DROP INDEX waybill_rollups_by_day;
  WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n < $W - 1),
  w AS (SELECT e.id AS ent, (e.id * 7919 + k.n * 104729 + k.n * k.n * 31) % 395 AS back, k.n AS n
        FROM enterprises e, k)
  INSERT INTO waybill_rollups (enterprise_id, day, department_id, product, dest_province, channel, pieces, weight_g, fee_fen)
  SELECT ent, $TODAY - back, 0,
    CASE (ent + n) % 6 WHEN 0 THEN 'standard' WHEN 1 THEN 'economy' WHEN 2 THEN 'heavy'
      WHEN 3 THEN 'cold_chain' WHEN 4 THEN 'medical' ELSE 'international' END,
    CASE (ent * 3 + n) % 4 WHEN 0 THEN '北京市' WHEN 1 THEN '上海市' WHEN 2 THEN '广东省' ELSE '浙江省' END,
    CASE n % 3 WHEN 0 THEN 'api' WHEN 1 THEN 'pc' ELSE 'counter' END,
    1, 1500, 1200 + (n % 7) * 350
  FROM w
  WHERE NOT (ent % 8 = 0 AND back < 31 + ent % 90) AND NOT (ent % 8 = 1 AND back < 90 AND n % 3 <> 0)
  ORDER BY 1, 2
  ON CONFLICT (enterprise_id, day, department_id, product, dest_province, channel) DO UPDATE SET pieces = pieces + 1, weight_g = weight_g + 1500, fee_fen = fee_fen + excluded.fee_fen;
  CREATE INDEX waybill_rollups_by_day ON waybill_rollups(day, enterprise_id, product, pieces, fee_fen);
  ANALYZE;"
log "filling waybill_rollups_day and waybill_rollups_month from them (migration 0030's SQL)"
{
  echo "DELETE FROM waybill_rollups_day; DELETE FROM waybill_rollups_month;"
  sed -n '/^INSERT INTO waybill_rollups_day/,/;$/p; /^INSERT INTO waybill_rollups_month/,/;$/p' \
    src/db/migrations/sqlite/0030_waybill_figures.sql
  echo "ANALYZE;"
} | sqlite3 "$TMP/bench.db"
ROWS=$(sqlite3 "$TMP/bench.db" "SELECT COUNT(*) || ' rows, ' || SUM(pieces) || ' pieces' FROM waybill_rollups")
DAYROWS=$(sqlite3 "$TMP/bench.db" "SELECT COUNT(*) FROM waybill_rollups_day")
MONTHROWS=$(sqlite3 "$TMP/bench.db" "SELECT COUNT(*) FROM waybill_rollups_month")
SIZE=$(du -m "$TMP/bench.db" | cut -f1)
log "rollups loaded in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')s: $ROWS; database ${SIZE} MB"

# Service tickets for 服务效率: BENCH_T (default ten an enterprise: a
# million) logged over the last 395 days, in each enterprise's branch and
# with its manager (the bench manager's hundredth, others unassigned, as
# the queue leaves them), answered after 1-120 minutes, nine in ten
# resolved (one in five after a second reply, one in twenty reopened, one
# in eight late), four in ten rated; one reply entry each (two for the
# second replies), the entries the first-contact resolution counts.
T=${BENCH_T:-$((E * 10))}
log "generating $T tickets with their reply entries (SQL)"
t0=$(date +%s.%N)
NOWS=$(date +%s)
sqlite3 "$TMP/bench.db" "BEGIN;
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $T),
  x AS (SELECT i, 1 + (i * 7919) % $E AS ent, $NOWS - (i * 104729) % (395 * 86400) AS at FROM n)
  INSERT INTO tickets (ticket_no, type, priority, subject, channel, enterprise_id, status, tier, calendar,
      assignee_id, branch_id, branch_path, first_response_at, resolved_at, first_response_breached_at,
      reopen_count, csat, nps, survey_at, created_at, updated_at)
  SELECT printf('B%010d', i), 'inquiry', 'normal', 'bench ' || i, 'phone', e.id,
    CASE WHEN i % 10 = 0 THEN 'in_progress' ELSE 'resolved' END, 'vip', '24x7', e.owner_id, e.branch_id, b.path,
    at + 60 + (i * 31) % 7140,
    CASE WHEN i % 10 = 0 THEN NULL ELSE at + 7200 + (i * 17) % 86400 END,
    CASE WHEN i % 8 = 0 THEN at + 900 ELSE NULL END,
    CASE WHEN i % 20 = 1 THEN 1 ELSE 0 END,
    CASE WHEN i % 10 IN (1, 2, 3, 4) THEN 1 + i % 5 END, CASE WHEN i % 10 IN (1, 2, 3, 4) THEN i % 11 END,
    CASE WHEN i % 10 IN (1, 2, 3, 4) THEN at + 90000 END, at, at
  FROM x JOIN enterprises e ON e.id = x.ent JOIN branches b ON b.id = e.branch_id;
  INSERT INTO ticket_entries (ticket_id, kind, body, created_at)
  SELECT id, 'reply', 'r', first_response_at FROM tickets WHERE ticket_no LIKE 'B%';
  INSERT INTO ticket_entries (ticket_id, kind, body, created_at)
  SELECT id, 'reply', 'r2', first_response_at + 60 FROM tickets WHERE ticket_no LIKE 'B%' AND id % 5 = 0;
  COMMIT; ANALYZE;"
TICKETS=$(sqlite3 "$TMP/bench.db" "SELECT COUNT(*) FROM tickets")
ENTRIES=$(sqlite3 "$TMP/bench.db" "SELECT COUNT(*) FROM ticket_entries")
SIZE=$(du -m "$TMP/bench.db" | cut -f1)
log "tickets loaded in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')s: $TICKETS tickets, $ENTRIES entries"

MONTH=$(date -u -d "@$(( TODAY * 86400 - 86400 * 20 ))" +%Y-%m)
declare -a NAMES
declare -A P50 P99 RPS ERR SP50 SP99 PATHS WHO CODES
add() { NAMES+=("$1"); WHO[$1]=$2; PATHS[$1]=$3; }
add "health · admin" B9191 "/api/v1/dashboards/health"
add "health · supervisor" B9192 "/api/v1/dashboards/health"
add "health · manager" B9193 "/api/v1/dashboards/health"
add "health dormant list · admin" B9191 "/api/v1/dashboards/health/enterprises?status=dormant&limit=20"
add "health dormant list · manager" B9193 "/api/v1/dashboards/health/enterprises?status=dormant&limit=20"
add "contribution month · admin" B9191 "/api/v1/dashboards/contribution?period=month&date=$MONTH"
add "contribution quarter · admin" B9191 "/api/v1/dashboards/contribution?period=quarter&date=$MONTH"
add "contribution year · admin" B9191 "/api/v1/dashboards/contribution?period=year&date=$MONTH"
add "contribution month · supervisor" B9192 "/api/v1/dashboards/contribution?period=month&date=$MONTH"
add "contribution month · manager" B9193 "/api/v1/dashboards/contribution?period=month&date=$MONTH"
add "contribution this month · admin" B9191 "/api/v1/dashboards/contribution?period=month"
add "contribution this year · supervisor" B9192 "/api/v1/dashboards/contribution?period=year"
add "contribution product slice · manager" B9193 "/api/v1/dashboards/contribution?period=month&date=$MONTH&product=cold_chain"
add "contribution slice list · admin" B9191 "/api/v1/dashboards/contribution/enterprises?period=month&date=$MONTH&industry=F&limit=20"
add "individual customers · admin" B9191 "/api/v1/dashboards/customers"
add "service month · admin" B9191 "/api/v1/dashboards/service?period=month&date=$MONTH"
add "service year · admin" B9191 "/api/v1/dashboards/service?period=year&date=$MONTH"
add "service month · supervisor" B9192 "/api/v1/dashboards/service?period=month&date=$MONTH"
add "service year · supervisor" B9192 "/api/v1/dashboards/service?period=year&date=$MONTH"
add "service month · manager" B9193 "/api/v1/dashboards/service?period=month&date=$MONTH"
add "service tickets of a row · manager" B9193 "/api/v1/dashboards/service/tickets?period=month&date=$MONTH&group=manager&id=$MANAGER&limit=20"
pct() { sort -n | awk -v p="$1" '{ v[NR] = $1 } END { if (!NR) { print "n/a"; exit } i = int(NR * p + 0.5); if (i < 1) i = 1; print v[i] }'; }
REFRESH_MS=n/a

# measure <tag> <binary> [refresh]: serve the data with binary, take
# sessions, (make the health snapshot,) and ask for every line; figures go
# to the arrays under "<tag>|<line>".
measure() {
  local tag=$1 bin=$2 refresh=${3:-}
  PORT=$(( 20000 + RANDOM % 40000 ))
  BASE="http://127.0.0.1:$PORT"
  "$bin" serve --listen "127.0.0.1:$PORT" --db "$DB" >"$TMP/server.out" 2>"$TMP/server.err" &
  SERVER_PID=$!
  for _ in $(seq 1 1200); do curl -fsS -o /dev/null --max-time 1 "$BASE/api/v1/health" 2>/dev/null && break; sleep 0.5; done
  curl -fsS -o /dev/null "$BASE/api/v1/health" || die "the server did not start: $(tail -3 "$TMP/server.err")"
  declare -A SESS CSRFS
  for who in B9191 B9192 B9193; do
    read -r SESS[$who] CSRFS[$who] < <(bench_session "$BASE" "$who" "$PWNOW") || die "no session for $who"
    [ -n "${SESS[$who]}" ] || die "no session for $who"
  done
  if [ -n "$refresh" ]; then
    local t0; t0=$(date +%s.%N)
    curl -fsS -o /dev/null --max-time 600 -X POST -H "Cookie: hy_session=${SESS[B9191]}" -H "X-CSRF-Token: ${CSRFS[B9191]}" \
      "$BASE/api/v1/dashboards/refresh" || die "the refresh failed: $(tail -3 "$TMP/server.err")"
    REFRESH_MS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", (b - a) * 1000 }')
    log "$tag: the dashboards' snapshots made in $REFRESH_MS ms"
  fi
  local n k who line MARK
  for n in "${NAMES[@]}"; do
    who=${WHO[$n]}; k="$tag|$n"
    HY_PATH=${PATHS[$n]} HY_SESSION=${SESS[$who]} HY_CSRF=${CSRFS[$who]} timeout 120 wrk -t"$WT" -c"$WC" -d"$WARM" \
      -s bench/wrk/d_path.lua "$BASE" >/dev/null 2>&1 || true
    MARK=$(wc -l <"$TMP/server.err")
    HY_PATH=${PATHS[$n]} HY_SESSION=${SESS[$who]} HY_CSRF=${CSRFS[$who]} timeout 600 wrk -t"$WT" -c"$WC" -d"$DUR" --latency \
      --timeout 30s -s bench/wrk/d_path.lua "$BASE" >"$TMP/wrk.txt" 2>&1 || die "wrk $n failed"
    line=$(sed -n 's/^HYBENCH //p' "$TMP/wrk.txt")
    P50[$k]=$(jq -r .p50_ms <<<"$line"); P99[$k]=$(jq -r .p99_ms <<<"$line"); RPS[$k]=$(jq -r .rps <<<"$line")
    # the server's own time of each request (its log line ends in "<ms>ms"):
    # of the answers (200) and of the statements cut at their limit (503),
    # not of the 429s that ROUTE_HEAVY gives a second request of the same
    # user while one runs (they take no time and would hide the rest)
    tail -n +"$((MARK + 1))" "$TMP/server.err" | sed -n 's/.*GET \/api\/v1\/dashboards\/.* \(200\|503\) \([0-9.]*\)ms$/\2/p' >"$TMP/ms.txt"
    CODES[$k]=$(tail -n +"$((MARK + 1))" "$TMP/server.err" | sed -n 's/.*GET \/api\/v1\/dashboards\/.* \([0-9][0-9][0-9]\) [0-9.]*ms$/\1/p' | sort | uniq -c | awk '{ printf "%s%s×%s", (NR > 1 ? " " : ""), $2, $1 }')
    SP50[$k]=$(pct 0.5 <"$TMP/ms.txt"); SP99[$k]=$(pct 0.99 <"$TMP/ms.txt")
    log "  $tag $n: wrk p50 ${P50[$k]} ms, p99 ${P99[$k]} ms; server p50 ${SP50[$k]} ms, p99 ${SP99[$k]} ms (${CODES[$k]})"
  done
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
  # the first sign-in changed each password (bench/session.sh)
  PWNOW="$(cat "$TMP/pw")x1"
}
PWNOW=$(cat "$TMP/pw")

TAGS=()
if [ -n "${BENCH_BEFORE_BIN:-}" ]; then
  TAGS+=(before)
  LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
  measure before "$BENCH_BEFORE_BIN"
fi
TAGS+=(after)
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
measure after "$BIN" refresh

{
  echo "# Dashboards bench (issue 19), $(date -u +%Y-%m-%d\ %H:%M) UTC"
  echo
  echo "Commit \`$(git rev-parse --short HEAD)\`, release build, SQLite, one run. $E enterprises"
  echo "(bench/gen_enterprises.awk) with the rollups of $W waybills each over the last 395 days:"
  echo "$ROWS in \`waybill_rollups\` (written by SQL, see the script's head for why the waybills"
  echo "themselves are not generated), $DAYROWS in \`waybill_rollups_day\`, $MONTHROWS in"
  echo "\`waybill_rollups_month\`; $TICKETS tickets with $ENTRIES timeline entries (BENCH_T, see the script); database ${SIZE} MB. The supervisor sees one branch"
  echo "($(sqlite3 "$TMP/bench.db" "SELECT COUNT(*) FROM enterprises WHERE branch_id = $MBR") enterprises), the manager their"
  echo "$(sqlite3 "$TMP/bench.db" "SELECT COUNT(*) FROM enterprises WHERE owner_id = $MANAGER")."
  echo "\`wrk -t$WT -c$WC -d$DUR\` after $WARM of warm-up per line; the server's times are from its request log."
  [ -n "${BENCH_BEFORE_BIN:-}" ] && echo "Before: \`$BENCH_BEFORE_BIN\` (load average at its start: $LOAD_BEFORE)."
  echo "After: this commit (load average at its start: $LOAD_AFTER); its snapshots (health, contribution, service) were made in $REFRESH_MS ms"
  echo "(POST /dashboards/refresh, the same work as the periodic pass; load average after the run: $(cut -d' ' -f1-3 /proc/loadavg))."
  echo "Machine: 2 cores shared with other work."
  echo
  echo "| dashboard · viewer | run | wrk p50 / p99 ms | server p50 / p99 ms | req/s | answers (status×n) |"
  echo "|---|---|---|---|---|---|"
  for n in "${NAMES[@]}"; do
    for tag in "${TAGS[@]}"; do
      k="$tag|$n"
      echo "| $n | $tag | ${P50[$k]} / ${P99[$k]} | ${SP50[$k]} / ${SP99[$k]} | ${RPS[$k]} | ${CODES[$k]} |"
    done
  done
} >"$OUT"
cat "$OUT"
