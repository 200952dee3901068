-- Shared code of the Hongyan wrk scripts (wrk 4, LuaJIT).
--
-- Environment (set by bench/run.sh):
--   HY_SESSION  value of the hy_session cookie (a signed-in admin)
--   HY_CSRF     that session's CSRF token, sent on POSTs
--   HY_API_KEY  an integration's API key (its scopes only), used instead when set
--   HY_SAMPLES  directory with the sample files (one value per line)
--
-- Each scenario script calls common.scenario(file, make_path): every request
-- takes a random line of HY_SAMPLES/<file> and GETs make_path(value), so
-- thousands of distinct values are cycled and caches do not flatter the
-- numbers. done() prints one machine-readable line:
--   HYBENCH {"requests":…,"rps":…,"p50_ms":…,"p99_ms":…,…}

local M = {}

function M.urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

function M.lines(name)
  local dir = os.getenv("HY_SAMPLES") or "."
  local t = {}
  for l in io.lines(dir .. "/" .. name) do
    l = l:gsub("%s+$", "")
    if #l > 0 then t[#t + 1] = l end
  end
  assert(#t > 0, "no values in " .. dir .. "/" .. name)
  return t
end

local function headers(method)
  local h = { ["Accept"] = "application/json" }
  local key = os.getenv("HY_API_KEY")
  local sess = os.getenv("HY_SESSION")
  if key and #key > 0 and (method == "POST" or not (sess and #sess > 0)) then
    -- writes go with the API key: a Bearer request needs no CSRF token
    h["Authorization"] = "Bearer " .. key
    h["Content-Type"] = "application/json"
  elseif sess and #sess > 0 then
    h["Cookie"] = "hy_session=" .. sess
    if method ~= "GET" then
      h["X-CSRF-Token"] = os.getenv("HY_CSRF") or ""
      h["Content-Type"] = "application/json"
    end
  end
  return h
end

local thread_no = 0

-- file: sample file name, or nil for a fixed path;
-- make_path(value) -> path [, method, body] (default GET, no body)
function M.scenario(file, make_path)
  -- main state: number the threads so each seeds its own random stream
  setup = function(thread)
    thread_no = thread_no + 1
    thread:set("tno", thread_no)
  end

  init = function(args)
    local tno = tonumber(tno) or 0
    math.randomseed(os.time() * 1000 + tno * 7919 + math.floor(os.clock() * 1e6))
    values = file and M.lines(file) or { "" }
    -- pre-build the requests: request() then costs a table lookup.
    -- make_path(value) -> path [, method, body]
    reqs = {}
    for i = 1, #values do
      local path, method, body = make_path(values[i])
      method = method or "GET"
      reqs[i] = wrk.format(method, path, headers(method), body)
    end
  end

  request = function()
    return reqs[math.random(#reqs)]
  end

  done = function(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
      'HYBENCH {"requests":%d,"duration_s":%.3f,"rps":%.1f,"bytes":%d,' ..
      '"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"p999_ms":%.3f,"max_ms":%.3f,"mean_ms":%.3f,' ..
      '"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d}\n',
      summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6), summary.bytes,
      latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
      latency:percentile(99.9) / 1000, latency.max / 1000, latency.mean / 1000,
      e.connect, e.read, e.write, e.status, e.timeout))
  end
end

return M
