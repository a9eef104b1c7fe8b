// SmtpClient against a scripted in-process SMTP server (the real-server test is postfix_test.cpp).
#include "customsdesk/mail/smtp_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <thread>

namespace customsdesk::mail {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// Answers each command with the next scripted reply for its verb (default 250), records what it got.
// reply_to["DATA-END"] is the reply after the final dot; "GREETING" the greeting; "SILENT" never answers.
using Replies = std::map<std::string, std::string>;

class FakeSmtpServer {
public:
    explicit FakeSmtpServer(Replies replies) : replies_(std::move(replies)) {
        acceptor_.open(tcp::v4());
        acceptor_.bind({asio::ip::make_address("127.0.0.1"), 0});
        acceptor_.listen();
        port_ = acceptor_.local_endpoint().port();
        thread_ = std::thread([this] { Serve(); });
    }
    ~FakeSmtpServer() { Join(); }

    // Waits for the conversation to end (the client disconnected); then commands() and data() are stable.
    void Join() {
        if (thread_.joinable()) thread_.join();
    }

    std::uint16_t port() const { return port_; }
    const std::vector<std::string>& commands() const { return commands_; }
    const std::string& data() const { return data_; }

private:
    std::string Reply(const std::string& key, const std::string& fallback) {
        auto it = replies_.find(key);
        return (it == replies_.end() ? fallback : it->second) + "\r\n";
    }

    void Serve() {
        try {
            tcp::socket socket(io_);
            acceptor_.accept(socket);
            if (replies_.contains("SILENT")) {
                std::string ignored;
                boost::system::error_code ec;
                asio::read_until(socket, asio::dynamic_buffer(ignored), "never", ec);
                return;
            }
            asio::write(socket, asio::buffer(Reply("GREETING", "220 fake ESMTP")));
            std::string buffer;
            for (;;) {
                std::size_t n = asio::read_until(socket, asio::dynamic_buffer(buffer), "\r\n");
                std::string line = buffer.substr(0, n - 2);
                buffer.erase(0, n);
                commands_.push_back(line);
                std::string verb = line.substr(0, line.find_first_of(" :"));
                if (verb == "DATA") {
                    asio::write(socket, asio::buffer(Reply("DATA", "354 go ahead")));
                    if (!replies_.contains("DATA") || replies_["DATA"].starts_with("354")) {
                        std::size_t end = asio::read_until(socket, asio::dynamic_buffer(buffer), "\r\n.\r\n");
                        data_ = buffer.substr(0, end - 3);  // without the terminating ".\r\n"
                        buffer.erase(0, end);
                        asio::write(socket, asio::buffer(Reply("DATA-END", "250 2.0.0 queued")));
                    }
                    continue;
                }
                if (verb == "QUIT") {
                    asio::write(socket, asio::buffer(std::string("221 bye\r\n")));
                    return;
                }
                asio::write(socket, asio::buffer(Reply(verb, verb == "EHLO" ? "250-fake\r\n250 8BITMIME" : "250 ok")));
            }
        } catch (const std::exception&) {
            // the client went away: the test looks at what was recorded
        }
    }

    std::map<std::string, std::string> replies_;
    asio::io_context io_;
    tcp::acceptor acceptor_{io_};
    std::uint16_t port_ = 0;
    std::thread thread_;
    std::vector<std::string> commands_;
    std::string data_;
};

OutboundMessage Sample() {
    OutboundMessage m;
    m.from = {"servicedesk@customs.example", "Asiakaspalvelu"};
    m.to = {{"a@x.example", ""}, {"b@x.example", "B"}};
    m.subject = "[SR-2026-000001] Vastaus";
    m.message_id = "id-1@customs.example";
    m.text = "Rivi 1\n.alkaa pisteellä\n.\nloppu\n";
    return m;
}

SmtpSettings Settings(std::uint16_t port) {
    SmtpSettings s;
    s.port = port;
    s.helo_name = "customsdesk.test";
    s.connect_timeout = std::chrono::milliseconds(2000);
    s.command_timeout = std::chrono::milliseconds(2000);
    s.data_timeout = std::chrono::milliseconds(2000);
    return s;
}

TEST(SmtpClient, SpeaksTheProtocolAndDotStuffs) {
    FakeSmtpServer server(Replies{});
    SmtpClient client(Settings(server.port()));
    auto r = client.Send(Sample());
    ASSERT_TRUE(r) << r.error().message;
    server.Join();
    const std::vector<std::string> expected{"EHLO customsdesk.test", "MAIL FROM:<servicedesk@customs.example>",
                                            "RCPT TO:<a@x.example>", "RCPT TO:<b@x.example>", "DATA", "QUIT"};
    EXPECT_EQ(server.commands(), expected);
    // The body is quoted-printable, so its lines starting with "." went through dot-stuffing on the wire.
    EXPECT_NE(server.data().find("\r\n..alkaa pisteell=C3=A4\r\n"), std::string::npos) << server.data();
    EXPECT_NE(server.data().find("\r\n..\r\nloppu"), std::string::npos) << server.data();
    EXPECT_NE(server.data().find("Message-Id: <id-1@customs.example>"), std::string::npos) << server.data();
}

TEST(SmtpClient, SendRawDotStuffsAnyLineEnds) {
    FakeSmtpServer server(Replies{});
    SmtpClient client(Settings(server.port()));
    ASSERT_TRUE(client.SendRaw("", {"x@y.example"}, "Subject: s\n\n.one\n..two\nthree"));
    server.Join();
    EXPECT_EQ(server.commands()[1], "MAIL FROM:<>");
    EXPECT_EQ(server.data(), "Subject: s\r\n\r\n..one\r\n...two\r\nthree\r\n");
}

TEST(SmtpClient, FallsBackToHeloWhenEhloIsRefused) {
    FakeSmtpServer server(Replies{{"EHLO", "502 5.5.2 no"}});
    SmtpClient client(Settings(server.port()));
    ASSERT_TRUE(client.SendRaw("a@b.example", {"x@y.example"}, "Subject: s\n\nbody\n"));
    server.Join();
    EXPECT_EQ(server.commands()[1], "HELO customsdesk.test");
}

TEST(SmtpClient, PermanentRefusalIsFailedPrecondition) {
    FakeSmtpServer server(Replies{{"RCPT", "550 5.1.1 no such user"}});
    SmtpClient client(Settings(server.port()));
    auto r = client.Send(Sample());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, core::ErrorCode::kFailedPrecondition);
    EXPECT_NE(r.error().message.find("550 5.1.1 no such user"), std::string::npos) << r.error().message;
    server.Join();
    EXPECT_EQ(server.commands().back(), "QUIT");
}

TEST(SmtpClient, TemporaryRefusalIsUnavailable) {
    FakeSmtpServer server(Replies{{"GREETING", "421 4.3.2 busy"}});
    SmtpClient client(Settings(server.port()));
    auto r = client.Send(Sample());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, core::ErrorCode::kUnavailable);
}

TEST(SmtpClient, RejectedDataIsReported) {
    FakeSmtpServer server(Replies{{"DATA-END", "554 5.6.0 message refused"}});
    SmtpClient client(Settings(server.port()));
    auto r = client.Send(Sample());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, core::ErrorCode::kFailedPrecondition);
}

TEST(SmtpClient, SilentServerTimesOut) {
    FakeSmtpServer server(Replies{{"SILENT", ""}});
    auto settings = Settings(server.port());
    settings.command_timeout = std::chrono::milliseconds(200);
    SmtpClient client(settings);
    auto r = client.Send(Sample());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, core::ErrorCode::kUnavailable);
    EXPECT_NE(r.error().message.find("no reply"), std::string::npos) << r.error().message;
}

TEST(SmtpClient, RefusedConnectionIsUnavailable) {
    std::uint16_t port;
    {
        asio::io_context io;
        tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
        port = a.local_endpoint().port();
    }  // closed: nothing listens there now
    SmtpClient client(Settings(port));
    auto r = client.Send(Sample());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, core::ErrorCode::kUnavailable);
}

TEST(SmtpClient, InvalidMessagesNeverReachTheNetwork) {
    SmtpClient client(Settings(1));
    auto m = Sample();
    m.to = {};
    EXPECT_EQ(client.Send(m).error().code, core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(client.SendRaw("a@b", {"x@y\r\nDATA"}, "x").error().code, core::ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace customsdesk::mail
