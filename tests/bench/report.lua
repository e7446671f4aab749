-- wrk reporter for `make bench`: one machine-readable line at the end of a run.
--   RESULT <requests> <req/s> <avg ms> <p50 ms> <p99 ms> <non-2xx/3xx> <socket errors>
-- Other scripts (put.lua) load this one with dofile() and add their own request().
done = function(summary, latency, requests)
    local seconds = summary.duration / 1e6
    local e = summary.errors
    io.write(string.format("RESULT %d %.1f %.3f %.3f %.3f %d %d\n",
        summary.requests, summary.requests / seconds,
        latency.mean / 1000, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
        e.status, e.connect + e.read + e.write + e.timeout))
end
