// Runs the corpus tests/cases/mail/*.eml: each message NAME.eml has NAME.expect with "key: value"
// lines (from, from_name, to, subject, message_id, in_reply_to, references, date, html,
// text_from_html, automatic: reason, attachment: filename | type | size | leading bytes; or error:
// reason substring),
// then "----" and the expected text body, then optionally "---- reply" and the expected
// StripQuotedReply(text). Keys left out are not checked.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <date/date.h>

#include "customsdesk/mail/parse.hpp"

namespace customsdesk::mail {
namespace {

namespace fs = std::filesystem;

const fs::path kCorpus = "tests/cases/mail";

std::string ReadFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string TrimEnd(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

struct Expectation {
    std::multimap<std::string, std::string> keys;
    std::optional<std::string> text;
    std::optional<std::string> reply;
};

Expectation LoadExpectation(const fs::path& p) {
    Expectation e;
    std::istringstream in(ReadFile(p));
    std::string line;
    std::string* section = nullptr;
    while (std::getline(in, line)) {
        if (line == "----") {
            e.text.emplace();
            section = &*e.text;
            continue;
        }
        if (line == "---- reply") {
            e.reply.emplace();
            section = &*e.reply;
            continue;
        }
        if (section != nullptr) {
            *section += line + "\n";
            continue;
        }
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string value = line.substr(colon + 1);
        if (!value.empty() && value.front() == ' ') value.erase(0, 1);
        e.keys.emplace(line.substr(0, colon), value);
    }
    return e;
}

std::vector<std::string> Split(const std::string& s, std::string_view sep) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    for (;;) {
        auto next = s.find(sep, pos);
        out.push_back(s.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
        if (next == std::string::npos) break;
        pos = next + sep.size();
    }
    return out;
}

std::string Iso(std::chrono::sys_seconds t) {
    return date::format("%FT%TZ", t);
}

void Check(const fs::path& eml) {
    const auto e = LoadExpectation(fs::path(eml).replace_extension(".expect"));
    auto parsed = ParseMessage(ReadFile(eml));
    if (auto err = e.keys.find("error"); err != e.keys.end()) {
        ASSERT_FALSE(parsed) << "expected an error containing '" << err->second << "'";
        EXPECT_NE(parsed.error().message.find(err->second), std::string::npos) << parsed.error().message;
        return;
    }
    ASSERT_TRUE(parsed) << parsed.error().message;
    const InboundMessage& m = *parsed;
    std::vector<std::string> attachments;
    for (const auto& [key, value] : e.keys) {
        SCOPED_TRACE(key);
        if (key == "from") {
            EXPECT_EQ(m.from.address, value);
        } else if (key == "from_name") {
            EXPECT_EQ(m.from.name, value);
        } else if (key == "to") {
            std::string all;
            for (const auto& list : {m.to, m.cc}) {
                for (const auto& mb : list) all += (all.empty() ? "" : ", ") + mb.address;
            }
            EXPECT_EQ(all, value);
        } else if (key == "subject") {
            EXPECT_EQ(m.subject, value);
        } else if (key == "message_id") {
            EXPECT_EQ(m.message_id, value);
        } else if (key == "in_reply_to") {
            EXPECT_EQ(m.in_reply_to, value);
        } else if (key == "references") {
            std::string all;
            for (const auto& r : m.references) all += (all.empty() ? "" : " ") + r;
            EXPECT_EQ(all, value);
        } else if (key == "date") {
            ASSERT_TRUE(m.date.has_value());
            EXPECT_EQ(Iso(*m.date), value);
        } else if (key == "html") {
            EXPECT_EQ(m.html.empty() ? "no" : "yes", value);
        } else if (key == "text_from_html") {
            EXPECT_EQ(m.text_from_html ? "yes" : "no", value);
        } else if (key == "automatic") {
            EXPECT_TRUE(m.automatic);
            EXPECT_EQ(m.automatic_reason, value);
        } else if (key == "attachment") {
            attachments.push_back(value);
        } else {
            ADD_FAILURE() << "unknown expectation key " << key;
        }
    }
    if (!e.keys.contains("automatic")) {
        EXPECT_FALSE(m.automatic) << m.automatic_reason;
    }
    ASSERT_EQ(m.attachments.size(), attachments.size());
    for (std::size_t i = 0; i < attachments.size(); ++i) {
        SCOPED_TRACE(attachments[i]);
        auto f = Split(attachments[i], " | ");
        ASSERT_GE(f.size(), 3u);
        EXPECT_EQ(m.attachments[i].filename, f[0]);
        EXPECT_EQ(m.attachments[i].content_type, f[1]);
        EXPECT_EQ(m.attachments[i].data.size(), std::stoul(f[2]));
        if (f.size() > 3) {
            EXPECT_TRUE(m.attachments[i].data.starts_with(f[3])) << m.attachments[i].data.substr(0, 40);
        }
        if (!f[0].empty()) {
            EXPECT_FALSE(m.attachments[i].is_inline);
        }
    }
    if (e.text) {
        EXPECT_EQ(TrimEnd(m.text), TrimEnd(*e.text));
    }
    if (e.reply) {
        EXPECT_EQ(StripQuotedReply(m.text), TrimEnd(*e.reply));
    }
}

std::vector<fs::path> CorpusFiles() {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(kCorpus)) {
        if (entry.path().extension() == ".eml") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

TEST(MailCorpus, EveryMessageParsesAsExpected) {
    const auto files = CorpusFiles();
    ASSERT_GE(files.size(), 10u) << "run from the source root";
    for (const auto& eml : files) {
        SCOPED_TRACE(eml.filename().string());
        ASSERT_TRUE(fs::exists(fs::path(eml).replace_extension(".expect"))) << "every message needs a .expect file";
        Check(eml);
    }
}

}  // namespace
}  // namespace customsdesk::mail
