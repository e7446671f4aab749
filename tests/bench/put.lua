-- PUT /api/v1/guests/{id}/name/ with a new name on every request (a real write each time).
-- The path and the Nano-Session header come from the wrk command line (URL and -H); wrk.format
-- with nil headers keeps them.
dofile(os.getenv("BENCH_DIR") .. "/report.lua")

local n = 0
local prefix = os.getenv("BENCH_NAME_PREFIX") or "bench_w"

wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/json"

request = function()
    n = n + 1
    return wrk.format(nil, nil, nil,
        string.format('{"name":"%s%d"}', prefix, n))
end
