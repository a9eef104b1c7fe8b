#include "test_server.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "test_database.hpp"

namespace customsdesk::apitest {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

std::string HttpResult::Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
}

const boost::json::value& HttpResult::Json() const {
    if (!parsed) parsed = boost::json::parse(body);
    return *parsed;
}

bool HttpResult::IsProblem() const {
    if (Header("content-type").rfind("application/problem+json", 0) != 0) return false;
    try {
        auto v = Json();
        const auto& o = v.as_object();
        return o.contains("type") && o.contains("title") && o.at("status").as_int64() == static_cast<int>(status);
    } catch (...) {
        return false;
    }
}

TestServer::TestServer(std::vector<std::string> extra_args) : extra_args_(std::move(extra_args)) {
    // A server that closes a connection early must give an error, not kill the test with SIGPIPE.
    signal(SIGPIPE, SIG_IGN);
    db_url_ = test_support::TestDatabaseUrl();
    Start();
}

TestServer::~TestServer() {
    if (pid_ > 0) Kill();
}

void TestServer::Start() {
    int out[2];
    if (pipe(out) != 0) throw std::runtime_error("pipe failed");
    std::vector<std::string> args = {CUSTOMSDESK_BINARY, "serve", "--db", db_url_, "--listen", "127.0.0.1:0",
                                     "--demo", "--threads", "2", "--log-level", "warn"};
    args.insert(args.end(), extra_args_.begin(), extra_args_.end());
    pid_ = fork();
    if (pid_ == 0) {
        // The server dies with the test process, even when the test is killed by a timeout.
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(out[1], STDOUT_FILENO);
        close(out[0]);
        close(out[1]);
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    close(out[1]);
    // Read stdout until the "serving http://127.0.0.1:PORT" line (the binary prints it once listening).
    std::string text;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{out[0], POLLIN, 0};
        if (poll(&p, 1, 500) <= 0) continue;
        char buf[512];
        const auto n = read(out[0], buf, sizeof buf);
        if (n <= 0) break;
        text.append(buf, static_cast<std::size_t>(n));
        const auto at = text.find("serving http://127.0.0.1:");
        if (at != std::string::npos && text.find('\n', at) != std::string::npos) {
            port_ = static_cast<unsigned short>(std::stoi(text.substr(at + 25)));
            break;
        }
    }
    // Keep draining stdout in the background so the server never blocks on a full pipe.
    std::thread([fd = out[0]] {
        char buf[512];
        while (read(fd, buf, sizeof buf) > 0) {
        }
        close(fd);
    }).detach();
    if (port_ == 0) throw std::runtime_error("the server did not start; output:\n" + text);
}

bool TestServer::running() {
    if (pid_ <= 0) return false;
    int status = 0;
    return waitpid(pid_, &status, WNOHANG) == 0;
}

void TestServer::Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
}

int TestServer::Terminate() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void TestServer::Restart() {
    port_ = 0;
    Start();
}

HttpResult Client::Request(const std::string& method, const std::string& target, const std::string& body,
                           std::map<std::string, std::string> headers) {
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
    stream.expires_after(std::chrono::seconds(60));
    bhttp::request<bhttp::string_body> req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    req.set(bhttp::field::host, "127.0.0.1");
    if (!cookie_.empty()) req.set(bhttp::field::cookie, cookie_);
    if (!bearer_.empty()) req.set(bhttp::field::authorization, "Bearer " + bearer_);
    if (send_csrf_ && !csrf_.empty() && method != "GET") req.set("X-CSRF-Token", csrf_);
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    bhttp::write(stream, req);
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    parser.skip(method == "HEAD");
    bhttp::read(stream, buffer, parser);
    auto res = parser.release();
    HttpResult out;
    out.status = res.result_int();
    for (const auto& f : res) {
        std::string name(f.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out.headers.emplace(name, std::string(f.value()));
    }
    out.body = res.body();
    beast::error_code ec;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    return out;
}

std::string Client::Raw(const std::string& bytes) {
    asio::io_context io;
    asio::ip::tcp::socket sock(io);
    sock.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
    boost::system::error_code ec;
    asio::write(sock, asio::buffer(bytes), ec);
    sock.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    std::string out;
    char buf[4096];
    for (;;) {
        const auto n = sock.read_some(asio::buffer(buf), ec);
        if (ec || n == 0) break;
        out.append(buf, n);
    }
    return out;
}

HttpResult Client::Login(const std::string& username, const std::string& password) {
    cookie_.clear();
    csrf_.clear();
    auto r = PostJson("/api/v1/auth/login", boost::json::object{{"username", username}, {"password", password}});
    if (r.status == 200) {
        const auto set_cookie = r.Header("set-cookie");
        cookie_ = set_cookie.substr(0, set_cookie.find(';'));
        csrf_ = std::string(r.Json().at("csrf_token").as_string());
    }
    return r;
}

}  // namespace customsdesk::apitest
