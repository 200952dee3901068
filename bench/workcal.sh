#!/usr/bin/env bash
# Business calendar micro-bench (issue 17): workcal_add / workcal_between
# over BENCH_N (1,000,000) random starts and durations on the release
# build (bench/workcal.c). Writes bench/results-<date>-workcal.md.
#   bash bench/workcal.sh
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
N=${BENCH_N:-1000000}
OUT=${BENCH_OUT:-bench/results-$(TZ=Asia/Shanghai date +%Y-%m-%d)-workcal.md}
make -s build/bench/workcal
RESULT=$(build/bench/workcal "$N")
{
  echo "# Business calendar micro-bench ($(TZ=Asia/Shanghai date +%Y-%m-%d))"
  echo
  echo "- commit: \`$(git rev-parse --short HEAD)\`, release build (-O2, jemalloc), $(nproc) cores shared"
  echo "- \`bash bench/workcal.sh\` (BENCH_N=$N): random starts in 2025-2027 on the seeded"
  echo "  calendar (2026 configured, 2025 and 2027 weekends only), default working hours"
  echo
  echo '```'
  echo "$RESULT"
  echo '```'
} > "$OUT"
cat "$OUT"
