-- bench/wrk/list-groups.lua: read: GET the group list of fr-par-1 (the token's project: every
-- seeded group, one page). A static request: wrk sends the same bytes every time.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

function start()
  wrk.method = "GET"
  wrk.path = base
end
