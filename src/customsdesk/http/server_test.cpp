// Server tests against a real Server on 127.0.0.1:0 and a real client over TCP (raw bytes out,
// Beast's parser in). Outcomes only: no test measures wall-clock time.
#include "customsdesk/http/server.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>
#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include "customsdesk/http/problem.hpp"

namespace customsdesk::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using RawResponse = bhttp::response<bhttp::string_body>;

// A blocking client on its own socket; reads time out after 10 s so a broken server fails the
// test instead of hanging it.
class Client {
public:
    explicit Client(unsigned short port) : socket_(ioc_) {
        socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        timeval tv{10, 0};
        ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    }

    void Send(std::string_view raw) { asio::write(socket_, asio::buffer(raw)); }

    // nullopt when the connection ended (or failed) before a whole response arrived.
    std::optional<RawResponse> Read(bool head = false) {
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(16 * 1024 * 1024);
        parser.skip(head);
        beast::error_code ec;
        bhttp::read(socket_, buffer_, parser, ec);
        if (ec) return std::nullopt;
        return parser.release();
    }

    std::optional<RawResponse> Get(std::string_view target, std::string_view extra_headers = "") {
        Send(fmt::format("GET {} HTTP/1.1\r\nHost: test\r\n{}\r\n", target, extra_headers));
        return Read();
    }

    // True when the server has closed the connection (a read gets end-of-file or a reset).
    bool ClosedByPeer() {
        char byte;
        beast::error_code ec;
        if (buffer_.size() > 0) return false;
        socket_.read_some(asio::buffer(&byte, 1), ec);
        return ec == asio::error::eof || ec == asio::error::connection_reset;
    }

private:
    asio::io_context ioc_;
    tcp::socket socket_;
    beast::flat_buffer buffer_;
};

boost::json::object JsonBody(const RawResponse& r) { return boost::json::parse(r.body()).as_object(); }

struct SlowGate {
    std::promise<void> entered;
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
};

class ServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        router_.Add("GET", "/hello", [](Request&) { return Response::Text(200, "hello"); });
        router_.Add("GET", "/items/{id}", [](Request& r) {
            return Response::Json(200, boost::json::object{{"id", r.PathParam("id")}, {"route", r.route}});
        });
        router_.Add("POST", "/items", [](Request& r) {
            return Response::Json(201, boost::json::object{{"size", r.body.size()}});
        });
        router_.Add("GET", "/query", [](Request& r) {
            return Response::Json(200, boost::json::object{{"q", r.QueryParam("q").value_or("-")},
                                                           {"path", r.path}});
        });
        router_.Add("GET", "/boom",
                    [](Request&) -> Response { throw std::runtime_error("secret-internal-detail"); });
        router_.Add("GET", "/cached", [](Request&) {
            Response r = Response::Text(200, "x");
            r.Set("Cache-Control", "max-age=60");
            return r;
        });
        router_.Add("GET", "/injection", [](Request&) {
            Response r = Response::Text(200, "x");
            r.Set("X-Evil", "a\r\nSet-Cookie: stolen=1");
            return r;
        });
        // Deferred: the reply is kept until /later/release hands it a response from another thread.
        router_.Add("GET", "/later/wait", [this](Request&) {
            return Response::Later([this](Reply reply) {
                std::lock_guard lock(later_mu_);
                parked_.push_back(std::move(reply));
            });
        });
        router_.Add("GET", "/later/release", [this](Request&) {
            std::vector<Reply> parked;
            {
                std::lock_guard lock(later_mu_);
                parked.swap(parked_);
            }
            std::thread([parked] {
                for (std::size_t i = 0; i < parked.size(); ++i)
                    parked[i]([i] { return Response::Text(201, "released " + std::to_string(i)); });
            }).detach();
            return Response::Text(200, std::to_string(parked.size()));
        });
        router_.Add("GET", "/later/twice", [](Request&) {
            return Response::Later([](Reply reply) {
                reply([] { return Response::Text(200, "first"); });
                reply([] { return Response::Text(200, "second"); });
            });
        });
        router_.Add("GET", "/later/boom", [](Request&) {
            return Response::Later([](Reply) { throw std::runtime_error("secret-start-detail"); });
        });
        router_.Add("GET", "/later/make-boom", [](Request&) {
            return Response::Later([](Reply reply) {
                reply([]() -> Response { throw std::runtime_error("secret-make-detail"); });
            });
        });
        router_.Add("GET", "/slow", [this](Request&) {
            gate_.entered.set_value();
            gate_.released.wait();
            return Response::Text(200, "slow done");
        });
    }

    void Start(ServerOptions options = {}, Server::Middleware wrap = {}) {
        options.address = "127.0.0.1";
        options.port = 0;
        server_ = std::make_unique<Server>(options, router_, metrics_, std::move(wrap));
        auto listened = server_->Listen();
        ASSERT_TRUE(listened.has_value()) << listened.error().message;
        runner_ = std::thread([this] { server_->Run(); });
    }

    void TearDown() override {
        if (server_) server_->Stop();
        if (runner_.joinable()) runner_.join();
    }

    static ServerOptions SmallLimits() {
        ServerOptions o;
        o.threads = 2;
        o.body_limit = 1024;
        o.header_limit = 4096;
        o.target_limit = 1024;
        o.request_timeout = std::chrono::seconds(1);
        o.idle_timeout = std::chrono::seconds(30);
        o.drain_timeout = std::chrono::seconds(30);
        return o;
    }

    unsigned short port() const { return server_->port(); }

    Router router_;
    Metrics metrics_;
    SlowGate gate_;
    std::mutex later_mu_;
    std::vector<Reply> parked_;
    std::unique_ptr<Server> server_;
    std::thread runner_;
};

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
    Start(SmallLimits());
    ASSERT_NE(port(), 0);
    Client c(port());
    for (int i = 0; i < 3; ++i) {
        auto r = c.Get("/items/" + std::to_string(i));
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ(r->result_int(), 200u);
        EXPECT_TRUE(r->keep_alive());
        EXPECT_EQ(JsonBody(*r).at("id").as_string(), std::to_string(i));
        EXPECT_EQ(JsonBody(*r).at("route").as_string(), "/items/{id}");
        EXPECT_EQ((*r)[bhttp::field::content_type], "application/json");
    }
    c.Send("POST /items HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nabcde");
    auto r = c.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result_int(), 201u);
    EXPECT_EQ(JsonBody(*r).at("size").to_number<int>(), 5);
}

TEST_F(ServerTest, SecurityHeadersOnEveryResponse) {
    Start(SmallLimits());
    Client c(port());
    for (std::string_view target : {"/hello", "/nope"}) {
        auto r = c.Get(target);
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ((*r)["X-Content-Type-Options"], "nosniff");
        EXPECT_EQ((*r)["Referrer-Policy"], "no-referrer");
        EXPECT_EQ((*r)[bhttp::field::cache_control], "no-store");
        EXPECT_EQ(r->find(bhttp::field::server), r->end());
    }
    auto cached = c.Get("/cached");
    ASSERT_TRUE(cached.has_value());
    EXPECT_EQ((*cached)[bhttp::field::cache_control], "max-age=60");
}

TEST_F(ServerTest, HeadOnGetRouteHasNoBody) {
    Start(SmallLimits());
    Client c(port());
    c.Send("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n");
    auto r = c.Read(/*head=*/true);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result_int(), 200u);
    EXPECT_EQ((*r)[bhttp::field::content_length], "5");
    EXPECT_TRUE(r->body().empty());
    // The connection is still in sync: the next response is read correctly.
    auto next = c.Get("/hello");
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(next->body(), "hello");
}

TEST_F(ServerTest, BodyOverLimitIs413AndServerKeepsServing) {
    Start(SmallLimits());
    {
        Client c(port());
        c.Send("POST /items HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'x'));
        auto r = c.Read();
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ(r->result_int(), 413u);
        EXPECT_EQ((*r)[bhttp::field::content_type], "application/problem+json");
        EXPECT_EQ(JsonBody(*r).at("status").to_number<int>(), 413);
        EXPECT_FALSE(r->keep_alive());
    }
    {
        // Chunked: the limit is only discovered while reading the body.
        Client c(port());
        std::string chunk(800, 'y');
        c.Send("POST /items HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n320\r\n" + chunk +
               "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n");
        auto r = c.Read();
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ(r->result_int(), 413u);
    }
    Client again(port());
    auto ok = again.Get("/hello");
    ASSERT_TRUE(ok.has_value());
    EXPECT_EQ(ok->result_int(), 200u);
}

TEST_F(ServerTest, LongTargetIs414) {
    Start(SmallLimits());
    {
        Client c(port());  // longer than target_limit, shorter than header_limit
        auto r = c.Get("/hello?q=" + std::string(2000, 'a'));
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ(r->result_int(), 414u);
        EXPECT_EQ(JsonBody(*r).at("status").to_number<int>(), 414);
    }
    {
        Client c(port());  // longer than the whole header limit
        auto r = c.Get("/hello?q=" + std::string(10000, 'a'));
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ(r->result_int(), 414u);
    }
    {
        Client c(port());  // a short target with too many header bytes is 431
        auto r = c.Get("/hello", "X-Big: " + std::string(6000, 'b') + "\r\n");
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ(r->result_int(), 431u);
    }
    Client again(port());
    ASSERT_TRUE(again.Get("/hello").has_value());
}

TEST_F(ServerTest, MalformedRequestLineIs400AndCloses) {
    Start(SmallLimits());
    Client c(port());
    c.Send("THIS IS NOT HTTP\r\n\r\n");
    auto r = c.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result_int(), 400u);
    EXPECT_EQ((*r)[bhttp::field::content_type], "application/problem+json");
    EXPECT_TRUE(c.ClosedByPeer());
}

TEST_F(ServerTest, UnknownRouteIs404Problem) {
    Start(SmallLimits());
    Client c(port());
    auto r = c.Get("/nope/deeper");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result_int(), 404u);
    auto body = JsonBody(*r);
    EXPECT_EQ(body.at("type").as_string(), "https://customsdesk.example/problems/not-found");
    EXPECT_EQ(body.at("instance").as_string(), "/nope/deeper");
    EXPECT_TRUE(r->keep_alive());
}

TEST_F(ServerTest, WrongMethodIs405WithAllow) {
    Start(SmallLimits());
    Client c(port());
    c.Send("DELETE /hello HTTP/1.1\r\nHost: t\r\n\r\n");
    auto r = c.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result_int(), 405u);
    EXPECT_EQ((*r)[bhttp::field::allow], "GET, HEAD");
    EXPECT_EQ(JsonBody(*r).at("status").to_number<int>(), 405);
}

TEST_F(ServerTest, ThrowingHandlerIsBare500) {
    Start(SmallLimits());
    Client c(port());
    auto r = c.Get("/boom", "X-Request-Id: boom-1\r\n");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result_int(), 500u);
    EXPECT_EQ((*r)[bhttp::field::content_type], "application/problem+json");
    EXPECT_EQ(r->body().find("secret-internal-detail"), std::string::npos);
    EXPECT_EQ(JsonBody(*r).at("request_id").as_string(), "boom-1");
    // The connection survives a handler failure.
    auto next = c.Get("/hello");
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(next->result_int(), 200u);
}

// A deferred response holds no thread while it waits: with ONE server thread, a second request is
// served while the first waits, and the first is answered when its reply comes from elsewhere.
TEST_F(ServerTest, DeferredResponseFreesTheThreadUntilItsReply) {
    ServerOptions o = SmallLimits();
    o.threads = 1;
    o.request_timeout = std::chrono::seconds(30);
    Start(o);
    Client waiting(port());
    waiting.Send("GET /later/wait HTTP/1.1\r\nHost: t\r\n\r\n");
    Client other(port());
    auto hello = other.Get("/hello");  // the only thread is free
    ASSERT_TRUE(hello.has_value());
    EXPECT_EQ(hello->body(), "hello");
    std::optional<RawResponse> released;
    for (int attempt = 0; attempt < 1000; ++attempt) {  // until /later/wait has parked its reply
        released = other.Get("/later/release");
        ASSERT_TRUE(released.has_value());
        if (released->body() == "1") break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_EQ(released->body(), "1");
    auto r = waiting.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result_int(), 201u);
    EXPECT_EQ(r->body(), "released 0");
    EXPECT_EQ((*r)["X-Content-Type-Options"], "nosniff");  // finished like any response
    // The connection stays usable, and the deferred request was counted once.
    auto again = waiting.Get("/hello");
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->result_int(), 200u);
    EXPECT_NE(metrics_.Render().find("route=\"/later/wait\""), std::string::npos);
}

TEST_F(ServerTest, DeferredResponseTakesTheFirstReplyAndTurnsFailuresInto500) {
    Start(SmallLimits());
    Client c(port());
    auto twice = c.Get("/later/twice");
    ASSERT_TRUE(twice.has_value());
    EXPECT_EQ(twice->body(), "first");
    for (const char* target : {"/later/boom", "/later/make-boom"}) {
        auto r = c.Get(target, "X-Request-Id: later-1\r\n");
        ASSERT_TRUE(r.has_value()) << target;
        EXPECT_EQ(r->result_int(), 500u) << target;
        EXPECT_EQ(r->body().find("secret"), std::string::npos) << target;
        EXPECT_EQ(JsonBody(*r).at("request_id").as_string(), "later-1") << target;
    }
    auto next = c.Get("/hello");  // the connection survives
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(next->result_int(), 200u);
}

// Stop() waits for a deferred response that is still due, as for a handler still running.
TEST_F(ServerTest, GracefulStopWaitsForADeferredReply) {
    Start(SmallLimits());
    Client waiting(port());
    waiting.Send("GET /later/wait HTTP/1.1\r\nHost: t\r\n\r\n");
    for (int attempt = 0; attempt < 2000; ++attempt) {
        {
            std::lock_guard lock(later_mu_);
            if (!parked_.empty()) break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    Reply reply;
    {
        std::lock_guard lock(later_mu_);
        ASSERT_EQ(parked_.size(), 1u);
        reply = parked_.front();
        parked_.clear();
    }
    server_->Stop();
    reply([] { return Response::Text(200, "late but answered"); });
    auto r = waiting.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->body(), "late but answered");
    EXPECT_FALSE(r->keep_alive());
    runner_.join();
}

TEST_F(ServerTest, InvalidPercentEncodingIs400) {
    Start(SmallLimits());
    Client c(port());
    for (std::string_view target : {"/items/%zz", "/items/%4", "/items/a%00b", "/query?q=%zz"}) {
        auto r = c.Get(target);
        ASSERT_TRUE(r.has_value()) << target;
        EXPECT_EQ(r->result_int(), 400u) << target;
        EXPECT_EQ((*r)[bhttp::field::content_type], "application/problem+json");
    }
}

TEST_F(ServerTest, PathAndQueryAreDecoded) {
    Start(SmallLimits());
    Client c(port());
    auto r = c.Get("/items/a%2Fb%20c");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result_int(), 200u);
    EXPECT_EQ(JsonBody(*r).at("id").as_string(), "a/b c");
    auto q = c.Get("/query?x=1&q=caf%C3%A9+au+lait");
    ASSERT_TRUE(q.has_value());
    EXPECT_EQ(JsonBody(*q).at("q").as_string(), "caf\xC3\xA9 au lait");
}

TEST_F(ServerTest, RequestIdIsEchoedOrGenerated) {
    Start(SmallLimits());
    Client c(port());
    auto r = c.Get("/hello", "X-Request-Id: client-id-42\r\n");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ((*r)["X-Request-Id"], "client-id-42");
    auto g = c.Get("/hello", "X-Request-Id: " + std::string(100, 'a') + "\r\n");
    ASSERT_TRUE(g.has_value());
    std::string generated((*g)["X-Request-Id"]);
    EXPECT_EQ(generated.size(), 32u);
    EXPECT_EQ(generated.find_first_not_of("0123456789abcdef"), std::string::npos);
    auto n = c.Get("/nope");
    ASSERT_TRUE(n.has_value());
    EXPECT_EQ(JsonBody(*n).at("request_id").as_string(), std::string((*n)["X-Request-Id"]));
}

TEST_F(ServerTest, SlowClientIsDroppedAndOthersAreServed) {
    Start(SmallLimits());  // request_timeout 1 s
    Client slow(port());
    slow.Send("GET /hello HTTP/1.1\r\nHost: t\r\n");  // half a header, then silence
    Client other(port());
    auto r = other.Get("/hello");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result_int(), 200u);
    // The slow client gets either a 408 or a closed connection, never a normal answer.
    auto s = slow.Read();
    if (s.has_value()) {
        EXPECT_EQ(s->result_int(), 408u);
    }
    Client after(port());
    auto a = after.Get("/hello");
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->result_int(), 200u);
}

TEST_F(ServerTest, GracefulStopFinishesInFlightRequest) {
    Start(SmallLimits());
    Client idle(port());
    ASSERT_TRUE(idle.Get("/hello").has_value());  // an idle keep-alive connection
    Client busy(port());
    busy.Send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
    gate_.entered.get_future().wait();
    server_->Stop();
    gate_.release.set_value();
    auto r = busy.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result_int(), 200u);
    EXPECT_EQ(r->body(), "slow done");
    EXPECT_FALSE(r->keep_alive());
    EXPECT_TRUE(idle.ClosedByPeer());
    runner_.join();  // Run() returns
}

TEST_F(ServerTest, MetricsCountRequests) {
    Start(SmallLimits());
    Client c(port());
    ASSERT_TRUE(c.Get("/items/1").has_value());
    ASSERT_TRUE(c.Get("/items/2").has_value());
    ASSERT_TRUE(c.Get("/nope").has_value());
    std::string text = metrics_.Render();
    EXPECT_NE(text.find(R"(customsdesk_http_requests_total{route="/items/{id}",method="GET",status="200"} 2)"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find(R"(customsdesk_http_requests_total{route="unmatched",method="GET",status="404"} 1)"),
              std::string::npos);
    EXPECT_NE(text.find(R"(customsdesk_http_request_duration_seconds_count{route="/items/{id}",method="GET",status="200"} 2)"),
              std::string::npos);
}

TEST_F(ServerTest, MiddlewareWrapsRoutedHandlers) {
    Start(SmallLimits(), [](Request& req, const Handler& next) -> Response {
        if (req.Header("Authorization") != "Bearer good") return Problem(core::Error::Unauthenticated("no token"));
        req.context["user"] = std::string("alice");
        Response res = next(req);
        res.Set("X-Wrapped", "yes");
        return res;
    });
    Client c(port());
    auto denied = c.Get("/hello");
    ASSERT_TRUE(denied.has_value());
    EXPECT_EQ(denied->result_int(), 401u);
    EXPECT_EQ((*denied)[bhttp::field::www_authenticate], "Bearer");
    auto ok = c.Get("/hello", "Authorization: Bearer good\r\n");
    ASSERT_TRUE(ok.has_value());
    EXPECT_EQ(ok->result_int(), 200u);
    EXPECT_EQ((*ok)["X-Wrapped"], "yes");
    auto unrouted = c.Get("/nope");  // 404 is decided before the middleware
    ASSERT_TRUE(unrouted.has_value());
    EXPECT_EQ(unrouted->result_int(), 404u);
}

TEST_F(ServerTest, HeaderInjectionFromHandlerBecomes500) {
    Start(SmallLimits());
    Client c(port());
    auto r = c.Get("/injection");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result_int(), 500u);
    EXPECT_EQ(r->find(bhttp::field::set_cookie), r->end());
}

TEST_F(ServerTest, ExpectContinueGetsInterimResponse) {
    Start(SmallLimits());
    Client c(port());
    c.Send("POST /items HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
    auto interim = c.Read();
    ASSERT_TRUE(interim.has_value());
    EXPECT_EQ(interim->result_int(), 100u);
    c.Send("abc");
    auto r = c.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result_int(), 201u);
    EXPECT_EQ(JsonBody(*r).at("size").to_number<int>(), 3);
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosed) {
    ServerOptions o = SmallLimits();
    o.idle_timeout = std::chrono::seconds(1);
    Start(o);
    Client c(port());
    ASSERT_TRUE(c.Get("/hello").has_value());
    EXPECT_TRUE(c.ClosedByPeer());  // blocks until the server gives up on the idle connection
}

TEST_F(ServerTest, StopWithoutConnectionsReturnsFromRun) {
    Start(SmallLimits());
    server_->Stop();
    server_->Stop();  // idempotent
    runner_.join();
}

TEST_F(ServerTest, ListenReportsAddressInUse) {
    Start(SmallLimits());
    ServerOptions o = SmallLimits();
    o.port = port();
    Server second(o, router_, metrics_);
    auto result = second.Listen();
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, core::ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace customsdesk::http
