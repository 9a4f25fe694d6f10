-- One workload for wrk, configured by environment variables set by bench/run.py:
--   BENCH_METHOD      GET or POST (default GET)
--   BENCH_PATHS_FILE  a file of request paths, one a line, picked at random (default: the URL's)
--   BENCH_BODIES_FILE a file of url-encoded form bodies, one a line, picked at random (POST)
--   BENCH_COOKIE      the Cookie header of a signed-in session (empty: none)
--   BENCH_EXPECT      the status every response must have (default 200)
-- done() prints one line "BENCH_RESULT {json}" with counts and latency percentiles.

local method = os.getenv("BENCH_METHOD") or "GET"
local expect = tonumber(os.getenv("BENCH_EXPECT") or "200")
local cookie = os.getenv("BENCH_COOKIE") or ""

local function read_lines(name)
  local lines = {}
  if name and name ~= "" then
    for line in io.lines(name) do
      if line ~= "" then table.insert(lines, line) end
    end
  end
  return lines
end

local paths = read_lines(os.getenv("BENCH_PATHS_FILE"))
local bodies = read_lines(os.getenv("BENCH_BODIES_FILE"))

wrk.method = method
if cookie ~= "" then wrk.headers["Cookie"] = cookie end
if method == "POST" then wrk.headers["Content-Type"] = "application/x-www-form-urlencoded" end

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_number", thread_count)
  table.insert(threads, thread)
end

function init(args)
  unexpected = 0
  server_errors = 0
  math.randomseed(os.time() * 100 + (thread_number or 0))
end

function request()
  local path = nil
  if #paths > 0 then path = paths[math.random(#paths)] end
  local body = nil
  if #bodies > 0 then body = bodies[math.random(#bodies)] end
  return wrk.format(method, path, nil, body)
end

function response(status, headers, body)
  if status ~= expect then unexpected = unexpected + 1 end
  if status >= 500 then server_errors = server_errors + 1 end
end

function done(summary, latency, requests)
  local unexpected_total, server_total = 0, 0
  for _, thread in ipairs(threads) do
    unexpected_total = unexpected_total + thread:get("unexpected")
    server_total = server_total + thread:get("server_errors")
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "connect_errors": %d, ' ..
    '"read_errors": %d, "write_errors": %d, "timeouts": %d, "status_errors": %d, ' ..
    '"unexpected_status": %d, "server_errors": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, errors.connect, errors.read, errors.write,
    errors.timeout, errors.status, unexpected_total, server_total,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
