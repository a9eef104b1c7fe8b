// Test harness for API tests: runs the real `customsdesk serve` binary on a free loopback port
// against a fresh database (SQLite or PostgreSQL, per CUSTOMSDESK_TEST_DB), and a small HTTP/1.1
// client (Boost.Beast, one connection per request) with a cookie jar and CSRF header support.
// Not thread-safe; one per test.
#pragma once

#include <boost/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace customsdesk::apitest {

struct HttpResult {
    unsigned status = 0;
    std::multimap<std::string, std::string> headers;  // lower-case names
    std::string body;
    mutable std::optional<boost::json::value> parsed;

    [[nodiscard]] std::string Header(const std::string& lower_name) const;
    // The body parsed once and kept, so chains like `r.Json().at("items").as_array()` stay valid as long
    // as `r` does. Throws if the body is not JSON.
    [[nodiscard]] const boost::json::value& Json() const;
    [[nodiscard]] bool IsProblem() const;           // application/problem+json with type/title/status
};

class TestServer {
public:
    // Starts the server against a fresh migrated database, with the demo data loaded.
    explicit TestServer(std::vector<std::string> extra_args = {});
    ~TestServer();
    TestServer(const TestServer&) = delete;
    TestServer& operator=(const TestServer&) = delete;

    [[nodiscard]] unsigned short port() const { return port_; }
    [[nodiscard]] const std::string& db_url() const { return db_url_; }
    [[nodiscard]] bool running();
    // SIGKILL and wait (crash); or SIGTERM and wait, returning the exit status.
    void Kill();
    int Terminate();
    // Starts again on the same database (after Kill/Terminate).
    void Restart();

private:
    void Start();

    std::vector<std::string> extra_args_;
    std::string db_url_;
    int pid_ = -1;
    unsigned short port_ = 0;
};

class Client {
public:
    explicit Client(unsigned short port) : port_(port) {}

    HttpResult Request(const std::string& method, const std::string& target, const std::string& body = {},
                       std::map<std::string, std::string> headers = {});
    HttpResult Get(const std::string& target) { return Request("GET", target); }
    HttpResult Delete(const std::string& target) { return Request("DELETE", target); }
    HttpResult PostJson(const std::string& target, const boost::json::value& body) {
        return Request("POST", target, boost::json::serialize(body), {{"Content-Type", "application/json"}});
    }
    HttpResult PatchJson(const std::string& target, const boost::json::value& body,
                         std::map<std::string, std::string> headers = {}) {
        headers["Content-Type"] = "application/json";
        return Request("PATCH", target, boost::json::serialize(body), headers);
    }
    // Sends raw bytes and returns the raw response (for malformed HTTP); empty if the server closed.
    std::string Raw(const std::string& bytes);

    // Logs in; keeps the session cookie and CSRF token for later requests. Returns the response.
    HttpResult Login(const std::string& username, const std::string& password);
    void UseToken(std::string token) { bearer_ = std::move(token); }
    void Forget() {
        cookie_.clear();
        csrf_.clear();
        bearer_.clear();
    }
    void SetSendCsrf(bool on) { send_csrf_ = on; }
    [[nodiscard]] const std::string& csrf() const { return csrf_; }

private:
    unsigned short port_;
    std::string cookie_;  // "cd_session=..."
    std::string csrf_;
    std::string bearer_;
    bool send_csrf_ = true;
};

// The demo organisations' count and ids: the first one is the demo trader's organisation.
inline constexpr int kDemoOrganisations = 6;

}  // namespace customsdesk::apitest
