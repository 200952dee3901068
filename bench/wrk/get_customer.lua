-- GET one customer by id (random ids collected from the server after the import), authenticated.
local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
common.scenario("customer_ids.txt", function(v) return "/api/v1/customers/" .. v end)
