// Prometheus metrics: request counts and latency histograms by route, method and status, plus
// gauges supplied by other modules (database pool figures) through callbacks.
// Thread-safe: Observe() is called concurrently from every worker.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace customsdesk::http {

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
    std::vector<double> bounds_;
    std::map<std::string, Series> series_;  // key: route \x1f method \x1f status  (guarded by mu_)
    std::vector<std::function<void(std::string&)>> collectors_;  // set at start-up
};

}  // namespace customsdesk::http
