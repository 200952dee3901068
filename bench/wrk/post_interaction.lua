-- Record a business with a follow-up task (issue 4):
-- POST /api/v1/customers/{id}/interactions with follow_up, random customers,
-- authenticated with an API key (HY_API_KEY; Bearer: no CSRF token needed).
local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
local types = { "parcel", "ems" }
local n = 0
common.scenario("customer_ids.txt", function(v)
  n = n + 1
  local body = string.format(
    '{"type":"%s","description":"办理包裹寄递，目的地北京","amount":"%d.50",' ..
    '"follow_up":{"title":"回访：确认包裹签收","due_at":"2026-12-%02d"}}',
    types[n % 2 + 1], 10 + n % 90, 1 + n % 28)
  return "/api/v1/customers/" .. v .. "/interactions", "POST", body
end)
