-- Quick search by a 2-character name fragment (the given name of 3-character names: not a prefix).
local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
common.scenario("frags.txt", function(v) return "/api/v1/customers?q=" .. common.urlencode(v) end)
