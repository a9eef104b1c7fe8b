// The HTTP/1.1 server: Boost.Beast over Asio with C++20 coroutines, one coroutine per connection.
//
// - Keep-alive; every read is bounded: header size (431, or 414 when it is the request line),
//   body size (413), target length (414), per-request deadline (a client too slow to send its
//   request is disconnected; Beast closes the socket on timeout, so no 408 is written), idle
//   keep-alive timeout. Malformed HTTP gets 400. Every such error closes the connection.
// - Each request gets a request id, is routed (404 vs 405 kept apart, with Allow), its handler
//   runs, and exactly one top-level catch turns any exception into a bare 500 problem (logged
//   with the request id, no internals in the body). Metrics are observed for every request.
// - Handlers run on the server's thread pool (`threads`), and may block on the database.
// - Run() blocks until Stop(); Stop() is thread-safe and idempotent, meant for the thread that
//   waits for signals (it takes a mutex, so not from inside a signal handler itself): the
//   acceptor closes, in-flight requests finish (up to `drain_timeout`, then their sockets are
//   closed), idle connections are closed, then Run() returns. A handler that never returns
//   keeps Run() from returning. Call Listen() and Run() once each; destroy the Server only after
//   Run() has returned (or when it was never run). `router`, `metrics` and `wrap`'s captures
//   must outlive the Server.
// - Responses never carry a `Server` header; see docs/http.md for the full request path.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "customsdesk/http/message.hpp"
#include "customsdesk/http/metrics.hpp"
#include "customsdesk/http/router.hpp"

namespace customsdesk::http {

struct ServerOptions {
    std::string address = "127.0.0.1";
    unsigned short port = 8080;  // 0 picks a free port; see Server::port()
    int threads = 4;
    std::size_t body_limit = 1024 * 1024;     // bytes
    std::size_t header_limit = 16 * 1024;     // bytes
    std::size_t target_limit = 8 * 1024;      // bytes of request target
    std::chrono::seconds request_timeout{30};
    std::chrono::seconds idle_timeout{60};
    std::chrono::seconds drain_timeout{10};
    bool trust_proxy = false;  // honour X-Forwarded-For / X-Forwarded-Proto
};

class Server {
public:
    // `wrap` (optional) surrounds every routed handler call, e.g. for authentication; it receives
    // the request and the matched handler and returns the response.
    using Middleware = std::function<Response(Request&, const Handler&)>;

    Server(ServerOptions options, const Router& router, Metrics& metrics, Middleware wrap = {});
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds and listens; errors (address in use) are returned, not thrown.
    core::Result<void> Listen();
    [[nodiscard]] unsigned short port() const;  // the bound port, after Listen()
    void Run();
    void Stop();

    struct Impl;  // implementation detail, defined in server.cpp (public so its free helpers can name it)

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace customsdesk::http
