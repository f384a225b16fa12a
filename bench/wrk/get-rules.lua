-- bench/wrk/get-rules.lua: read: GET the rules of one seeded group (the default rules, then
-- its user rules). Each thread reads its own group; a static request.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

function start()
  wrk.method = "GET"
  wrk.path = base .. "/" .. pick_group() .. "/rules"
end
