// Prometheus metrics: request counts and latency histograms by route, method and status, plus
// gauges supplied by other modules (database pool figures) through callbacks.
// Thread-safe: Observe() is called concurrently from every worker.
//
// Exposition (Prometheus text format 0.0.4):
//   customsdesk_http_requests_total{route,method,status}            counter
//   customsdesk_http_request_duration_seconds{route,method,status}  histogram (_bucket{le}, _sum, _count)
// with buckets kDurationBuckets (+Inf implied). Label values are escaped (\, \", \n). Series are
// rendered in a stable (sorted) order. Collectors run on the thread calling Render(), outside
// the lock, after the HTTP families; add them at start-up, before the server runs.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace customsdesk::http {

inline constexpr std::array<double, 14> kDurationBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                            0.25,  0.5,    1.0,   2.5,  5.0,   10.0, 30.0};

// Escapes a label value for the text format: backslash, double quote and newline.
std::string EscapeLabelValue(std::string_view value);

class Metrics {
public:
    Metrics();
    // One finished request. `route` is the pattern ("/api/v1/organisations/{id}") or "unmatched".
    void Observe(std::string_view route, std::string_view method, unsigned status, double seconds);
    // A callback that appends lines in the text exposition format (with # HELP / # TYPE).
    void AddCollector(std::function<void(std::string& out)> collector);
    // The whole text exposition (text/plain; version=0.0.4).
    [[nodiscard]] std::string Render() const;

private:
    struct Series {
        std::uint64_t count = 0;
        double sum = 0;
        std::vector<std::uint64_t> buckets;  // cumulative at render time
    };
    mutable std::mutex mu_;
    std::vector<double> bounds_;                               // immutable after construction
    std::map<std::string, Series> series_;  // key: route \x1f method \x1f status  (guarded by mu_)
    std::vector<std::function<void(std::string&)>> collectors_;  // set at start-up (guarded by mu_)
};

}  // namespace customsdesk::http
