-- wrk script: search as you type. Each request types a few letters of a generated name, a word,
-- a Business ID or an e-mail prefix (queries.txt, one per line), authenticated by a bearer token.
-- Usage: TOKEN=... wrk -t2 -c50 -d30s --latency -s search.lua http://127.0.0.1:PORT
local queries = {}
local token = os.getenv("TOKEN") or ""
local file = os.getenv("QUERIES") or "bench/registry/queries.txt"
for line in io.lines(file) do
  if #line > 0 then table.insert(queries, line) end
end
local counter = 0
local function encode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
request = function()
  counter = counter + 1
  local q = queries[(counter % #queries) + 1]
  return wrk.format("GET", "/api/v1/search?limit=10&q=" .. encode(q), {["Authorization"] = "Bearer " .. token})
end
response = function(status, headers, body)
  if status ~= 200 then
    io.stderr:write("status " .. status .. "\n")
  end
end
