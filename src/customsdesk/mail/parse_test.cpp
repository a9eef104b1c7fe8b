#include "customsdesk/mail/parse.hpp"

#include <gtest/gtest.h>

#include "customsdesk/mail/smtp_client.hpp"

namespace customsdesk::mail {
namespace {

using namespace std::chrono_literals;

TEST(ParseMessage, RefusesEmptyHeaderlessAndFromlessMessages) {
    EXPECT_EQ(ParseMessage("").error().code, core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(ParseMessage("\r\n\r\n").error().message, "the message is empty");
    EXPECT_NE(ParseMessage("just some words\n").error().message.find("header"), std::string::npos);
    EXPECT_NE(ParseMessage("Subject: x\n\nbody").error().message.find("no From"), std::string::npos);
    EXPECT_NE(ParseMessage("From: nobody\n\nbody").error().message.find("no domain"), std::string::npos);
}

TEST(ParseMessage, RefusesOversizedMessages) {
    std::string big = "From: a@b.example\n\n" + std::string(kMaxMessageBytes, 'x');
    EXPECT_EQ(ParseMessage(big).error().code, core::ErrorCode::kResourceExhausted);
}

TEST(ParseMessage, AcceptsAnMboxFromLineAndSenderWithoutFrom) {
    auto m = ParseMessage("From x@y.example Mon Mar  2 10:00:00 2026\nFrom: a@b.example\nSubject: s\n\nbody\n");
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->from.address, "a@b.example");
    EXPECT_EQ(m->subject, "s");
    auto s = ParseMessage("Sender: c@d.example\n\nbody\n");
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->from.address, "c@d.example");
}

TEST(ParseMessage, EightBitHeadersInLatin1BecomeUtf8) {
    auto m = ParseMessage("From: J\xE4rvinen <j@x.example>\nSubject: P\xE4\xE4t\xF6s\n\nb\n");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->from.name, "Järvinen");
    EXPECT_EQ(m->subject, "Päätös");
}

TEST(ParseMessage, InlineImagesOfRelatedHtmlAreInlineAttachments) {
    auto m = ParseMessage(
        "From: a@b.example\nContent-Type: multipart/related; boundary=r\n\n--r\nContent-Type: text/html\n\n"
        "<p>see <img src=\"cid:logo@x\"></p>\n--r\nContent-Type: image/png\nContent-ID: <logo@x>\n"
        "Content-Transfer-Encoding: base64\n\niVBORw0KGgo=\n--r--\n");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->text, "see");
    ASSERT_EQ(m->attachments.size(), 1u);
    EXPECT_TRUE(m->attachments[0].is_inline);
    EXPECT_EQ(m->attachments[0].content_id, "logo@x");
    EXPECT_EQ(m->attachments[0].data, "\x89PNG\r\n\x1A\n");
}

TEST(ComposeMessage, RoundTripsThroughTheParser) {
    OutboundMessage out;
    out.from = {"servicedesk@customs.example", "Tulli – Asiakaspalvelu"};
    out.to = {{"matti@yritys.example", "Matti Meikäläinen"}};
    out.subject = "[SR-2026-000123] Päätös: hyväksytty — åäö";
    out.message_id = "sr-2026-000123.3@customs.example";
    out.in_reply_to = "CAF+reply-7@mail.yritys.example";
    out.references = {"orig-1@mail.yritys.example", "CAF+reply-7@mail.yritys.example"};
    out.date = std::chrono::sys_seconds(1772445600s);
    out.text = "Hei,\n\n.rivi pisteellä\nPäätös on liitteenä. € 12,50\n" + std::string(200, 'x') + "\n";
    for (auto encoding : {OutboundMessage::BodyEncoding::kQuotedPrintable, OutboundMessage::BodyEncoding::kBase64}) {
        out.encoding = encoding;
        auto wire = ComposeMessage(out);
        ASSERT_TRUE(wire) << wire.error().message;
        for (unsigned char c : *wire) ASSERT_LT(c, 128) << "the wire form is 7-bit";
        EXPECT_NE(wire->find("\r\n"), std::string::npos);
        auto back = ParseMessage(*wire);
        ASSERT_TRUE(back) << back.error().message;
        EXPECT_EQ(back->from, out.from);
        EXPECT_EQ(back->to, out.to);
        EXPECT_EQ(back->subject, out.subject);
        EXPECT_EQ(back->message_id, out.message_id);
        EXPECT_EQ(back->in_reply_to, out.in_reply_to);
        EXPECT_EQ(back->references, out.references);
        EXPECT_EQ(back->date, out.date);
        EXPECT_EQ(back->text + "\n", out.text);
    }
}

TEST(ComposeMessage, ValidatesAddressesAndIds) {
    OutboundMessage out;
    out.from = {"bad address", ""};
    out.to = {{"x@y.example\r\nRCPT TO:<evil@z>", ""}};
    out.message_id = "";
    auto r = ComposeMessage(out);
    ASSERT_FALSE(r);
    ASSERT_EQ(r.error().fields.size(), 3u);
    EXPECT_EQ(r.error().fields[0].pointer, "/from");
    EXPECT_EQ(r.error().fields[1].pointer, "/to/0");
    EXPECT_EQ(r.error().fields[2].pointer, "/message_id");
}

TEST(GenerateMessageId, UniqueAndBare) {
    auto a = GenerateMessageId("customs.example");
    auto b = GenerateMessageId("customs.example");
    EXPECT_NE(a, b);
    EXPECT_TRUE(a.ends_with("@customs.example"));
    EXPECT_EQ(a.find('<'), std::string::npos);
}

TEST(DotStuff, DoublesLeadingDotsAndTerminates) {
    EXPECT_EQ(DotStuff("a\n.b\r\n..c\rd"), "a\r\n..b\r\n...c\r\nd\r\n.\r\n");
    EXPECT_EQ(DotStuff(".\n"), "..\r\n.\r\n");
    EXPECT_EQ(DotStuff(""), ".\r\n");
}

}  // namespace
}  // namespace customsdesk::mail
