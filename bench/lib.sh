# lib.sh - sourced by the bench scripts: a scratch directory that goes
# (with the server the bench started) however the script ends.
#
#   . bench/lib.sh; bench_scratch hy-bench-x     → TMP, S (samples); set SERVER_PID
# BENCH_KEEP=1 keeps the directory and says where it is (log must exist).
bench_scratch() { # name
  TMP=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
  S=$TMP/samples
  mkdir -p "$S"
  SERVER_PID=""
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}
bench_cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ "${BENCH_KEEP:-0}" = 1 ]; then log "kept $TMP"; else rm -rf "$TMP"; fi
  exit $rc
}
