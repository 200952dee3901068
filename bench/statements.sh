#!/usr/bin/env bash
# Statements bench (issue 18): BENCH_E enterprises (default 1000) and
# BENCH_W waybills (default 1,000,000) in one month (November 2026) loaded
# into SQLite with contract rules (bench_pricing load); then, with the
# release objects (bench/bench_statements.c):
#   - the month's statements generated, one enterprise after another as
#     the scheduler's pass makes them (statement_generate: every waybill
#     priced into a line, totals, audit, event): time and RSS before/after;
#   - one statement of BENCH_LINES lines (default 4,600: about 200 pages
#     of the default print template) laid out as a PDF (statement_pdf):
#     time, pages (pdfinfo) and RSS before/after.
# Writes bench/results-<date>-statements.md.
#   bash bench/statements.sh
# Knobs: BENCH_E, BENCH_W, BENCH_LINES, BENCH_KEEP=1, BENCH_OUT.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
. bench/lib.sh
E=${BENCH_E:-1000}; W=${BENCH_W:-1000000}; LINES=${BENCH_LINES:-4600}
OUT=${BENCH_OUT:-bench/results-$(TZ=Asia/Shanghai date +%Y-%m-%d)-statements.md}
BIN=$ROOT/build/hongyan
P=$ROOT/build/bench/bench_pricing
B=$ROOT/build/bench/bench_statements
log() { printf '[bench-s %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
command -v pdfinfo >/dev/null || die "pdfinfo (poppler-utils) is required"

# The release objects (make build/hongyan) without main: the statement run
# and the PDF exactly as the server makes them.
[ -x "$BIN" ] || die "build the release server first: make build/hongyan"
mkdir -p build/bench
OBJS=$(find build/obj -name '*.o' ! -path '*/src/app/main.o' | sort)
PKGS=$(sed -n 's/^PKGS *:= *//p' Makefile)
for prog in bench_pricing bench_statements; do
  # shellcheck disable=SC2086
  cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Isrc -Ibuild/gen -Ibench $(pkg-config --cflags $PKGS) \
    -o "build/bench/$prog" "bench/$prog.c" $OBJS $(pkg-config --libs $PKGS) -lcsv -lpthread -lm -ljemalloc
done

bench_scratch hy-bench-s
DB=$TMP/bench.db
FROM=$(date -d '2026-11-01T00:00:00+08:00' +%s)

log "demo database with $E enterprises"
"$BIN" demo --db "sqlite:$DB" --customers 0 --enterprises "$E" >"$TMP/demo.log" 2>&1 || die "demo: $(tail -3 "$TMP/demo.log")"
log "loading $W waybills of November 2026 and the contract rules"
"$P" load "$DB" "$W" "$FROM" 20261204 >&2
NW=$(sqlite3 "$DB" "SELECT COUNT(*) FROM waybills" 2>/dev/null || echo "$W")
SIZE0=$(du -m "$DB" | cut -f1)

log "generating the statements of 2026-11"
"$B" run "$DB" 2026-11 >"$TMP/run.txt"
log "run: $(tr '\n' ' ' <"$TMP/run.txt")"
log "a PDF of $LINES lines"
"$B" pdf "$DB" "$LINES" "$TMP/big.pdf" >"$TMP/pdf.txt"
log "pdf: $(tr '\n' ' ' <"$TMP/pdf.txt")"
PAGES=$(pdfinfo "$TMP/big.pdf" | awk '/^Pages:/ {print $2}')
SIZE1=$(du -m "$DB" | cut -f1)
get() { awk -v k="$2" '$1 == k {print $2}' "$TMP/$1.txt"; }
COMMIT=$(git rev-parse --short HEAD)
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
cat >"$OUT" <<MD
# Statements bench, $(date +%Y-%m-%d) (issue 18)

Commit \`$COMMIT\` (plus the working tree), release build (\`-O2\`,
jemalloc), SQLite, this machine ($(nproc) cores shared with other work;
load average $LOAD at the end). \`bash bench/statements.sh\`
(BENCH_E=$E, BENCH_W=$W, BENCH_LINES=$LINES).

Data set: \`hongyan demo\` with $E enterprises; \`bench_pricing load\`
gives every enterprise 4-5 contract rules and spreads $NW waybills of
November 2026 over them at random (a quarter with a volume weight, a fifth
with a declared value, a tenth COD; 10 destinations including a remote
one). Database $SIZE0 MB before the run, $SIZE1 MB after.

What is measured (\`bench/bench_statements.c\`, linked with the release
objects, one thread):

1. **The month's statements**: \`statement_generate\` for each
   enterprise in turn, as the scheduler's pass does: its waybills read
   500 at a time, each priced by the engine and written as a statement
   line, the totals, the audit row and the domain event, one transaction
   an enterprise.
2. **One 200-page PDF**: a statement of $LINES lines (copied from the
   run's lines) laid out by \`statement_pdf\` from the default print
   template (two passes: count the pages, then write them with
   "第 N 页 / 共 M 页"). Made twice in one process; the second is the
   figure (the first also loads the fonts).

| figure | value | target |
|---|---|---|
| enterprises / statements made | $(get run enterprises) / $(get run statements) | |
| statement lines written | $(get run lines) | |
| **time to generate the month** | **$(get run seconds) s** wall, $(get run cpu_seconds) s CPU | < 30 s |
| RSS before → after the run | $(get run rss_before_kb) kB → $(get run rss_after_kb) kB | flat |
| PDF pages | $PAGES ($(get pdf bytes) bytes) | 200 |
| **time for the PDF** | **$(get pdf seconds) s** wall, $(get pdf cpu_seconds) s CPU (first, fonts loading: $(get pdf first_seconds) s) | < 3 s |
| RSS before → after the first PDF → after the second | $(get pdf rss_before_kb) kB → $(get pdf rss_after_first_kb) kB → $(get pdf rss_after_kb) kB | flat |

Memory: the run holds one page of 500 waybills, one enterprise's rules
and the price book; the PDF reads the lines 1,000 at a time and only the
document's bytes grow (cairo writes the PDF into memory). The RSS growth
of the run is SQLite's page cache.
MD
log "wrote $OUT"
cat "$OUT"
