#!/bin/sh
# rules.sh - the rule stage under a stream of domain events (issue 20):
# RULES enabled rules on customer.changed (one of them matching and adding
# a tag, the others not matching), a stream of RATE events a second for
# SECONDS seconds written straight into domain_events of a SQLite database
# the release server serves, and what the rules consumer makes of it:
#   - consumer cost per event: the time the consumer needed to drain a
#     backlog of events divided by their number (at saturation, so the
#     mean; the consumer handles events in batches of 500 and has no
#     per-event clock of its own);
#   - event-to-action delay: rule_runs.at - domain_events.at of the runs
#     of the matching rule (whole seconds: p50 / p99 / max).
#   - the engine's own figures: every 10 s it logs the p50 / p99 of the
#     rule stage per event (in-process, monotonic clock) and of the
#     event-to-action delay (action time minus the event's whole-second
#     stamp: an upper bound); the lines of this run are printed at the end.
# Usage: bench/rules.sh [RULES=100] [RATE=10000] [SECONDS=10]
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
RULES=${RULES:-100}
RATE=${RATE:-10000}
SECS=${SECONDS_RUN:-10}
BIN=${HONGYAN_BIN:-build/hongyan}
log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "$*"; exit 1; }
for tool in curl sqlite3 awk; do command -v "$tool" >/dev/null || die "$tool is required"; done
[ -x "$BIN" ] || die "$BIN missing (make build/hongyan)"
bench_scratch hy-bench-rules
DB=$TMP/bench.db
PORT=$((20000 + $$ % 20000))
BASE=http://127.0.0.1:$PORT

# Migrate, then the rules and one customer, before the server starts.
HONGYAN_LOG_LEVEL=info "$BIN" serve --listen "127.0.0.1:$PORT" --db "sqlite:$DB" >"$TMP/server.out" 2>"$TMP/server.err" &
SERVER_PID=$!
for _ in $(seq 1 600); do curl -fsS -o /dev/null --max-time 1 "$BASE/api/v1/health" 2>/dev/null && break; sleep 0.2; done
curl -fsS -o /dev/null "$BASE/api/v1/health" || die "the server did not start: $(tail -3 "$TMP/server.err")"
NOW=$(date +%s)
sqlite3 -cmd ".timeout 10000" "$DB" <<SQL
BEGIN;
INSERT INTO branches (code, name, level, path, created_at, updated_at)
  SELECT 'BENCH', '压测网点', 'province', '', $NOW, $NOW WHERE NOT EXISTS (SELECT 1 FROM branches);
UPDATE branches SET path = '/' || id || '/' WHERE path = '';
INSERT INTO tags (name, created_at) SELECT '压测', $NOW WHERE NOT EXISTS (SELECT 1 FROM tags);
INSERT INTO customers (customer_no, name, phone, phone_last4, branch_id, branch_path, created_at, updated_at)
  SELECT 'BENCH-000001', '规则压测客户', '13800000000', '0000', id, path, $NOW, $NOW FROM branches ORDER BY id LIMIT 1;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $RULES - 1)
INSERT INTO rules (name, entity, trigger_kind, condition_json, actions_json, created_at, updated_at)
  SELECT 'bench ' || i, 'customer', 'updated',
         '{"field":"name","op":"starts_with","value":"不匹配' || i || '"}', '[]', $NOW, $NOW FROM n;
INSERT INTO rules (name, entity, trigger_kind, condition_json, actions_json, created_at, updated_at)
  SELECT 'bench match', 'customer', 'updated', '{"field":"name","op":"starts_with","value":"规则"}',
         '[{"type":"add_tag","tag_id":' || (SELECT MIN(id) FROM tags) || '}]', $NOW, $NOW;
COMMIT;
SQL
CID=$(sqlite3 "$DB" "SELECT id FROM customers WHERE customer_no = 'BENCH-000001'")
FIRST=$(sqlite3 "$DB" "SELECT COALESCE(MAX(id), 0) FROM domain_events")

# The stream: RATE/10 events every 100 ms, each batch one transaction, all
# through one sqlite3 process (a process per batch could not keep the pace).
PER=$((RATE / 10))
log "stream: $RATE events/s for $SECS s onto $RULES rules"
T0=$(date +%s.%N)
i=0
while [ "$i" -lt $((SECS * 10)) ]; do
  echo "BEGIN; WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < $PER) INSERT INTO domain_events (at, kind, entity, object_id, actor_id, payload) SELECT CAST(strftime('%s','now') AS INTEGER), 'customer.changed', 'customer', $CID, 0, '{\"fields\":[\"name\"]}' FROM n; COMMIT;"
  i=$((i + 1))
  sleep 0.1
done | sqlite3 -cmd ".timeout 10000" "$DB" >/dev/null
T1=$(date +%s.%N)
LAST=$(sqlite3 "$DB" "SELECT MAX(id) FROM domain_events")
N=$((LAST - FIRST))
log "wrote $N events in $(echo "$T1 - $T0" | bc) s; waiting for the consumer"
# At most DRAIN_MAX seconds: what is left then is reported as the backlog.
DRAIN_MAX=${DRAIN_MAX:-120}
END=$(($(date +%s) + DRAIN_MAX))
while [ "$(date +%s)" -lt "$END" ]; do
  POS=$(sqlite3 -cmd ".timeout 10000" "$DB" "SELECT last_id FROM event_positions WHERE consumer = 'rules'")
  [ "$POS" -ge "$LAST" ] && break
  sleep 0.5
done
T2=$(date +%s.%N)
RUNS=$(sqlite3 -cmd ".timeout 10000" "$DB" "SELECT COUNT(*) FROM rule_runs")
HANDLED=$((POS - FIRST))
[ "$HANDLED" -lt "$N" ] && log "backlog after ${DRAIN_MAX} s: $((N - HANDLED)) of $N events not handled yet"
N=$HANDLED
PER_EVENT_MS=$(echo "scale=3; ($T2 - $T0) * 1000 / $N" | bc)
log "drained at +$(echo "$T2 - $T0" | bc) s: $RUNS runs"
sqlite3 -cmd ".timeout 10000" "$DB" "SELECT r.at - e.at FROM rule_runs r JOIN domain_events e ON e.id = r.event_id JOIN rules u ON u.id = r.rule_id WHERE u.name = 'bench match' ORDER BY 1" > "$S/delay"
awk -v per="$PER_EVENT_MS" -v n="$N" -v runs="$RUNS" '{ d[NR] = $1 } END {
  printf "events %d, runs %d\nconsumer wall time per event (stream start to drained, mean): %s ms\n", n, runs, per;
  printf "event-to-action delay (s): p50 %d, p99 %d, max %d\n", d[int(NR * 0.5)], d[int(NR * 0.99)], d[NR] }' "$S/delay"
echo "engine figures (one line per 10 s window):"
grep 'rules: .* events, stage' "$TMP/server.err" | sed 's/^.*rules: /  /' || echo "  (none logged)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
