#!/bin/sh
# with-pg.sh CMD... - run CMD with a throw-away PostgreSQL cluster: starts
# one (scripts/pg-temp.sh), exports HONGYAN_TEST_PG (its socket directory)
# and HONGYAN_TEST_PG_URL, runs CMD, and always removes the cluster.
set -eu
here=$(dirname "$0")
dir=$(mktemp -d /tmp/hy-pg-XXXXXX)
cleanup() { sh "$here/pg-temp.sh" stop "$dir"; }
trap cleanup EXIT INT TERM
HONGYAN_TEST_PG_URL=$(PG_FSYNC=off sh "$here/pg-temp.sh" start "$dir")
HONGYAN_TEST_PG=$dir
export HONGYAN_TEST_PG HONGYAN_TEST_PG_URL
"$@"
