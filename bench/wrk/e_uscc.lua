-- Enterprises (issue 15): quick search or page by uscc, beside the customers' scenario of the same kind.
local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
common.scenario("e_uscc.txt", function(v) return "/api/v1/enterprises?q=" .. v end)
