-- Waybills (issue 16): the 360 shipping figures of a random enterprise over a year.
local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
common.scenario("w_ids.txt", function(v) return "/api/v1/enterprises/" .. v .. "/shipping?period=year" end)
