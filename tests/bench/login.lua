-- POST /api/v1/sessions/ (a Nano log-in: one argon2id verification per request).
dofile(os.getenv("BENCH_DIR") .. "/report.lua")

local body = string.format('{"user":"%s","password":"%s","nonce":"bench"}',
    os.getenv("BENCH_USER"), os.getenv("BENCH_PASSWORD"))

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"

-- A client that honours a 429 waits before it tries again (100 ms here). Without the pause,
-- wrk would resend at once and the run would measure nginx answering a flood of 429s, not
-- whether password hashing starves the other routes.
local backoff = 0

response = function(status)
    backoff = status == 429 and 100 or 0
end

delay = function()
    return backoff
end
