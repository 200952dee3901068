-- Enterprises (issue 15): quick search or page by overview, beside the customers' scenario of the same kind.
local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
common.scenario("e_ids.txt", function(v) return "/api/v1/enterprises/" .. v .. "/overview" end)
