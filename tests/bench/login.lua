-- POST /api/v1/sessions/ (a Nano log-in: one argon2id verification per request).
dofile(os.getenv("BENCH_DIR") .. "/report.lua")

local body = string.format('{"user":"%s","password":"%s","nonce":"bench"}',
    os.getenv("BENCH_USER"), os.getenv("BENCH_PASSWORD"))

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
