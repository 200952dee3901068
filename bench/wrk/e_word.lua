-- Enterprises (issue 15): quick search by a common word of names ("科技", a twentieth of all names).
local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
common.scenario("e_words.txt", function(v) return "/api/v1/enterprises?q=" .. common.urlencode(v) end)
