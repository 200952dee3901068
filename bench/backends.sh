#!/usr/bin/env bash
# backends.sh - the HTTP benchmarks side by side, in one run:
#   SQLite with group commit (default) and with one fsync per commit
#   (HONGYAN_SQLITE_SYNC=full), PostgreSQL with one server process and with
#   two (round-robin over both: wrk connections alternate between ports).
#
#   bash bench/backends.sh                 # 20 000 customers (demo generator)
#   BENCH_CUSTOMERS=5000 BENCH_DURATION=10s bash bench/backends.sh
#
# Each configuration serves the same data (`hongyan demo --customers N`), is
# signed in as an admin (session cookie and CSRF token), and gets wrk -t2 -c16 for BENCH_DURATION per
# scenario: quick search by phone, GET one customer, a static JSON of the
# same size, and POST a business record with a follow-up task. Prints a
# table of req/s and p99 and the ratios to SQLite (group commit).
# Not a test; the figures go into bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_CUSTOMERS:-20000}
DUR=${BENCH_DURATION:-15s}
BIN=build/hongyan
make -s build/hongyan >/dev/null
TMP=$(mktemp -d /tmp/hy-backends-XXXXXX)
chmod 755 "$TMP"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  sh scripts/pg-temp.sh stop "$TMP/pg" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
log() { printf '[backends %s] %s\n' "$(date +%T)" "$*" >&2; }

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# serve URL [env...] → sets PORT once healthy (no subshell: PIDS must stick)
serve() {
  local url=$1; shift
  PORT=$(free_port)
  env "$@" "$BIN" serve --listen "127.0.0.1:$PORT" --db "$url" --files "$TMP/files" --test-mode \
    >>"$TMP/server.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/api/v1/health" >/dev/null 2>&1 && return
    sleep 0.1
  done
  echo "server on $url did not start: $(tail -5 "$TMP/server.log")" >&2; exit 1
}
stop_all() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; PIDS=(); }

prepare() { # url
  "$BIN" demo --db "$1" --customers "$N" >/dev/null 2>&1
  printf 'Bench2026pass\n' >"$TMP/bench-pw"
  printf 'Bench2026pass\n' | "$BIN" user add B9001 --name 基准 --role admin --branch GD \
    --password-stdin --db "$1" >/dev/null 2>&1
}
. bench/session.sh
# "session csrf" of the bench admin on the server at port (signs in; the
# first time on a database it changes the password, as the server asks).
signin() { # port
  bench_session "http://127.0.0.1:$1" B9001 "$(cat "$TMP/bench-pw")"
}

samples() { # port key → writes $TMP/samples/*
  local port=$1 key=$2
  mkdir -p "$TMP/samples"
  curl -fs -H "Cookie: hy_session=${key% *}" -H "X-CSRF-Token: ${key#* }" "http://127.0.0.1:$port/api/v1/customers?limit=200&count=none" \
    >"$TMP/list.json"
  jq -r '.items[].id' "$TMP/list.json" >"$TMP/samples/customer_ids.txt"
  # phones are masked in lists: reveal a few for the search scenario
  : >"$TMP/samples/phones.txt"
  for id in $(head -50 "$TMP/samples/customer_ids.txt"); do
    curl -fs -X POST -H "Cookie: hy_session=${key% *}" -H "X-CSRF-Token: ${key#* }" -H 'Content-Type: application/json' -d '{}' \
      "http://127.0.0.1:$port/api/v1/customers/$id/reveal" | jq -r '.phone // .customer.phone // empty' \
      >>"$TMP/samples/phones.txt"
  done
  local one; one=$(curl -fs -H "Cookie: hy_session=${key% *}" -H "X-CSRF-Token: ${key#* }" \
    "http://127.0.0.1:$port/api/v1/customers/$(head -1 "$TMP/samples/customer_ids.txt")" | wc -c)
  echo "$one" >"$TMP/samples/static_bytes.txt"
}

declare -A RPS P99
run() { # label script key port...
  local label=$1 script=$2 key=$3; shift 3
  local targets=("$@") out="$TMP/wrk-$label-$script.txt"
  # Two ports: half the connections each (two wrk processes, summed).
  local per=$(( 16 / ${#targets[@]} )) i=0 pids=()
  for port in "${targets[@]}"; do
    HY_SAMPLES=$TMP/samples HY_SESSION=${key% *} HY_CSRF=${key#* } \
      wrk -t$(( 2 / ${#targets[@]} > 0 ? 2 / ${#targets[@]} : 1 )) -c"$per" -d"$DUR" --timeout 10s --latency \
      -s "bench/wrk/$script.lua" "http://127.0.0.1:$port" >"$out.$i" 2>&1 &
    pids+=($!); i=$((i + 1))
  done
  for p in "${pids[@]}"; do wait "$p"; done
  local rps=0 p99=0
  for f in "$out".*; do
    local line; line=$(sed -n 's/^HYBENCH //p' "$f")
    [ -n "$line" ] || { echo "no HYBENCH from $f: $(tail -3 "$f")" >&2; exit 1; }
    rps=$(jq -n --argjson a "$rps" --argjson b "$(jq .rps <<<"$line")" '$a + $b')
    p99=$(jq -n --argjson a "$p99" --argjson b "$(jq .p99_ms <<<"$line")" '[$a, $b] | max')
  done
  RPS[$label,$script]=$(printf '%.0f' "$rps"); P99[$label,$script]=$p99
  log "$label $script: ${RPS[$label,$script]} req/s, p99 $p99 ms"
}

SCENARIOS=(q_phone get_customer static post_interaction)
suite() { # label key port...
  for s in "${SCENARIOS[@]}"; do run "$1" "$s" "${@:2}"; done
}

mkdir -p "$TMP/files"
# ---- SQLite
log "SQLite: $N demo customers"
prepare "sqlite:$TMP/s.db"
serve "sqlite:$TMP/s.db"; KEY=$(signin "$PORT"); samples "$PORT" "$KEY"
suite sqlite-group "$KEY" "$PORT"; stop_all
serve "sqlite:$TMP/s.db" HONGYAN_SQLITE_SYNC=full
suite sqlite-full "$KEY" "$PORT"; stop_all
# ---- PostgreSQL
log "PostgreSQL: $N demo customers"
PG=$(sh scripts/pg-temp.sh start "$TMP/pg")
prepare "$PG"
serve "$PG"; PORT1=$PORT; KEY=$(signin "$PORT1"); samples "$PORT1" "$KEY"
suite pg-1 "$KEY" "$PORT1"
serve "$PG"; PORT2=$PORT
suite pg-2 "$KEY" "$PORT1" "$PORT2"; stop_all

echo
echo "| scenario | SQLite group commit | SQLite fsync per commit | PostgreSQL, 1 process | PostgreSQL, 2 processes |"
echo "|---|---|---|---|---|"
for s in "${SCENARIOS[@]}"; do
  base=${RPS[sqlite-group,$s]}
  cell() { local v=${RPS[$1,$s]}; printf '%s/s, p99 %s ms (%.2f×)' "$v" "${P99[$1,$s]}" "$(jq -n "$v / $base")"; }
  echo "| $s | $(cell sqlite-group) | $(cell sqlite-full) | $(cell pg-1) | $(cell pg-2) |"
done
echo
echo "$N customers (hongyan demo), wrk -t2 -c16 -d$DUR per cell (two processes: two wrk of -c8 each, summed), one run on $(nproc) cores, $(date -u +%F)."
