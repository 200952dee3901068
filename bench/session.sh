# session.sh - sourced by the bench scripts: sign a bench admin in through
# the API. API keys act as integrations with their scopes only (issue 16:
# docs/waybills-api.md), not as the staff member who made them, so the
# benches read and write as a signed-in admin: the hy_session cookie, and
# the CSRF token on writes.
#
#   read -r SESSION CSRF < <(bench_session http://127.0.0.1:PORT LOGIN PASSWORD)
# The first sign-in of a new account changes its password (to PASSWORD
# followed by "x1"), as the server demands.
bench_session() { # base-url login password → "session csrf"
  local base=$1 login=$2 pw=$3 jar body csrf
  jar=$(mktemp)
  body=$(curl -fsS -c "$jar" -H 'Content-Type: application/json' \
    --data "$(jq -nc --arg l "$login" --arg p "$pw" '{login:$l,password:$p}')" "$base/api/v1/auth/login")
  csrf=$(jq -r .csrf_token <<<"$body")
  if [ "$(jq -r .must_change_password <<<"$body")" = true ]; then
    body=$(curl -fsS -b "$jar" -c "$jar" -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" \
      --data "$(jq -nc --arg o "$pw" --arg n "${pw}x1" '{old_password:$o,new_password:$n}')" \
      "$base/api/v1/auth/password")
    csrf=$(jq -r .csrf_token <<<"$body")
  fi
  echo "$(awk '$6 == "hy_session" { print $7 }' "$jar" | tail -1) $csrf"
  rm -f "$jar"
}
