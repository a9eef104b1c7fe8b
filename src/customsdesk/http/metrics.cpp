#include "customsdesk/http/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace customsdesk::http {

namespace {

constexpr char kSep = '\x1f';
constexpr std::string_view kRequestsTotal = "customsdesk_http_requests_total";
constexpr std::string_view kDuration = "customsdesk_http_request_duration_seconds";

struct Labels {
    std::string_view route;
    std::string_view method;
    std::string_view status;
};

Labels SplitKey(std::string_view key) {
    std::size_t a = key.find(kSep);
    std::size_t b = key.find(kSep, a + 1);
    return {key.substr(0, a), key.substr(a + 1, b - a - 1), key.substr(b + 1)};
}

std::string LabelText(const Labels& l) {
    return fmt::format(R"(route="{}",method="{}",status="{}")", EscapeLabelValue(l.route), EscapeLabelValue(l.method),
                       EscapeLabelValue(l.status));
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        switch (c) {
            case '\\': out += "\\\\"; break;
            case '"': out += "\\\""; break;
            case '\n': out += "\\n"; break;
            default: out.push_back(c);
        }
    }
    return out;
}

Metrics::Metrics() : bounds_(kDurationBuckets.begin(), kDurationBuckets.end()) {}

void Metrics::Observe(std::string_view route, std::string_view method, unsigned status, double seconds) {
    std::string key;
    key.reserve(route.size() + method.size() + 6);
    key.append(route).push_back(kSep);
    key.append(method).push_back(kSep);
    key.append(std::to_string(status));
    if (seconds < 0) seconds = 0;
    // First bucket whose upper bound holds the observation; == size() means only +Inf.
    auto bucket = static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), seconds) - bounds_.begin());
    std::lock_guard lock(mu_);
    Series& s = series_[key];
    if (s.buckets.empty()) s.buckets.assign(bounds_.size(), 0);
    ++s.count;
    s.sum += seconds;
    if (bucket < s.buckets.size()) ++s.buckets[bucket];
}

void Metrics::AddCollector(std::function<void(std::string& out)> collector) {
    std::lock_guard lock(mu_);
    collectors_.push_back(std::move(collector));
}

std::string Metrics::Render() const {
    std::map<std::string, Series> snapshot;
    std::vector<std::function<void(std::string&)>> collectors;
    {
        std::lock_guard lock(mu_);
        snapshot = series_;
        collectors = collectors_;
    }
    std::string out;
    out += fmt::format("# HELP {} HTTP requests handled, by route pattern, method and status.\n", kRequestsTotal);
    out += fmt::format("# TYPE {} counter\n", kRequestsTotal);
    for (const auto& [key, s] : snapshot) {
        out += fmt::format("{}{{{}}} {}\n", kRequestsTotal, LabelText(SplitKey(key)), s.count);
    }
    out += fmt::format("# HELP {} Time from a complete request header to the response ready to send, in seconds.\n",
                       kDuration);
    out += fmt::format("# TYPE {} histogram\n", kDuration);
    for (const auto& [key, s] : snapshot) {
        std::string labels = LabelText(SplitKey(key));
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < bounds_.size(); ++i) {
            cumulative += i < s.buckets.size() ? s.buckets[i] : 0;
            out += fmt::format("{}_bucket{{{},le=\"{}\"}} {}\n", kDuration, labels, bounds_[i], cumulative);
        }
        out += fmt::format("{}_bucket{{{},le=\"+Inf\"}} {}\n", kDuration, labels, s.count);
        out += fmt::format("{}_sum{{{}}} {}\n", kDuration, labels, s.sum);
        out += fmt::format("{}_count{{{}}} {}\n", kDuration, labels, s.count);
    }
    for (const auto& collector : collectors) collector(out);
    return out;
}

}  // namespace customsdesk::http
