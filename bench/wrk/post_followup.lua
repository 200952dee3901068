-- Records with follow-up (issue 21): a new customer, then a business record
-- with a follow-up task on it. Each thread keeps the ids of the customers it
-- created; request() records on one of them when there is one, else creates
-- the next, so the mix stays about one create per record.
-- HY_SAMPLES/branches.txt: the branch ids new customers are spread over.
local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

common.scenario("branches.txt", function(v) return "/api/v1/customers", "POST", v end)

local pending, n = {}, 0
local base_request = request
local hdr

local init_base = init
init = function(args)
  init_base(args)
  branches = values
  hdr = { ["Accept"] = "application/json", ["Content-Type"] = "application/json",
          ["Cookie"] = "hy_session=" .. (os.getenv("HY_SESSION") or ""),
          ["X-CSRF-Token"] = os.getenv("HY_CSRF") or "" }
end

request = function()
  n = n + 1
  local id = table.remove(pending)
  if id then
    local body = string.format(
      '{"type":"parcel","description":"办理包裹寄递，目的地北京","amount":"%d.50",' ..
      '"follow_up":{"title":"回访：确认包裹签收","due_at":"2026-12-%02d"}}', 10 + n % 90, 1 + n % 28)
    return wrk.format("POST", "/api/v1/customers/" .. id .. "/interactions", hdr, body)
  end
  local phone = string.format("1%d%09d", 3 + math.random(0, 6), math.random(0, 999999999))
  local body = string.format('{"name":"压测客户%d","phone":"%s","branch_id":%s,"confirm_duplicate":true}',
    n, phone, branches[math.random(#branches)])
  return wrk.format("POST", "/api/v1/customers", hdr, body)
end

response = function(status, headers, body)
  local id = body and body:match('"customer":{"id":(%d+)')
  if status == 201 and id then pending[#pending + 1] = id end
end
