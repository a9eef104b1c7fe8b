#include "customsdesk/http/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "customsdesk/http/problem.hpp"

namespace customsdesk::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kMaxRequestIdLength = 64;
constexpr std::size_t kIdleReadChunk = 4096;
// After an error response that closes the connection, unread input is drained for a bounded
// time and amount so the client sees the response instead of a TCP reset.
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = 1024 * 1024;
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);
constexpr std::string_view kUnmatched = "unmatched";
constexpr std::string_view kInternalDetail = "An unexpected error occurred. Quote the request id when reporting it.";

using Strand = asio::strand<asio::io_context::executor_type>;

// One client connection. Every member is touched only on the connection's strand (the
// executor of `stream`), which is also where its coroutine runs.
struct Connection {
    explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
    beast::tcp_stream stream;
    bool idle = true;              // waiting for the first byte of the next request
    bool close_requested = false;  // Stop() was called: finish the current request, then close
};

std::string_view MetricMethod(std::string_view method) {
    static constexpr std::string_view kKnown[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
    for (auto m : kKnown) {
        if (m == method) return m;
    }
    return "OTHER";  // bounded label cardinality: clients choose the method
}

bool SaneRequestId(std::string_view id) {
    if (id.empty() || id.size() > kMaxRequestIdLength) return false;
    return std::all_of(id.begin(), id.end(), [](char c) { return c >= 0x21 && c <= 0x7e; });
}

std::string NewRequestId() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id(32, '0');
    for (std::size_t half = 0; half < 2; ++half) {
        std::uint64_t bits = rng();
        for (std::size_t i = 0; i < 16; ++i) {
            id[half * 16 + i] = kHex[bits & 0xf];
            bits >>= 4;
        }
    }
    return id;
}

std::string_view TrimOws(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool IEquals(std::string_view a, std::string_view b) {
    CaseInsensitiveLess less;
    return !less(a, b) && !less(b, a);
}

// A header-limit overflow is 414 when the request line itself is the problem (never completed
// within the limit, or its target is over target_limit), else 431. Beast hands the target over
// as soon as the request line is complete, before the rest of the header.
unsigned StatusForHeaderOverflow(std::string_view target, std::size_t target_limit) {
    return target.empty() || target.size() > target_limit ? 414 : 431;
}

bool SafeHeaderText(std::string_view text) {
    return std::none_of(text.begin(), text.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

// A handler's response must be writable as is: a final status and no header injection. A
// violation is a bug in the handler and becomes the usual 500 (through the top-level catch).
void CheckResponse(const Response& res) {
    if (res.status < 200 || res.status > 599) {
        throw std::logic_error(fmt::format("handler returned invalid status {}", res.status));
    }
    for (const auto& [name, value] : res.headers) {
        if (name.empty() || !SafeHeaderText(name) || !SafeHeaderText(value) || name.find(':') != std::string::npos) {
            throw std::logic_error(fmt::format("handler returned an invalid header '{}'", name.substr(0, 64)));
        }
    }
}

// Read errors after which no response can or need be written.
bool IsGoneOrTooSlow(const beast::error_code& ec) {
    return ec == beast::error::timeout || ec == asio::error::operation_aborted || ec == bhttp::error::end_of_stream ||
           ec == bhttp::error::partial_message || ec == asio::error::eof || ec == asio::error::connection_reset ||
           ec == asio::error::broken_pipe;
}

void LogCoroutineExit(std::string_view what, std::exception_ptr e) {
    if (!e) return;
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        spdlog::error("http: {} ended with an exception: {}", what, ex.what());
    } catch (...) {
        spdlog::error("http: {} ended with an unknown exception", what);
    }
}

}  // namespace

struct Server::Impl {
    Impl(ServerOptions opts, const Router& r, Metrics& m, Middleware w)
        : options(std::move(opts)),
          router(r),
          metrics(m),
          wrap(std::move(w)),
          ioc(std::max(1, options.threads)),
          control(asio::make_strand(ioc)),
          acceptor(control),
          drain_timer(control) {}

    const ServerOptions options;
    const Router& router;
    Metrics& metrics;
    const Middleware wrap;
    asio::io_context ioc;
    Strand control;               // serialises the acceptor and the drain timer
    tcp::acceptor acceptor;       // on `control`
    asio::steady_timer drain_timer;  // on `control`
    std::atomic<unsigned short> bound_port{0};
    std::atomic<bool> stop_called{false};

    std::mutex mu;
    bool stopping = false;                                // guarded by mu
    std::set<std::shared_ptr<Connection>> connections;  // guarded by mu

    bool IsStopping() {
        std::lock_guard lock(mu);
        return stopping;
    }

    bool Register(const std::shared_ptr<Connection>& conn) {
        std::lock_guard lock(mu);
        if (stopping) return false;
        connections.insert(conn);
        return true;
    }

    void Deregister(const std::shared_ptr<Connection>& conn) {
        std::lock_guard lock(mu);
        connections.erase(conn);
        if (stopping && connections.empty()) {
            asio::post(control, [this] { drain_timer.cancel(); });
        }
    }

    // On `control`: close the acceptor, close idle connections, bound the drain.
    void BeginShutdown() {
        beast::error_code ec;
        acceptor.close(ec);
        std::vector<std::shared_ptr<Connection>> snapshot;
        {
            std::lock_guard lock(mu);
            snapshot.assign(connections.begin(), connections.end());
        }
        spdlog::info("http: stopping; {} open connection(s)", snapshot.size());
        for (const auto& conn : snapshot) {
            asio::post(conn->stream.get_executor(), [conn] {
                conn->close_requested = true;
                if (conn->idle) conn->stream.cancel();
            });
        }
        if (snapshot.empty()) return;
        drain_timer.expires_after(options.drain_timeout);
        drain_timer.async_wait([this](beast::error_code wait_ec) {
            if (wait_ec) return;  // cancelled: every connection finished in time
            std::vector<std::shared_ptr<Connection>> left;
            {
                std::lock_guard lock(mu);
                left.assign(connections.begin(), connections.end());
            }
            spdlog::warn("http: drain timeout; closing {} connection(s)", left.size());
            for (const auto& conn : left) {
                asio::post(conn->stream.get_executor(), [conn] { conn->stream.close(); });
            }
        });
    }

    // The synchronous part of one request: everything between a parsed message and the
    // response. Contains the one top-level catch. `route` receives the pattern for metrics.
    // The body is moved out of `raw`; its header stays usable.
    Response Dispatch(bhttp::request<bhttp::string_body>& raw, const std::string& remote,
                      const std::string& request_id, std::string& route);

    // Turns a Response into the wire message with the common headers.
    bhttp::response<bhttp::string_body> Finish(Response res, const std::string& request_id, unsigned version,
                                               bool head, bool keep_alive) const;
};

Response Server::Impl::Dispatch(bhttp::request<bhttp::string_body>& raw, const std::string& remote,
                                const std::string& request_id, std::string& route) {
    Request request;
    request.method = std::string(raw.method_string());
    request.target = std::string(raw.target());
    request.request_id = request_id;
    std::string_view raw_path = request.target;
    std::string_view raw_query;
    if (std::size_t q = raw_path.find('?'); q != std::string_view::npos) {
        raw_query = raw_path.substr(q + 1);
        raw_path = raw_path.substr(0, q);
    }
    try {
        auto segments = DecodePathSegments(raw_path);
        if (!segments) return Problem(segments.error(), raw_path, request_id);
        request.path = "/";
        for (std::size_t i = 0; i < segments->size(); ++i) {
            if (i > 0) request.path += '/';
            request.path += (*segments)[i];
        }
        if (!raw_query.empty()) {
            auto parsed = boost::urls::parse_query(raw_query);
            if (!parsed) {
                return Problem(core::Error::InvalidArgument("The query string is malformed."), raw_path, request_id);
            }
            boost::urls::encoding_opts opts;
            opts.space_as_plus = true;
            for (auto param : boost::urls::params_view(raw_query, opts)) {
                if (param.key.find('\0') != std::string::npos || param.value.find('\0') != std::string::npos) {
                    return Problem(core::Error::InvalidArgument("The query string must not contain NUL."), raw_path,
                                   request_id);
                }
                request.query.emplace_back(std::move(param.key), std::move(param.value));
            }
        }
        for (const auto& field : raw) {
            request.headers.emplace(std::string(field.name_string()), std::string(field.value()));
        }
        request.body = std::move(raw.body());
        request.remote_address = remote;
        if (options.trust_proxy) {
            if (auto xff = request.Header("X-Forwarded-For")) {
                std::string_view hop = TrimOws(xff->substr(0, xff->find(',')));
                if (!hop.empty()) request.remote_address = std::string(hop);
            }
            if (auto proto = request.Header("X-Forwarded-Proto")) request.secure = IEquals(TrimOws(*proto), "https");
        }

        Router::Match match = router.FindSegments(request.method, *segments);
        if (match.kind == Router::Match::Kind::kNotFound) {
            return Problem(404, "not-found", TitleFor(404), "No resource exists at this path.", raw_path, request_id);
        }
        if (match.kind == Router::Match::Kind::kMethodNotAllowed) {
            Response res = Problem(405, "method-not-allowed", TitleFor(405),
                                   fmt::format("This resource does not support {}.", request.method), raw_path,
                                   request_id);
            res.Set("Allow", fmt::format("{}", fmt::join(match.allowed, ", ")));
            return res;
        }
        route = match.pattern;
        request.route = std::move(match.pattern);
        request.path_params = std::move(match.params);
        Response res = wrap ? wrap(request, *match.handler) : (*match.handler)(request);
        if (!res.later) CheckResponse(res);  // a deferred response is checked when it comes
        return res;
    } catch (const std::exception& e) {
        spdlog::error("http: request {} {} {} failed: {}", request_id, request.method, raw_path, e.what());
    } catch (...) {
        spdlog::error("http: request {} {} {} failed with an unknown exception", request_id, request.method, raw_path);
    }
    return Problem(500, "internal", TitleFor(500), kInternalDetail, raw_path, request_id);
}

bhttp::response<bhttp::string_body> Server::Impl::Finish(Response res, const std::string& request_id,
                                                         unsigned version, bool head, bool keep_alive) const {
    bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), version};
    for (auto& [name, value] : res.headers) out.insert(name, value);
    if (out.find(bhttp::field::cache_control) == out.end()) out.set(bhttp::field::cache_control, "no-store");
    out.set("X-Content-Type-Options", "nosniff");
    out.set("Referrer-Policy", "no-referrer");
    out.set("X-Request-Id", request_id);
    out.keep_alive(keep_alive);
    bool bodiless = res.status == 204 || res.status == 304 || (res.status >= 100 && res.status < 200);
    std::size_t size = bodiless ? 0 : res.body.size();
    if (!bodiless && !head) out.body() = std::move(res.body);
    out.prepare_payload();
    if (head && !bodiless) out.content_length(size);
    return out;
}

namespace {

using Impl = Server::Impl;

inline constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// Writes a server-generated error response and closes the connection gracefully.
asio::awaitable<void> SendErrorAndClose(Impl* impl, std::shared_ptr<Connection> conn, Response res,
                                        std::string request_id, std::string method, std::string target,
                                        Clock::time_point started) {
    auto out = impl->Finish(std::move(res), request_id, 11, false, false);
    unsigned status = out.result_int();
    impl->metrics.Observe(kUnmatched, MetricMethod(method), status,
                          std::chrono::duration<double>(Clock::now() - started).count());
    conn->stream.expires_after(impl->options.request_timeout);
    auto [ec, n] = co_await bhttp::async_write(conn->stream, out, kTuple);
    spdlog::info("http: {} {} {} -> {} (connection closed)", request_id, method, target.substr(0, 200), status);
    if (ec) co_return;
    beast::error_code ignored;
    conn->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    // Lingering close: swallow what the client is still sending, bounded in time and bytes.
    conn->stream.expires_after(kLingerTimeout);
    std::size_t drained = 0;
    std::array<char, 4096> sink{};
    while (drained < kLingerBytes) {
        auto [rec, got] = co_await conn->stream.async_read_some(asio::buffer(sink), kTuple);
        if (rec) break;
        drained += got;
    }
}

// A deferred response (Response::Later): starts its work, waits without holding a thread, then
// makes the response here. The reply keeps the io_context's work count up, so Run() does not
// return while a reply is due; a second reply is ignored. Whatever throws becomes a 500.
asio::awaitable<Response> AwaitLater(std::function<void(Reply)> start, std::string path,
                                     std::string request_id) {
    auto make = co_await asio::async_initiate<decltype(asio::use_awaitable), void(MakeResponse)>(
        [&start](auto handler) {
            using Handler = decltype(handler);
            using Executor = decltype(asio::prefer(asio::get_associated_executor(handler),
                                                   asio::execution::outstanding_work.tracked));
            // Shared by the copies of the reply. The tracked executor keeps Run() going until the
            // first reply; a reply dropped without being called frees the request (its
            // connection is closed) instead of keeping the server up.
            struct Pending {
                std::mutex mu;
                std::optional<Executor> executor;
                std::optional<Handler> handler;
            };
            auto pending = std::make_shared<Pending>();
            pending->executor.emplace(asio::prefer(asio::get_associated_executor(handler),
                                                   asio::execution::outstanding_work.tracked));
            pending->handler.emplace(std::move(handler));
            Reply reply = [pending](MakeResponse make) {
                std::optional<Executor> executor;
                std::optional<Handler> handler;
                {
                    std::lock_guard lock(pending->mu);
                    if (!pending->handler) return;  // replied already
                    executor.emplace(std::move(*pending->executor));
                    handler.emplace(std::move(*pending->handler));
                    pending->executor.reset();
                    pending->handler.reset();
                }
                asio::post(*executor, [h = std::move(*handler), make = std::move(make)]() mutable {
                    std::move(h)(std::move(make));
                });
            };
            try {
                start(reply);
            } catch (...) {
                reply([e = std::current_exception()]() -> Response { std::rethrow_exception(e); });
            }
        },
        asio::use_awaitable);
    try {
        if (!make) throw std::logic_error("a deferred response replied with nothing");
        Response res = make();
        if (res.later) throw std::logic_error("a deferred response replied with another deferred response");
        CheckResponse(res);
        co_return res;
    } catch (const std::exception& e) {
        spdlog::error("http: request {} {} failed: {}", request_id, path, e.what());
    } catch (...) {
        spdlog::error("http: request {} {} failed with an unknown exception", request_id, path);
    }
    co_return Problem(500, "internal", TitleFor(500), kInternalDetail, path, request_id);
}

asio::awaitable<void> ServeConnection(Impl* impl, std::shared_ptr<Connection> conn) {
    const ServerOptions& opt = impl->options;
    beast::error_code ep_ec;
    std::string remote = conn->stream.socket().remote_endpoint(ep_ec).address().to_string();
    beast::flat_buffer buffer;
    while (!conn->close_requested) {
        // Idle keep-alive: wait for the first byte of the next request.
        if (buffer.size() == 0) {
            conn->idle = true;
            conn->stream.expires_after(opt.idle_timeout);
            auto [ec, n] = co_await conn->stream.async_read_some(buffer.prepare(kIdleReadChunk), kTuple);
            conn->idle = false;
            if (ec) break;  // closed by the client, idle timeout, or Stop()
            buffer.commit(n);
        }
        conn->idle = false;

        // The request deadline covers the header and the body.
        conn->stream.expires_after(opt.request_timeout);
        bhttp::request_parser<bhttp::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(opt.header_limit, UINT32_MAX)));
        parser.body_limit(opt.body_limit);
        auto [hec, hn] = co_await bhttp::async_read_header(conn->stream, buffer, parser, kTuple);
        Clock::time_point started = Clock::now();
        std::string request_id;
        if (!hec || parser.is_header_done()) {
            auto id = parser.get()["X-Request-Id"];
            request_id = SaneRequestId(id) ? std::string(id) : NewRequestId();
        } else {
            request_id = NewRequestId();
        }
        // Set as soon as the request line is parsed, even when the rest of the header fails.
        std::string method(parser.get().method_string());
        std::string target(parser.get().target());
        if (hec) {
            if (IsGoneOrTooSlow(hec)) break;  // nobody to answer, or Beast already closed the socket
            unsigned status = 400;
            std::string detail = "The request is not valid HTTP/1.1.";
            if (hec == bhttp::error::body_limit) {
                status = 413;
                detail = fmt::format("The request body exceeds {} bytes.", opt.body_limit);
            } else if (hec == bhttp::error::header_limit) {
                status = StatusForHeaderOverflow(target, opt.target_limit);
                detail = status == 414 ? fmt::format("The request target exceeds {} bytes.", opt.target_limit)
                                       : fmt::format("The request header exceeds {} bytes.", opt.header_limit);
            }
            Response res = status == 400 ? Problem(400, "malformed-request", TitleFor(400), detail, {}, request_id)
                                         : Problem(status, status == 413   ? "content-too-large"
                                                           : status == 414 ? "uri-too-long"
                                                                           : "header-too-large",
                                                   TitleFor(status), detail, {}, request_id);
            co_await SendErrorAndClose(impl, conn, std::move(res), request_id, method, target, started);
            break;
        }
        if (target.size() > opt.target_limit) {
            Response res = Problem(414, "uri-too-long", TitleFor(414),
                                   fmt::format("The request target exceeds {} bytes.", opt.target_limit), {},
                                   request_id);
            co_await SendErrorAndClose(impl, conn, std::move(res), request_id, method, target, started);
            break;
        }
        if (!parser.is_done()) {
            auto expect = parser.get()[bhttp::field::expect];
            if (IEquals(expect, "100-continue")) {
                static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
                auto [cec, cn] = co_await asio::async_write(conn->stream, asio::buffer(kContinue), kTuple);
                if (cec) break;
            }
            auto [bec, bn] = co_await bhttp::async_read(conn->stream, buffer, parser, kTuple);
            if (bec) {
                if (bec == bhttp::error::body_limit) {
                    Response res = Problem(413, "content-too-large", TitleFor(413),
                                           fmt::format("The request body exceeds {} bytes.", opt.body_limit),
                                           target.substr(0, target.find('?')), request_id);
                    co_await SendErrorAndClose(impl, conn, std::move(res), request_id, method, target, started);
                    break;
                }
                if (IsGoneOrTooSlow(bec)) break;
                Response res = Problem(400, "malformed-request", TitleFor(400), "The request body is not valid.",
                                       {}, request_id);
                co_await SendErrorAndClose(impl, conn, std::move(res), request_id, method, target, started);
                break;
            }
        }

        bhttp::request<bhttp::string_body> req = parser.release();
        std::string route(kUnmatched);
        Response res = impl->Dispatch(req, remote, request_id, route);
        if (res.later) res = co_await AwaitLater(std::move(res.later), target.substr(0, target.find('?')), request_id);
        bool keep_alive = req.keep_alive() && !conn->close_requested && !impl->IsStopping();
        auto out = impl->Finish(std::move(res), request_id, req.version(), req.method() == bhttp::verb::head,
                                keep_alive);
        unsigned status = out.result_int();
        // Observed before the write, so the figure is in place by the time the client has its answer.
        double seconds = std::chrono::duration<double>(Clock::now() - started).count();
        impl->metrics.Observe(route, MetricMethod(method), status, seconds);
        spdlog::debug("http: {} {} {} -> {} in {:.3f}s", request_id, method, route, status, seconds);
        conn->stream.expires_after(opt.request_timeout);
        auto [wec, wn] = co_await bhttp::async_write(conn->stream, out, kTuple);
        if (wec || !keep_alive) break;
    }
    beast::error_code ignored;
    conn->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    conn->stream.close();
}

void StartConnection(Impl* impl, tcp::socket socket) {
    auto conn = std::make_shared<Connection>(std::move(socket));
    if (!impl->Register(conn)) {
        conn->stream.close();
        return;
    }
    asio::co_spawn(conn->stream.get_executor(), ServeConnection(impl, conn), [impl, conn](std::exception_ptr e) {
        LogCoroutineExit("connection", e);
        impl->Deregister(conn);
    });
}

asio::awaitable<void> AcceptLoop(Impl* impl) {
    asio::steady_timer retry(impl->control);
    while (impl->acceptor.is_open()) {
        auto [ec, socket] = co_await impl->acceptor.async_accept(asio::make_strand(impl->ioc), kTuple);
        if (ec == asio::error::operation_aborted || !impl->acceptor.is_open()) break;
        if (ec) {
            // Out of descriptors and the like: log, back off briefly, keep accepting.
            spdlog::warn("http: accept failed: {}", ec.message());
            retry.expires_after(kAcceptRetryDelay);
            co_await retry.async_wait(kTuple);
            continue;
        }
        StartConnection(impl, std::move(socket));
    }
}

}  // namespace

Server::Server(ServerOptions options, const Router& router, Metrics& metrics, Middleware wrap)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics, std::move(wrap))) {}

Server::~Server() = default;

core::Result<void> Server::Listen() {
    beast::error_code ec;
    auto address = asio::ip::make_address(impl_->options.address, ec);
    if (ec) {
        return core::Fail(core::Error::InvalidArgument(fmt::format("invalid listen address '{}'", impl_->options.address)));
    }
    tcp::endpoint endpoint(address, impl_->options.port);
    auto& acceptor = impl_->acceptor;
    auto fail = [&](std::string_view step) {
        beast::error_code ignored;
        acceptor.close(ignored);
        return core::Fail(core::Error::Unavailable(
            fmt::format("cannot {} {}:{}: {}", step, impl_->options.address, impl_->options.port, ec.message())));
    };
    acceptor.open(endpoint.protocol(), ec);
    if (ec) return fail("open");
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (ec) return fail("configure");
    acceptor.bind(endpoint, ec);
    if (ec) return fail("bind");
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return fail("listen on");
    impl_->bound_port = acceptor.local_endpoint(ec).port();
    asio::co_spawn(impl_->control, AcceptLoop(impl_.get()),
                   [](std::exception_ptr e) { LogCoroutineExit("accept loop", e); });
    spdlog::info("http: listening on {}:{}", impl_->options.address, impl_->bound_port.load());
    return {};
}

unsigned short Server::port() const { return impl_->bound_port; }

void Server::Run() {
    auto work = [this] {
        for (;;) {
            try {
                impl_->ioc.run();
                return;
            } catch (const std::exception& e) {
                spdlog::error("http: worker caught an exception: {}", e.what());
            }
        }
    };
    std::vector<std::thread> workers;
    for (int i = 1; i < impl_->options.threads; ++i) workers.emplace_back(work);
    work();
    for (auto& t : workers) t.join();
    spdlog::info("http: stopped");
}

void Server::Stop() {
    if (impl_->stop_called.exchange(true)) return;
    {
        std::lock_guard lock(impl_->mu);
        impl_->stopping = true;
    }
    asio::post(impl_->control, [impl = impl_.get()] { impl->BeginShutdown(); });
}

}  // namespace customsdesk::http
