#!/usr/bin/env bash
# pg_writers.sh - PostgreSQL write scale-out (issue 21, decision 0020):
# records with follow-up (a new customer, then a business record with a
# follow-up task on it: bench/wrk/post_followup.lua) against one server and
# against two servers on the same database, interleaved rounds in one run,
# with and without the old one-writer-at-a-time lock (HONGYAN_PG_WRITERS=one).
#
#   bash bench/pg_writers.sh
#   BENCH_CUSTOMERS=20000 BENCH_DURATION=15s BENCH_ROUNDS=3 bash bench/pg_writers.sh
#   BENCH_BRANCHES=one bash bench/pg_writers.sh   # every create in one branch (one counter)
#
# wrk -t2 -c16 in all (two servers: a wrk -t1 -c8 on each, summed). Prints
# the medians of the rounds and the ratio two servers / one server.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_CUSTOMERS:-20000}
DUR=${BENCH_DURATION:-15s}
ROUNDS=${BENCH_ROUNDS:-3}
BIN=build/hongyan
make -s build/hongyan >/dev/null
TMP=$(mktemp -d /tmp/hy-pgw-XXXXXX)
chmod 755 "$TMP"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  sh scripts/pg-temp.sh stop "$TMP/pg" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
log() { printf '[pg_writers %s] %s\n' "$(date +%T)" "$*" >&2; }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

serve() { # env... → PORT once healthy
  PORT=$(free_port)
  env "$@" "$BIN" serve --listen "127.0.0.1:$PORT" --db "$PG" --files "$TMP/files" --test-mode \
    >>"$TMP/server.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/api/v1/health" >/dev/null 2>&1 && return
    sleep 0.1
  done
  echo "server did not start: $(tail -5 "$TMP/server.log")" >&2; exit 1
}
stop_all() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; PIDS=(); }

. bench/session.sh
declare -A RPS
run() { # label port...
  local label=$1; shift
  local per=$(( 16 / $# )) thr=$(( 2 / $# > 0 ? 2 / $# : 1 )) i=0 pids=() out="$TMP/wrk-$label"
  rm -f "$out".*
  for port in "$@"; do
    HY_SAMPLES=$TMP/samples HY_SESSION=${KEY% *} HY_CSRF=${KEY#* } \
      wrk -t$thr -c$per -d"$DUR" --timeout 10s --latency -s bench/wrk/post_followup.lua \
      "http://127.0.0.1:$port" >"$out.$i" 2>&1 &
    pids+=($!); i=$((i + 1))
  done
  for p in "${pids[@]}"; do wait "$p"; done
  local rps=0 errs=0 p99=0
  for f in "$out".*; do
    local line; line=$(sed -n 's/^HYBENCH //p' "$f")
    [ -n "$line" ] || { echo "no HYBENCH from $f: $(tail -3 "$f")" >&2; exit 1; }
    rps=$(jq -n "$rps + $(jq .rps <<<"$line")")
    errs=$(jq -n "$errs + $(jq .err_status <<<"$line")")
    p99=$(jq -n "[$p99, $(jq .p99_ms <<<"$line")] | max")
  done
  RPS[$label]="${RPS[$label]:-} $rps"
  log "$label: $(printf '%.0f' "$rps") req/s, p99 $p99 ms, $errs non-2xx"
  [ "$errs" = 0 ] || { echo "$label: $errs requests failed; server log: $(grep -E 'warn|error' "$TMP/server.log" | tail -5)" >&2; exit 1; }
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

mkdir -p "$TMP/files" "$TMP/samples"
PG=$(sh scripts/pg-temp.sh start "$TMP/pg")
log "PostgreSQL: $N demo customers"
"$BIN" demo --db "$PG" --customers "$N" >/dev/null 2>&1
printf 'Bench2026pass\n' | "$BIN" user add B9001 --name 基准 --role admin --branch GD \
  --password-stdin --db "$PG" >/dev/null 2>&1
serve; KEY=$(bench_session "http://127.0.0.1:$PORT" B9001 Bench2026pass)
# Outlets (the tree's leaves) to create customers in, or only the first.
curl -fs -H "Cookie: hy_session=${KEY% *}" "http://127.0.0.1:$PORT/api/v1/branches" |
  jq -r '[.items // .branches // . | .[]] as $b | $b[] | select(.id as $i | ($b | map(.parent_id) | index($i)) | not) | .id' \
  >"$TMP/samples/branches.txt"
[ "${BENCH_BRANCHES:-all}" = one ] && sed -i 1q "$TMP/samples/branches.txt"
log "creating in $(wc -l <"$TMP/samples/branches.txt") branch(es)"
stop_all

for mode in parallel one; do
  envs=(); [ $mode = one ] && envs=(HONGYAN_PG_WRITERS=one)
  for r in $(seq 1 "$ROUNDS"); do
    serve "${envs[@]}"; P1=$PORT
    run "$mode-1" "$P1"
    serve "${envs[@]}"; P2=$PORT
    run "$mode-2" "$P1" "$P2"
    stop_all
  done
done

echo
echo "| writers | 1 server | 2 servers | 2 / 1 |"
echo "|---|---|---|---|"
for mode in parallel one; do
  one=$(median <<<"${RPS[$mode-1]}"); two=$(median <<<"${RPS[$mode-2]}")
  printf '| %s | %.0f req/s | %.0f req/s | %.2f |\n' \
    "$([ $mode = one ] && echo 'one at a time (HONGYAN_PG_WRITERS=one)' || echo 'parallel (SERIALIZABLE)')" \
    "$one" "$two" "$(jq -n "$two / $one")"
done
echo
echo "PostgreSQL $(pg_config --version 2>/dev/null | awk '{print $2}'), $N demo customers, creates over $(wc -l <"$TMP/samples/branches.txt") branch(es);"
echo "wrk -t2 -c16 -d$DUR per cell (2 servers: wrk -t1 -c8 on each, summed), medians of $ROUNDS interleaved rounds,"
echo "requests = customer creates + records with a follow-up task, about half each; $(nproc) cores shared by servers, PostgreSQL and wrk; $(date -u +%F)."
