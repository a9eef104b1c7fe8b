// The e-mail channel end to end, with a real Postfix (fixture mail_server) and the real binary, on
// SQLite and PostgreSQL: a customer's mail goes through Postfix's pipe into `customsdesk mail-in`
// and becomes a request; the "received" notification leaves through the server's SMTP sender and
// Postfix delivers it with the request number; the customer's answer to it threads into the same
// request; undeliverable mail lands in the quarantine that administrators manage over the API.
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "customsdesk/mail/parse.hpp"
#include "customsdesk/mail/smtp_client.hpp"
#include "support/mail_server.hpp"
#include "test_server.hpp"

namespace customsdesk::apitest {
namespace {

namespace fs = std::filesystem;
using boost::json::object;
using testing::MailServer;

const std::string kBase = "/api/v1/servicedesk";
constexpr const char* kCustomer = "asiakas@test.customsdesk";

// Whether `path` is reachable by anybody: others may enter every parent folder and run the file.
bool WorldExecutable(const fs::path& path) {
    std::error_code ec;
    for (fs::path p = fs::absolute(path); !p.empty(); p = p.parent_path()) {
        if ((fs::status(p, ec).permissions() & fs::perms::others_exec) == fs::perms::none) return false;
        if (p == p.root_path()) break;
    }
    return true;
}

// What the pipe user (an unprivileged account) needs: the binary where it may run it (a copy in a
// temporary folder, removed afterwards, when the build tree is private) and, for SQLite, the
// database folder as its own (root, running the server, is not hindered by that).
class PipeBinary {
public:
    PipeBinary(const MailServer& mail, const std::string& db_url) {
        passwd* pw = getpwnam(mail.run_user().c_str());
        EXPECT_NE(pw, nullptr) << "no user " << mail.run_user();
        if (pw == nullptr) return;
        path_ = CUSTOMSDESK_BINARY;
        if (!WorldExecutable(path_)) {
            char tmpl[] = "/tmp/customsdesk-mailbin.XXXXXX";
            copy_dir_ = mkdtemp(tmpl);
            fs::permissions(copy_dir_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                           fs::perms::others_read | fs::perms::others_exec);
            path_ = copy_dir_ / "customsdesk";
            fs::copy_file(CUSTOMSDESK_BINARY, path_, fs::copy_options::overwrite_existing);
        }
        if (db_url.starts_with("sqlite:")) {
            const fs::path folder = fs::path(db_url.substr(7)).parent_path();
            EXPECT_EQ(chown(folder.c_str(), pw->pw_uid, pw->pw_gid), 0);
            for (const auto& entry : fs::directory_iterator(folder)) {
                EXPECT_EQ(chown(entry.path().c_str(), pw->pw_uid, pw->pw_gid), 0);
            }
            // Its parents must be enterable.
            for (fs::path up = folder.parent_path(); up != up.root_path(); up = up.parent_path()) {
                fs::permissions(up, fs::perms::others_exec, fs::perm_options::add);
            }
        }
    }
    ~PipeBinary() {
        std::error_code ignored;
        if (!copy_dir_.empty()) fs::remove_all(copy_dir_, ignored);
    }
    PipeBinary(const PipeBinary&) = delete;
    PipeBinary& operator=(const PipeBinary&) = delete;

    [[nodiscard]] std::string path() const { return path_.string(); }

private:
    fs::path path_;
    fs::path copy_dir_;
};

std::string Header(const std::string& raw, const std::string& name) {
    auto parsed = mail::ParseMessage(raw);
    if (!parsed) return {};
    if (name == "subject") return parsed->subject;
    if (name == "in_reply_to") return parsed->in_reply_to;
    if (name == "message_id") return parsed->message_id;
    return {};
}

std::string NumberIn(const std::string& subject) {
    auto at = subject.find("SR-");
    return at == std::string::npos || at + 14 > subject.size() ? std::string() : subject.substr(at, 14);
}

mail::SmtpClient Smtp(const MailServer& m) {
    mail::SmtpSettings s;
    s.port = m.port();
    s.helo_name = "client.test.customsdesk";
    return mail::SmtpClient(s);
}

int RunMailIn(const std::string& db_url, const std::string& input, std::string& output) {
    char tmpl[] = "/tmp/customsdesk-mailin.XXXXXX";
    int fd = mkstemp(tmpl);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(write(fd, input.data(), input.size()), static_cast<ssize_t>(input.size()));
    close(fd);
    const std::string cmd = std::string(CUSTOMSDESK_BINARY) + " mail-in --db '" + db_url + "' < " + tmpl + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    char buf[512];
    output.clear();
    while (fgets(buf, sizeof buf, p) != nullptr) output += buf;
    int status = pclose(p);
    unlink(tmpl);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(MailChannel, MailBecomesARequestTheNotificationArrivesAndTheAnswerThreads) {
    auto mail = MailServer::Open();
    ASSERT_TRUE(mail);
    TestServer server({"--mail-relay", "127.0.0.1:" + std::to_string(mail->port()), "--mail-from",
                       "servicedesk@test.customsdesk", "--mail-poll-seconds", "1"});
    Client admin(server.port());
    ASSERT_EQ(admin.Login("admin", "demo-admin-pass").status, 200u);
    auto contact = admin.PostJson("/api/v1/organisations/1/contacts",
                                  object{{"first_name", "Aino"}, {"last_name", "Asiakas"}, {"email", kCustomer}});
    ASSERT_EQ(contact.status, 201u) << contact.body;

    PipeBinary bin(*mail, server.db_url());
    ASSERT_FALSE(bin.path().empty());
    mail->SetPipeCommand("exec " + bin.path() + " mail-in --db '" + server.db_url() + "'");

    // 1. The customer writes to the service desk.
    const std::string first_id = mail::GenerateMessageId("test.customsdesk");
    const std::string first =
        "From: Aino Asiakas <" + std::string(kCustomer) + ">\r\nTo: servicedesk@test.customsdesk\r\n"
        "Subject: =?UTF-8?Q?Tullausp=C3=A4=C3=A4t=C3=B6s_puuttuu?=\r\nMessage-ID: <" + first_id + ">\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        "Hei, en ole saanut päätöstä.\r\n";
    ASSERT_TRUE(Smtp(*mail).SendRaw(kCustomer, {"servicedesk@test.customsdesk"}, first));

    // 2. The "received" notification arrives in the customer's mailbox, threaded under the mail.
    auto note = mail->WaitForMessage(
        [&](const std::string& raw) { return Header(raw, "in_reply_to") == first_id; });
    ASSERT_TRUE(note) << "no notification in " << mail->maildir() << "; piped mail not stored? see the maillog of "
                      << mail->dir();
    const std::string subject = Header(*note, "subject");
    const std::string number = NumberIn(subject);
    ASSERT_FALSE(number.empty()) << subject;
    EXPECT_NE(subject.find("Tullauspäätös puuttuu"), std::string::npos) << subject;

    auto found = admin.Get(kBase + "/requests?q=" + number);
    ASSERT_EQ(found.status, 200u) << found.body;
    const auto& items = found.Json().at("items").as_array();
    ASSERT_EQ(items.size(), 1u) << found.body;
    const std::int64_t request_id = items[0].at("id").as_int64();
    EXPECT_EQ(items[0].at("channel"), "email");

    // 3. The customer answers the notification (no number in the subject): it threads by In-Reply-To.
    const std::string answer =
        "From: " + std::string(kCustomer) + "\r\nTo: servicedesk@test.customsdesk\r\nSubject: Re: vastaus\r\n"
        "Message-ID: <" + mail::GenerateMessageId("test.customsdesk") + ">\r\nIn-Reply-To: <" +
        Header(*note, "message_id") + ">\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Tässä lisätiedot.\r\n\r\nOn Mon, 2 Mar 2026, Service desk wrote:\r\n> vanha viesti\r\n";
    ASSERT_TRUE(Smtp(*mail).SendRaw(kCustomer, {"servicedesk@test.customsdesk"}, answer));
    bool threaded = false;
    for (int i = 0; i < 600 && !threaded; ++i) {
        auto messages = admin.Get(kBase + "/requests/" + std::to_string(request_id) + "/messages");
        ASSERT_EQ(messages.status, 200u) << messages.body;
        for (const auto& m : messages.Json().at("items").as_array()) {
            if (m.at("body") == "Tässä lisätiedot.") threaded = true;
        }
        if (!threaded) usleep(100'000);
    }
    EXPECT_TRUE(threaded) << "the answer did not reach request " << number;
}

TEST(MailChannel, UndeliverableMailIsQuarantinedForAdministrators) {
    auto mail = MailServer::Open();
    ASSERT_TRUE(mail);
    TestServer server;
    Client admin(server.port()), agent(server.port());
    ASSERT_EQ(admin.Login("admin", "demo-admin-pass").status, 200u);
    ASSERT_EQ(agent.Login("agent", "demo-agent-pass").status, 200u);
    PipeBinary bin(*mail, server.db_url());
    mail->SetPipeCommand("exec " + bin.path() + " mail-in --db '" + server.db_url() + "'");

    const std::string id = mail::GenerateMessageId("unknown.example");
    const std::string stranger = "From: stranger@unknown.example\r\nTo: servicedesk@test.customsdesk\r\n"
                                 "Subject: Who reads this?\r\nMessage-ID: <" + id + ">\r\n\r\nHello?\r\n";
    ASSERT_TRUE(Smtp(*mail).SendRaw("stranger@unknown.example", {"servicedesk@test.customsdesk"}, stranger));

    std::optional<std::int64_t> qid;
    for (int i = 0; i < 600 && !qid; ++i) {
        auto list = admin.Get("/api/v1/mail/quarantine");
        ASSERT_EQ(list.status, 200u) << list.body;
        for (const auto& q : list.Json().at("items").as_array()) {
            if (q.at("message_id") == boost::json::value(id)) qid = q.at("id").as_int64();
        }
        if (!qid) usleep(100'000);
    }
    ASSERT_TRUE(qid) << "the stranger's mail did not reach the quarantine";
    auto one = admin.Get("/api/v1/mail/quarantine/" + std::to_string(*qid));
    ASSERT_EQ(one.status, 200u);
    EXPECT_EQ(one.Json().at("stage"), "ingest");
    EXPECT_NE(std::string(one.Json().at("reason").as_string()).find("unknown sender"), std::string::npos);
    auto raw = admin.Get("/api/v1/mail/quarantine/" + std::to_string(*qid) + "/raw");
    ASSERT_EQ(raw.status, 200u);
    EXPECT_NE(raw.body.find("Hello?"), std::string::npos);
    EXPECT_EQ(raw.Header("content-type"), "message/rfc822");

    EXPECT_EQ(agent.Get("/api/v1/mail/quarantine").status, 403u);
    auto retry = admin.Request("POST", "/api/v1/mail/quarantine/" + std::to_string(*qid) + "/retry");
    ASSERT_EQ(retry.status, 200u) << retry.body;
    EXPECT_EQ(retry.Json().at("outcome"), "quarantined");
    EXPECT_EQ(admin.Delete("/api/v1/mail/quarantine/" + std::to_string(*qid)).status, 204u);
    EXPECT_EQ(admin.Get("/api/v1/mail/quarantine/" + std::to_string(*qid)).status, 404u);
    EXPECT_EQ(admin.Get("/api/v1/mail/quarantine/abc").status, 404u);
}

TEST(MailChannel, MailInExitCodes) {
    TestServer server;
    std::string out;
    // Stored in quarantine: exit 0.
    EXPECT_EQ(RunMailIn(server.db_url(), "not a message at all", out), 0) << out;
    EXPECT_NE(out.find("quarantined"), std::string::npos) << out;
    // A database that cannot be reached: EX_TEMPFAIL, so that Postfix retries.
    EXPECT_EQ(RunMailIn("postgresql://nobody@127.0.0.1:1/none", "From: a@b.example\n\nx\n", out), 75) << out;
}

}  // namespace
}  // namespace customsdesk::apitest
