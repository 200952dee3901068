#!/bin/sh
# install-deps.sh - install what Hongyan needs to build, run and test on
# Debian 12, skipping what is already there. Safe to run again and again.
set -eu

PKGS="build-essential pkg-config clang-format clang libclang-rt-14-dev
libmicrohttpd-dev libjansson-dev libsqlite3-dev libsodium-dev libcurl4-openssl-dev
libcmocka-dev libcsv-dev libjemalloc-dev libxlsxwriter-dev libcairo2-dev libpango1.0-dev fonts-noto-cjk poppler-utils
libical-dev libicu-dev libpq-dev postgresql sqlite3 chromium wrk
libgmime-3.0-dev dovecot-imapd"
# dovecot-imapd: the API tests start their own IMAP server on a free port
# (tests/api/lib/dovecot.mjs); the system dovecot service need not run.

# Node.js: Debian's nodejs 18 + npm 9 suffice; keep a newer one if present.
command -v node >/dev/null 2>&1 || PKGS="$PKGS nodejs"
command -v npm >/dev/null 2>&1 || PKGS="$PKGS npm"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -n "$missing" ]; then
    echo "install-deps: installing:$missing"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi

# npm packages from the committed lock files (web UI; browser-test driver).
top=$(cd "$(dirname "$0")/.." && pwd)
for dir in "$top/web" "$top"; do
    [ -f "$dir/package-lock.json" ] || continue
    if [ ! -f "$dir/node_modules/.package-lock.json" ] ||
        [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
        echo "install-deps: npm ci in $dir"
        (cd "$dir" && npm ci --no-audit --no-fund)
        touch "$dir/node_modules/.package-lock.json"
    fi
done
