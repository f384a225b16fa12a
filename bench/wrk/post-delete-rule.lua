-- bench/wrk/post-delete-rule.lua: write: POST a rule into a seeded group (in turn), then
-- DELETE it. A created rule's path comes from the 201's Location header and is deleted by
-- the thread's next request, so a group never holds more extra rules than there are
-- connections: the store stays the same size however long the run.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local created = {}  -- paths of rules created and not yet deleted (this thread)
local rule = '{"protocol": "TCP", "direction": "inbound", "action": "accept", ' ..
             '"ip_range": "198.51.100.0/24", "dest_port_from": 8080, "position": 1}'

function start() end

function request()
  if #created > 0 then
    return wrk.format("DELETE", table.remove(created, 1), nil, nil)
  end
  return wrk.format("POST", base .. "/" .. pick_group() .. "/rules", nil, rule)
end

function on_response(status, headers, body)
  if status ~= 201 then return end
  local location = headers["Location"] or headers["location"] or ""
  local path = location:match("^https?://[^/]+(/.*)$")
  if path then
    table.insert(created, path)
  else
    bad = bad + 1
    if first_bad == "" then first_bad = "201 without a Location" end
  end
end
