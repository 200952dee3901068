#!/bin/sh
# pg-temp.sh start|stop DIR - a throw-away PostgreSQL 15 cluster for tests
# and demos: initdb into DIR, listening only on a Unix socket in DIR (no
# TCP port, no system service), with a database "hongyan".
#
#   sh scripts/pg-temp.sh start /tmp/hy-pg   # prints the URL to use
#   sh scripts/pg-temp.sh stop /tmp/hy-pg    # stops it and removes DIR
#
# PostgreSQL refuses to run as root; as root, the cluster runs as the
# "postgres" system user that Debian's package creates.
set -eu
cmd=$1
dir=$2
bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[ -x "$bin/initdb" ] || { echo "pg-temp: initdb not found (apt-get install postgresql)" >&2; exit 1; }

as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

case $cmd in
start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U hongyan --auth=trust -E UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c max_connections=300 \
            -c fsync=${PG_FSYNC:-on} -c shared_buffers=256MB" start >/dev/null ||
        { cat "$dir/server.log" >&2; exit 1; }
    as_owner "$bin/createdb" -h "$dir" -U hongyan hongyan
    echo "postgres:///hongyan?host=$dir&user=hongyan"
    ;;
stop)
    [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
*)
    echo "usage: pg-temp.sh start|stop DIR" >&2
    exit 2
    ;;
esac
