-- wrk script: the agent queue (GET /api/v1/servicedesk/requests with filters) with a bearer token.
-- QUERY env picks the filter (default: open customer-service requests, 50 per page, by SLA due).
local query = os.getenv("QUERY") or "status=new,open&group=customer_service&limit=50"
wrk.path = "/api/v1/servicedesk/requests?" .. query
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
done = function(summary, latency, requests)
  io.write(string.format("p50 %.2f ms, p99 %.2f ms, non-2xx %d\n", latency:percentile(50) / 1000,
                         latency:percentile(99) / 1000, summary.errors.status))
end
