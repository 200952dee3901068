-- Quick search by the last 4 digits of a mobile number.
local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
common.scenario("last4.txt", function(v) return "/api/v1/customers?q=" .. v end)
