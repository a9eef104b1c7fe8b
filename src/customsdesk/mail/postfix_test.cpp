// SmtpClient against a real Postfix (the throwaway instance of scripts/mail-test-server.sh): what we
// send is delivered to the test Maildir and parses back with the same subject, body and threading.
#include <gtest/gtest.h>

#include "customsdesk/mail/parse.hpp"
#include "customsdesk/mail/smtp_client.hpp"
#include "support/mail_server.hpp"

namespace customsdesk::mail {
namespace {

using testing::MailServer;

SmtpSettings Settings(const MailServer& server) {
    SmtpSettings s;
    s.host = "127.0.0.1";
    s.port = server.port();
    s.helo_name = "customsdesk.test";
    return s;
}

TEST(Postfix, SentMessageIsDeliveredAndParsesBack) {
    auto server = MailServer::Open();
    ASSERT_TRUE(server);
    OutboundMessage out;
    out.from = {"servicedesk@customs.example", "Tulli – Asiakaspalvelu"};
    out.to = {{"matti@test.customsdesk", "Matti Meikäläinen"}};
    out.message_id = GenerateMessageId("customs.example");
    out.subject = "[SR-2026-000123] Päätös åäö " + out.message_id;
    out.in_reply_to = "CAF+reply-7@mail.yritys.example";
    out.references = {"orig-1@mail.yritys.example", "CAF+reply-7@mail.yritys.example"};
    out.text = "Hei,\n\n.rivi alkaa pisteellä\n.\nPäätös on tehty. € 12,50\n";
    SmtpClient client(Settings(*server));
    auto sent = client.Send(out);
    ASSERT_TRUE(sent) << sent.error().message;

    auto raw = server->WaitForMessage([&](const std::string& m) { return m.find(out.message_id) != std::string::npos; });
    ASSERT_TRUE(raw) << "the message did not arrive in " << server->maildir() << " (see the instance's maillog)";
    auto back = ParseMessage(*raw);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->subject, out.subject);
    EXPECT_EQ(back->message_id, out.message_id);
    EXPECT_EQ(back->in_reply_to, out.in_reply_to);
    EXPECT_EQ(back->references, out.references);
    EXPECT_EQ(back->from, out.from);
    EXPECT_EQ(back->text + "\n", out.text);
}

TEST(Postfix, UnknownDomainIsRefusedPermanently) {
    auto server = MailServer::Open();
    ASSERT_TRUE(server);
    OutboundMessage out;
    out.from = {"servicedesk@customs.example", ""};
    out.to = {{"someone@elsewhere.example", ""}};
    out.message_id = GenerateMessageId("customs.example");
    out.text = "x";
    // The test instance relays nowhere: a real 5xx at RCPT TO, which is a permanent failure.
    SmtpClient client(Settings(*server));
    auto sent = client.Send(out);
    ASSERT_FALSE(sent);
    EXPECT_EQ(sent.error().code, core::ErrorCode::kFailedPrecondition) << sent.error().message;
    EXPECT_NE(sent.error().message.find("554"), std::string::npos) << sent.error().message;
}

TEST(Postfix, MailForTheServiceDeskIsPiped) {
    auto server = MailServer::Open();
    ASSERT_TRUE(server);
    server->SetPipeCommand("");
    const std::string id = GenerateMessageId("kuljetus.example");
    const std::string raw = "From: Liisa <liisa@kuljetus.example>\r\nTo: servicedesk@test.customsdesk\r\n"
                            "Subject: Kysymys\r\nMessage-ID: <" + id + ">\r\n\r\nHei!\r\n";
    SmtpClient client(Settings(*server));
    ASSERT_TRUE(client.SendRaw("liisa@kuljetus.example", {"servicedesk@test.customsdesk"}, raw));
    auto piped = server->WaitForPiped([&](const std::string& m) { return m.find(id) != std::string::npos; });
    ASSERT_TRUE(piped) << "nothing was piped into " << server->inbound();
    auto parsed = ParseMessage(*piped);
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->from.address, "liisa@kuljetus.example");
    EXPECT_EQ(parsed->text, "Hei!");
}

}  // namespace
}  // namespace customsdesk::mail
