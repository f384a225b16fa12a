-- bench/wrk/common.lua: what every scenario of bench/serve_load.sh shares; each scenario
-- script loads it first (dofile, from its own directory).
--
-- Arguments after wrk's `--`: TOKEN GROUP_ID... (the X-Auth-Token, then the seeded groups of
-- fr-par-1). Every request carries the token and `Content-Type: application/json`.
-- Each wrk thread counts the answers that are not 2xx (`bad`, and the first one's status and
-- path in `first_bad`); done() adds them up over the threads and prints one line, which
-- serve_load.sh parses (latencies in microseconds, socket errors as wrk counts them):
--   serve_load: requests=N duration_us=N p50_us=N p99_us=N bad=N socket_errors=N first_bad=...
-- A scenario defines start() (called at the end of init) and, for a dynamic scenario,
-- request(); it may define on_response(status, headers, body) for 2xx answers.

base = "/instance/v1/zones/fr-par-1/security_groups"
groups = {}        -- the seeded group ids
thread_index = 0   -- this thread's number, 0-based (set by setup)
bad = 0
first_bad = ""

local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

function init(args)
  wrk.headers["X-Auth-Token"] = args[1]
  wrk.headers["Content-Type"] = "application/json"
  for i = 2, #args do
    groups[#groups + 1] = args[i]
  end
  if #groups == 0 then
    error("usage: wrk ... -s SCENARIO.lua URL -- TOKEN GROUP_ID...")
  end
  next_group = thread_index % #groups
  start()
end

-- The next seeded group, round robin (threads start at different groups).
function pick_group()
  next_group = next_group % #groups + 1
  return groups[next_group]
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    bad = bad + 1
    if first_bad == "" then
      first_bad = status .. " " .. string.sub(body, 1, 200)
    end
  elseif on_response then
    on_response(status, headers, body)
  end
end

function done(summary, latency, requests)
  local total_bad, first = 0, ""
  for _, t in ipairs(threads) do
    total_bad = total_bad + t:get("bad")
    if first == "" then first = t:get("first_bad") end
  end
  local e = summary.errors
  io.write(string.format(
    "serve_load: requests=%d duration_us=%d p50_us=%d p99_us=%d bad=%d socket_errors=%d first_bad=%s\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    total_bad, e.connect + e.read + e.write + e.timeout, (first:gsub("[\r\n]", " "))))
end
