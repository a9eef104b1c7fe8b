-- wrk script: POST /api/v1/declarations with bodies from BODIES (a JSON array of strings with
-- "__LRN__"), a unique LRN per request (thread id + counter + a per-run tag).
local counter = 0
local thread_tag = ""
local bodies = {}

-- LRN_TAG (set per run by lodge.sh) + the thread's number: unique across runs and threads
-- (math.random alone is unseeded in wrk's Lua, so every run would replay the first run's LRNs).
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tag", (os.getenv("LRN_TAG") or tostring(os.time())) .. "t" .. threads)
end

function init(args)
  local f = assert(io.open(os.getenv("BODIES"), "r"))
  local text = f:read("*a")
  f:close()
  -- a JSON array of JSON strings: split on the separator between elements
  for s in text:gmatch('"({.-})"') do
    bodies[#bodies + 1] = s:gsub('\\"', '"')
  end
  thread_tag = tag
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Cookie"] = os.getenv("COOKIE")
  wrk.headers["X-CSRF-Token"] = os.getenv("CSRF")
end

function request()
  counter = counter + 1
  local body = bodies[(counter % #bodies) + 1]:gsub("__LRN__", "L" .. thread_tag .. "-" .. counter)
  return wrk.format(nil, "/api/v1/declarations", nil, body)
end

local statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status ~= 201 and (statuses[status] or 0) < 3 then io.stderr:write(status .. " " .. body:sub(1, 300) .. "\n") end
end

-- Paced runs (lodge.sh RATE=...): each connection waits DELAY_MS after a response before its next
-- request, so that connections * 1000 / (DELAY_MS + latency) is about the wanted rate. This is
-- still a closed loop (a stalled server also slows the sender), so it understates tail latency
-- under stalls compared with an open-loop generator such as wrk2.
local pace = tonumber(os.getenv("DELAY_MS") or "")
if pace then
  function delay()
    return pace
  end
end
