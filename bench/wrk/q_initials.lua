-- Quick search by the pinyin initials of a whole name (zs for 张三).
local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
common.scenario("initials.txt", function(v) return "/api/v1/customers?q=" .. v end)
