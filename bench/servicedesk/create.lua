-- wrk script: POST /api/v1/servicedesk/requests with a bearer token (TOKEN env) as a trader would.
-- usage: TOKEN=cdk_... wrk -t2 -c32 -d20s -s bench/servicedesk/create.lua http://127.0.0.1:PORT
wrk.method = "POST"
wrk.path = "/api/v1/servicedesk/requests"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.body = '{"type":"question","subject":"Benchmark question","body":"How are returned goods valued?",' ..
           '"form":{"topic":"valuation"}}'
done = function(summary, latency, requests)
  io.write(string.format("p50 %.2f ms, p99 %.2f ms, non-2xx %d\n", latency:percentile(50) / 1000,
                         latency:percentile(99) / 1000, summary.errors.status))
end
