-- Quick search by customer number (numbers collected from the server after the import).
local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
common.scenario("customer_nos.txt", function(v) return "/api/v1/customers?q=" .. common.urlencode(v) end)
