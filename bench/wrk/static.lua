-- GET of a static JSON body of the same size as one customer (test-mode route), same cookie, same server: the baseline for the get_customer ratio.
local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
common.scenario("static_bytes.txt", function(v) return "/api/v1/_bench/static?bytes=" .. v end)
