#!/bin/sh
# cluster-demo.sh - the multi-server topology of docs/deploy.md on one
# machine: a throw-away PostgreSQL cluster with demo data, N hongyan
# processes over it, and nginx in front on one address.
#
#   make cluster-demo                  # or: sh scripts/cluster-demo.sh
#   HONGYAN_SERVERS=3 PORT=8080 sh scripts/cluster-demo.sh
#
# Ctrl-C stops everything and removes the database. Try killing one hongyan
# process (its pid is printed): the UI keeps working through the other,
# and the scheduler moves to a survivor within a second or two.
set -eu
cd "$(dirname "$0")/.."
N=${HONGYAN_SERVERS:-2}
PORT=${PORT:-8080}
BIN=${HONGYAN_BIN:-build/hongyan}
command -v nginx >/dev/null 2>&1 || PATH=$PATH:/usr/sbin
command -v nginx >/dev/null 2>&1 || {
    echo "cluster-demo: installing nginx-light"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nginx-light
}
[ -x "$BIN" ] || make server

dir=$(mktemp -d /tmp/hy-cluster-XXXXXX)
chmod 755 "$dir" # the PostgreSQL user must reach its cluster inside
pids=""
cleanup() {
    trap - EXIT INT TERM
    [ -f "$dir/nginx.pid" ] && kill "$(cat "$dir/nginx.pid")" 2>/dev/null || true
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    sh scripts/pg-temp.sh stop "$dir/pg"
    rm -rf "$dir"
}
trap cleanup EXIT INT TERM

url=$(sh scripts/pg-temp.sh start "$dir/pg")
"$BIN" demo --db "$url" >/dev/null
mkdir -p "$dir/files"
upstreams=""
i=1
while [ "$i" -le "$N" ]; do
    p=$((PORT + i))
    # One files directory for all: an import uploaded through one server may
    # be processed by a job worker of another.
    "$BIN" serve --listen "127.0.0.1:$p" --db "$url" --files "$dir/files" \
        --assets web/dist 2>"$dir/hongyan-$i.log" &
    pids="$pids $!"
    echo "hongyan #$i  pid $!  http://127.0.0.1:$p  log $dir/hongyan-$i.log"
    upstreams="$upstreams        server 127.0.0.1:$p max_fails=1 fail_timeout=10s;\n"
    i=$((i + 1))
done
sed -e "s|@PREFIX@|$dir|g" -e "s|@PORT@|$PORT|g" -e "s|@UPSTREAMS@|$upstreams|" \
    deploy/nginx.conf.in >"$dir/nginx.conf"
nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon on;'
echo ""
echo "  鸿雁 Hongyan cluster: nginx at http://127.0.0.1:$PORT over $N servers and PostgreSQL"
echo "  database: $url"
echo "  sign in as admin / hongyan2026; Ctrl-C stops everything"
wait
