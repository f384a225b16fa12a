-- bench/wrk/patch-group.lua: write: PATCH a group's description, the seeded groups in turn.
-- The description carries a counter, so every request really changes its group (a PATCH
-- to the same value changes nothing and journals nothing).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local count = 0

function start() end

function request()
  count = count + 1
  local body = string.format('{"description": "load t%d n%d"}', thread_index, count)
  return wrk.format("PATCH", base .. "/" .. pick_group(), nil, body)
end
