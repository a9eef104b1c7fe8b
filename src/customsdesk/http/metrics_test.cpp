#include "customsdesk/http/metrics.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace customsdesk::http {
namespace {

bool Contains(const std::string& text, std::string_view what) { return text.find(what) != std::string::npos; }

TEST(MetricsTest, RendersCounterAndHistogram) {
    Metrics m;
    m.Observe("/a/{id}", "GET", 200, 0.003);
    m.Observe("/a/{id}", "GET", 200, 2.0);
    m.Observe("unmatched", "POST", 404, 0.0001);
    std::string text = m.Render();
    EXPECT_TRUE(Contains(text, "# TYPE customsdesk_http_requests_total counter\n"));
    EXPECT_TRUE(Contains(text, "customsdesk_http_requests_total{route=\"/a/{id}\",method=\"GET\",status=\"200\"} 2\n"));
    EXPECT_TRUE(
        Contains(text, "customsdesk_http_requests_total{route=\"unmatched\",method=\"POST\",status=\"404\"} 1\n"));
    EXPECT_TRUE(Contains(text, "# TYPE customsdesk_http_request_duration_seconds histogram\n"));
    const std::string labels = R"(route="/a/{id}",method="GET",status="200")";
    EXPECT_TRUE(Contains(text, "customsdesk_http_request_duration_seconds_bucket{" + labels + ",le=\"0.001\"} 0\n"));
    EXPECT_TRUE(Contains(text, "customsdesk_http_request_duration_seconds_bucket{" + labels + ",le=\"0.005\"} 1\n"));
    EXPECT_TRUE(Contains(text, "customsdesk_http_request_duration_seconds_bucket{" + labels + ",le=\"2.5\"} 2\n"));
    EXPECT_TRUE(Contains(text, "customsdesk_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} 2\n"));
    EXPECT_TRUE(Contains(text, "customsdesk_http_request_duration_seconds_count{" + labels + "} 2\n"));
    EXPECT_TRUE(Contains(text, "customsdesk_http_request_duration_seconds_sum{" + labels + "} 2.003\n"));
}

TEST(MetricsTest, EscapesLabelValues) {
    EXPECT_EQ(EscapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    Metrics m;
    m.Observe("/q\"", "GET", 200, 0.1);
    EXPECT_TRUE(Contains(m.Render(), R"(route="/q\"")"));
}

TEST(MetricsTest, CollectorsAreAppended) {
    Metrics m;
    m.AddCollector([](std::string& out) { out += "# TYPE customsdesk_db_pool_idle gauge\ncustomsdesk_db_pool_idle 3\n"; });
    std::string text = m.Render();
    EXPECT_TRUE(Contains(text, "customsdesk_db_pool_idle 3\n"));
    EXPECT_GT(text.find("customsdesk_db_pool_idle"), text.find("customsdesk_http_request_duration_seconds"));
}

TEST(MetricsTest, ConcurrentObserve) {
    Metrics m;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&m] {
            for (int i = 0; i < 1000; ++i) m.Observe("/r", "GET", 200, 0.01);
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_TRUE(Contains(m.Render(), "customsdesk_http_requests_total{route=\"/r\",method=\"GET\",status=\"200\"} 4000\n"));
}

}  // namespace
}  // namespace customsdesk::http
