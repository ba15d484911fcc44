-- wrk script of the intake benchmark (bench/WRK.md): POST /movements with the full convoy notice
-- of bench/intake.ts (convoyNotice), each request a different notice (departures one second apart,
-- the first 72 h from now, arrival 30 h later), with an optional bearer token.
--
--   wrk -t2 -c32 -d15s --latency -s bench/wrk/intake.lua http://127.0.0.1:3000 -- <access token>
--   wrk -t2 -c32 -d15s --latency -s bench/wrk/intake.lua http://127.0.0.1:<baseline port>
--
-- It prints the usual wrk report, then one line "WRK_RESULT {json}" that bench/wrk.ts reads.
-- The template must stay identical to convoyNotice() with these two placeholders: the benchmark
-- checks it before every --wrk run.

TEMPLATE = [==[{"type":"convoy","priority":"routine","purpose":"Distribution de vivres / food distribution, Gao","focalPoint":{"name":"Aminata Traoré","phone":"+223 76 00 00 01","satPhone":"+88 16 2100 0001","email":"aminata@acf.bench.test"},"convoyLeader":{"name":"Moussa Diarra","phone":"+223 76 00 00 02","callSign":"ACF-1"},"departure":{"place":"Mopti","lat":14.4843,"lon":-4.1827,"at":"__DEPARTURE__"},"arrival":{"place":"Gao","lat":16.2666,"lon":-0.04,"at":"__ARRIVAL__"},"waypoints":[{"place":"Douentza","lat":15.0019,"lon":-2.9497,"overnight":true}],"vehicles":[{"type":"Toyota Land Cruiser","plate":"AB-1234-MD","markings":"ACF logo, roof marking ACF-1"},{"type":"Truck 10 t","plate":"AB-5678-MD","markings":"ACF logo"}],"personnel":{"national":6,"international":1},"cargo":[{"category":"food","description":"Rice and oil","tonnes":9.5}],"escort":{"status":"none"},"communications":{"vhfChannel":"12","radioRoom":"ACF Mopti","satPhone":"+88 16 2100 0001"},"dataAccuracyConfirmed":true,"verifiedBy":"Aminata Traoré"}]==]

local HOUR = 3600
local threads = {}
local counter = 0
-- Globals: setup() sets them in each thread's own Lua state (thread:set).
thread_id = 0
thread_count = 1
start = os.time() + 72 * HOUR
local headers = { ["content-type"] = "application/json" }

function setup(thread)
  thread:set("thread_id", #threads)
  thread:set("start", start)
  table.insert(threads, thread)
  for _, t in ipairs(threads) do
    t:set("thread_count", #threads)
  end
end

function init(args)
  if args[1] ~= nil and args[1] ~= "" then
    headers["authorization"] = "Bearer " .. args[1]
  end
  if args[2] ~= nil then
    start = tonumber(args[2])
  end
end

local function iso(seconds)
  return os.date("!%Y-%m-%dT%H:%M:%S.000Z", seconds)
end

function request()
  -- Distinct across threads: thread k takes departures k, k + n, k + 2n… seconds after start.
  local departure = start + counter * thread_count + thread_id
  counter = counter + 1
  local body = TEMPLATE:gsub("__DEPARTURE__", iso(departure), 1):gsub("__ARRIVAL__", iso(departure + 30 * HOUR), 1)
  return wrk.format("POST", "/movements", headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"durationUs":%d,"connectErrors":%d,"readErrors":%d,' ..
    '"writeErrors":%d,"non2xx3xx":%d,"timeouts":%d,"p50Us":%d,"p90Us":%d,"p99Us":%d,"maxUs":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
