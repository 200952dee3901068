-- GET /api/v1/health (tiny, unauthenticated): the fallback baseline when /api/v1/_bench/static does not exist.
local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
common.scenario(nil, function(v) return "/api/v1/health" end)
