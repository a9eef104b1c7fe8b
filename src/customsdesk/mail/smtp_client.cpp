#include "customsdesk/mail/smtp_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <optional>

namespace customsdesk::mail {

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

// A reply line longer than this ends the session (RFC 5321 allows 512 octets per reply line).
constexpr std::size_t kMaxReplyBytes = 64 * 1024;

struct Reply {
    int code = 0;
    std::string text;  // all lines, joined with "\n"
};

// One SMTP session: synchronous steps, each run on a private io_context with a deadline.
class Session {
public:
    Session(const SmtpSettings& settings) : settings_(settings), socket_(io_) {}

    core::Result<void> Connect() {
        tcp::resolver resolver(io_);
        std::optional<tcp::resolver::results_type> endpoints;
        error_code ec = Run(
            [&](auto done) {
                resolver.async_resolve(settings_.host, std::to_string(settings_.port),
                                       [&, done](error_code e, tcp::resolver::results_type r) {
                                           if (!e) endpoints = std::move(r);
                                           done(e);
                                       });
            },
            settings_.connect_timeout, [&] { resolver.cancel(); });
        if (ec) return Unavailable("cannot resolve " + settings_.host, ec);
        ec = Run(
            [&](auto done) {
                asio::async_connect(socket_, *endpoints, [done](error_code e, const tcp::endpoint&) { done(e); });
            },
            settings_.connect_timeout, [&] { socket_.close(); });
        if (ec) return Unavailable("cannot connect to " + Where(), ec);
        return {};
    }

    core::Result<Reply> Read(std::chrono::milliseconds timeout) {
        Reply reply;
        for (;;) {
            std::size_t line_length = 0;
            error_code ec = Run(
                [&](auto done) {
                    asio::async_read_until(socket_, asio::dynamic_buffer(buffer_, kMaxReplyBytes), "\r\n",
                                           [&, done](error_code e, std::size_t n) {
                                               line_length = n;
                                               done(e);
                                           });
                },
                timeout, [&] { socket_.close(); });
            if (ec) return core::Fail(Unavailable("no reply from " + Where(), ec).error());
            std::string line = buffer_.substr(0, line_length - 2);
            buffer_.erase(0, line_length);
            if (line.size() < 3 || !std::isdigit(static_cast<unsigned char>(line[0])) ||
                !std::isdigit(static_cast<unsigned char>(line[1])) || !std::isdigit(static_cast<unsigned char>(line[2]))) {
                return core::Fail(core::Error::Unavailable("malformed SMTP reply from " + Where() + ": " + line));
            }
            int code = std::stoi(line.substr(0, 3));
            if (reply.code != 0 && code != reply.code) {
                return core::Fail(core::Error::Unavailable("inconsistent SMTP reply codes from " + Where()));
            }
            reply.code = code;
            if (!reply.text.empty()) reply.text.push_back('\n');
            reply.text += line.size() > 4 ? line.substr(4) : std::string();
            if (line.size() == 3 || line[3] == ' ') return reply;
            if (line[3] != '-') {
                return core::Fail(core::Error::Unavailable("malformed SMTP reply from " + Where() + ": " + line));
            }
        }
    }

    core::Result<void> Write(std::string_view data) {
        error_code ec = Run(
            [&](auto done) { asio::async_write(socket_, asio::buffer(data), [done](error_code e, std::size_t) { done(e); }); },
            settings_.command_timeout, [&] { socket_.close(); });
        if (ec) return Unavailable("cannot send to " + Where(), ec);
        return {};
    }

    // Sends `command` (without CRLF) and expects a reply whose code is one of `ok`.
    core::Result<Reply> Command(const std::string& command, std::initializer_list<int> ok,
                                std::chrono::milliseconds timeout) {
        if (auto w = Write(command + "\r\n"); !w) return core::Fail(w.error());
        auto reply = Read(timeout);
        if (!reply) return reply;
        return Expect(*reply, command, ok);
    }

    core::Result<Reply> Expect(const Reply& reply, std::string_view what, std::initializer_list<int> ok) {
        for (int code : ok) {
            if (reply.code == code) return reply;
        }
        std::string message = "the SMTP relay " + Where() + " answered " + std::to_string(reply.code) + " " +
                              reply.text + " to " + std::string(what);
        if (reply.code >= 500) return core::Fail(core::Error::FailedPrecondition(std::move(message)));
        return core::Fail(core::Error::Unavailable(std::move(message)));
    }

    void Close() {
        error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
    }

    std::string Where() const { return settings_.host + ":" + std::to_string(settings_.port); }

private:
    // Starts an operation with `start(done)`, runs the io_context until `done(ec)` is called or the
    // timeout passes; on timeout calls `cancel()` and reports timed_out.
    template <typename Start, typename Cancel>
    error_code Run(Start&& start, std::chrono::milliseconds timeout, Cancel&& cancel) {
        std::optional<error_code> result;
        io_.restart();
        start([&result](error_code ec) { result = ec; });
        io_.run_for(timeout);
        if (!result) {
            cancel();
            io_.restart();
            io_.run();  // let the cancelled operation complete
            return asio::error::timed_out;
        }
        return *result;
    }

    core::Result<void> Unavailable(std::string what, error_code ec) {
        return core::Fail(core::Error::Unavailable(what + ": " + ec.message()));
    }

    const SmtpSettings& settings_;
    asio::io_context io_;
    tcp::socket socket_;
    std::string buffer_;
};

bool PlainAddress(std::string_view addr) {
    return !addr.empty() && addr.size() <= 320 && addr.find_first_of("\r\n<> \t") == std::string_view::npos;
}

}  // namespace

SmtpClient::SmtpClient(SmtpSettings settings) : settings_(std::move(settings)) {}

core::Result<void> SmtpClient::Send(const OutboundMessage& message) const {
    auto data = ComposeMessage(message);
    if (!data) return core::Fail(data.error());
    std::vector<std::string> recipients;
    for (const auto& to : message.to) recipients.push_back(to.address);
    return SendRaw(message.from.address, recipients, *data);
}

core::Result<void> SmtpClient::SendRaw(std::string_view envelope_from, const std::vector<std::string>& recipients,
                                       std::string_view data) const {
    if (!envelope_from.empty() && !PlainAddress(envelope_from)) {
        return core::Fail(core::Error::InvalidArgument("invalid envelope sender"));
    }
    if (recipients.empty()) return core::Fail(core::Error::InvalidArgument("no recipients"));
    for (const auto& r : recipients) {
        if (!PlainAddress(r)) return core::Fail(core::Error::InvalidArgument("invalid recipient address: " + r));
    }
    const std::string stuffed = DotStuff(data);

    Session session(settings_);
    auto result = [&]() -> core::Result<void> {
        if (auto c = session.Connect(); !c) return c;
        auto greeting = session.Read(settings_.command_timeout);
        if (!greeting) return core::Fail(greeting.error());
        if (auto g = session.Expect(*greeting, "the connection", {220}); !g) return core::Fail(g.error());
        auto ehlo = session.Command("EHLO " + settings_.helo_name, {250}, settings_.command_timeout);
        if (!ehlo && ehlo.error().code == core::ErrorCode::kFailedPrecondition) {
            ehlo = session.Command("HELO " + settings_.helo_name, {250}, settings_.command_timeout);
        }
        if (!ehlo) return core::Fail(ehlo.error());
        auto mail = session.Command("MAIL FROM:<" + std::string(envelope_from) + ">", {250}, settings_.command_timeout);
        if (!mail) return core::Fail(mail.error());
        for (const auto& r : recipients) {
            auto rcpt = session.Command("RCPT TO:<" + r + ">", {250, 251}, settings_.command_timeout);
            if (!rcpt) return core::Fail(rcpt.error());
        }
        auto go = session.Command("DATA", {354}, settings_.command_timeout);
        if (!go) return core::Fail(go.error());
        if (auto w = session.Write(stuffed); !w) return w;
        auto accepted = session.Read(settings_.data_timeout);
        if (!accepted) return core::Fail(accepted.error());
        if (auto a = session.Expect(*accepted, "the message data", {250}); !a) return core::Fail(a.error());
        return {};
    }();
    if (result) {
        // The message is accepted; a failed QUIT changes nothing.
        (void)session.Command("QUIT", {221}, settings_.command_timeout);
    } else if (result.error().code == core::ErrorCode::kFailedPrecondition) {
        (void)session.Command("QUIT", {221}, settings_.command_timeout);
    }
    session.Close();
    return result;
}

}  // namespace customsdesk::mail
