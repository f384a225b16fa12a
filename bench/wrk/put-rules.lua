-- bench/wrk/put-rules.lua: write: PUT a group's whole rule list (four rules without ids, so
-- each request replaces the group's rules with four new ones), the seeded groups in turn.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local body = '{"rules": [' ..
  '{"protocol": "TCP", "direction": "inbound", "action": "accept", "ip_range": "10.0.0.0/8", "dest_port_from": 443}, ' ..
  '{"protocol": "TCP", "direction": "inbound", "action": "accept", "ip_range": "192.0.2.0/24", "dest_port_from": 22}, ' ..
  '{"protocol": "UDP", "direction": "outbound", "action": "drop", "ip_range": "0.0.0.0/0", "dest_port_from": 5000, "dest_port_to": 5999}, ' ..
  '{"protocol": "ICMP", "direction": "inbound", "action": "accept", "ip_range": "0.0.0.0/0"}]}'

function start() end

function request()
  return wrk.format("PUT", base .. "/" .. pick_group() .. "/rules", nil, body)
end
