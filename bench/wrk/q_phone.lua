-- Quick search by a full 11-digit mobile number (random sample of the generated data).
local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
common.scenario("phones.txt", function(v) return "/api/v1/customers?q=" .. v end)
