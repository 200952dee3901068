-- Quick search by an 18-character resident ID number.
local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
common.scenario("ids.txt", function(v) return "/api/v1/customers?q=" .. v end)
