// Registry API tests against the real server binary, on SQLite and on PostgreSQL (issue 3):
// search folding and ranking from tests/cases/registry/search_ranking.tsv, CSV import with every
// kind of bad row (all-or-nothing and skip modes, error report), export -> import round trip,
// trader data scoping on every registry endpoint (a trader edits their own organisation's contacts,
// nothing else), organisation list filters, and contact privacy (export, erasure; staff only).
// No test asserts a duration; waits for background jobs poll a bounded number of times.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "test_server.hpp"

namespace customsdesk::apitest {
namespace {

using boost::json::object;
using boost::json::value;

std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in) << path << " (run from the source root)";
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string UrlEncode(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            out += buf;
        }
    }
    return out;
}

// Uploads a CSV and waits for the job to finish; returns the finished job.
value Import(Client& c, const std::string& kind, const std::string& mode, const std::string& csv) {
    auto r = c.Request("POST", "/api/v1/imports?kind=" + kind + "&mode=" + mode, csv, {{"Content-Type", "text/csv"}});
    EXPECT_EQ(r.status, 202u) << r.body;
    if (r.status != 202u) return nullptr;
    EXPECT_EQ(r.Json().at("status"), "queued");
    const std::string url = "/api/v1/imports/" + std::to_string(r.Json().at("id").as_int64());
    EXPECT_EQ(r.Header("location"), url);
    for (int i = 0; i < 2000; ++i) {
        auto j = c.Get(url);
        EXPECT_EQ(j.status, 200u);
        const auto status = j.Json().at("status").as_string();
        if (status == "succeeded" || status == "failed") return j.Json();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "the import job did not finish";
    return nullptr;
}

std::string Export(Client& c, const std::string& kind) {
    auto r = c.Get("/api/v1/exports/" + kind + "?limit=200000");
    EXPECT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(r.Header("link"), "");
    return r.body;
}

void ImportSearchFixtures(Client& admin) {
    for (const char* kind : {"organisations", "establishments", "contacts"}) {
        auto job = Import(admin, kind, "all_or_nothing", ReadFile(std::string("tests/cases/registry/search_") + kind + ".csv"));
        ASSERT_EQ(job.at("status"), "succeeded") << kind << " " << boost::json::serialize(job);
        EXPECT_EQ(job.at("result").at("rejected"), 0) << kind;
    }
}

struct SearchCase {
    std::string query, title, match;
};

std::vector<SearchCase> SearchCases() {
    std::ifstream in("tests/cases/registry/search_ranking.tsv");
    std::vector<SearchCase> out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        const auto t1 = line.find('\t'), t2 = line.find('\t', t1 + 1);
        out.push_back({line.substr(0, t1), line.substr(t1 + 1, t2 - t1 - 1), line.substr(t2 + 1)});
    }
    return out;
}

TEST(RegistryApi, SearchFoldingAndRankingFromCaseFile) {
    TestServer server;
    Client admin(server.port());
    ASSERT_EQ(admin.Login("admin", "demo-admin-pass").status, 200u);
    ImportSearchFixtures(admin);
    Client agent(server.port());
    ASSERT_EQ(agent.Login("agent", "demo-agent-pass").status, 200u);
    const auto cases = SearchCases();
    ASSERT_GE(cases.size(), 20u);
    for (const auto& c : cases) {
        SCOPED_TRACE("query '" + c.query + "'");
        auto r = agent.Get("/api/v1/search?q=" + UrlEncode(c.query));
        ASSERT_EQ(r.status, 200u) << r.body;
        const auto& items = r.Json().at("items").as_array();
        if (c.title == "-") {
            EXPECT_TRUE(items.empty()) << r.body;
            continue;
        }
        ASSERT_FALSE(items.empty());
        EXPECT_EQ(items[0].at("title"), value(c.title)) << r.body;
        EXPECT_EQ(items[0].at("match"), value(c.match)) << r.body;
    }
    // Bounds and filters.
    EXPECT_EQ(agent.Get("/api/v1/search?q=a&limit=51").status, 422u);
    EXPECT_EQ(agent.Get("/api/v1/search?q=" + std::string(201, 'a')).status, 422u);
    EXPECT_EQ(agent.Get("/api/v1/search?q=a&type=ship").status, 422u);
    auto contacts = agent.Get("/api/v1/search?q=makinen&type=contact");
    ASSERT_EQ(contacts.status, 200u);
    for (const auto& i : contacts.Json().at("items").as_array()) EXPECT_EQ(i.at("type"), "contact");
    EXPECT_EQ(agent.Get("/api/v1/search?q=").Json().at("items").as_array().size(), 0u);
}

std::vector<std::string> IssueLines(const std::string& report) {
    // "line,column,severity,message" -> "line column" (column "-" when empty); header dropped.
    std::vector<std::string> out;
    std::istringstream in(report);
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        const auto c1 = line.find(','), c2 = line.find(',', c1 + 1), c3 = line.find(',', c2 + 1);
        std::string column = line.substr(c1 + 1, c2 - c1 - 1);
        out.push_back(line.substr(0, c1) + " " + (column.empty() ? "-" : column) + " " +
                      line.substr(c2 + 1, c3 - c2 - 1));
    }
    return out;
}

TEST(RegistryApi, ImportReportsEveryKindOfBadRow) {
    TestServer server;
    Client admin(server.port());
    ASSERT_EQ(admin.Login("admin", "demo-admin-pass").status, 200u);
    const std::string before = Export(admin, "organisations");
    const std::string bad = ReadFile("tests/cases/registry/bad_organisations.csv");
    const std::vector<std::string> expected = {
        "3 business_id error",  // invalid Business ID (check digit)
        "4 business_id error",  // duplicate within the file (line 2)
        "5 business_id error",  // duplicate of an existing record (the demo's Demo Import Oy)
        "6 - error",            // a row without the required columns
        "7 - error",            // broken quoting
        "8 name error",         // invalid UTF-8
    };

    // All-or-nothing (the default): nothing is written, the report names every bad row.
    auto job = Import(admin, "organisations", "all_or_nothing", bad);
    EXPECT_EQ(job.at("status"), "failed");
    EXPECT_EQ(job.at("result").at("written"), false);
    EXPECT_EQ(job.at("result").at("rows"), 8);
    EXPECT_EQ(job.at("result").at("rejected"), 6);
    EXPECT_EQ(job.at("progress").at("done"), 8);
    const std::string id = std::to_string(job.at("id").as_int64());
    auto report = admin.Get("/api/v1/imports/" + id + "/errors");
    ASSERT_EQ(report.status, 200u);
    EXPECT_EQ(report.Header("content-type").substr(0, 8), "text/csv");
    EXPECT_EQ(IssueLines(report.body), expected) << report.body;
    EXPECT_NE(report.body.find("/api/v1/organisations/1"), std::string::npos) << "points to the existing record";
    EXPECT_EQ(Export(admin, "organisations"), before);

    // Skip mode: exactly the good rows are written.
    job = Import(admin, "organisations", "skip_bad_rows", bad);
    EXPECT_EQ(job.at("status"), "succeeded");
    EXPECT_EQ(job.at("result").at("imported"), 2);
    auto skipped = admin.Get("/api/v1/imports/" + std::to_string(job.at("id").as_int64()) + "/errors");
    EXPECT_EQ(IssueLines(skipped.body), expected);
    const std::string after = Export(admin, "organisations");
    EXPECT_EQ(std::count(after.begin(), after.end(), '\n'), std::count(before.begin(), before.end(), '\n') + 2);
    EXPECT_NE(after.find("Hyvä Rivi Oy"), std::string::npos);
    EXPECT_NE(after.find("Toinen Hyvä Oy"), std::string::npos);
    for (const char* absent : {"Väärä Tunnus", "Toinen Oy", "Kopio Oy", "Lyhyt Oy", "Rikki", "Virhe"}) {
        EXPECT_EQ(after.find(absent), std::string::npos) << absent;
    }
    auto found = admin.Get("/api/v1/search?q=" + UrlEncode("hyvä rivi"));
    ASSERT_EQ(found.Json().at("items").as_array().size(), 1u);

    // Establishments: unknown UN/LOCODE, duplicate code in the file, unknown organisation, wrong country.
    ImportSearchFixtures(admin);
    job = Import(admin, "establishments", "skip_bad_rows", ReadFile("tests/cases/registry/bad_establishments.csv"));
    report = admin.Get("/api/v1/imports/" + std::to_string(job.at("id").as_int64()) + "/errors");
    EXPECT_EQ(IssueLines(report.body),
              (std::vector<std::string>{"3 unlocode error", "4 code error", "5 organisation_key error",
                                        "6 unlocode error"}))
        << report.body;
    EXPECT_EQ(job.at("result").at("imported"), 1);

    // A file that cannot be read at all: unknown and missing header columns.
    job = Import(admin, "contacts", "skip_bad_rows", "organisation_key,firstname,last_name\n1,a,b\n");
    EXPECT_EQ(job.at("result").at("written"), false);
    report = admin.Get("/api/v1/imports/" + std::to_string(job.at("id").as_int64()) + "/errors");
    EXPECT_EQ(IssueLines(report.body), (std::vector<std::string>{"1 firstname error", "1 first_name error"}));

    // Bad requests.
    EXPECT_EQ(admin.Request("POST", "/api/v1/imports?kind=contacts", "a", {{"Content-Type", "application/json"}}).status,
              415u);
    EXPECT_EQ(admin.Request("POST", "/api/v1/imports?kind=ships", "a", {{"Content-Type", "text/csv"}}).status, 422u);
    EXPECT_EQ(admin.Request("POST", "/api/v1/imports?kind=contacts&mode=some", "a", {{"Content-Type", "text/csv"}}).status,
              422u);
}

TEST(RegistryApi, ExportThenImportRoundTrips) {
    std::string orgs, ests, contacts;
    {
        TestServer a;
        Client admin(a.port());
        ASSERT_EQ(admin.Login("admin", "demo-admin-pass").status, 200u);
        ImportSearchFixtures(admin);
        orgs = Export(admin, "organisations");
        ests = Export(admin, "establishments");
        contacts = Export(admin, "contacts");
    }
    EXPECT_NE(orgs.find("Nordic Forwarding Tampere Oy"), std::string::npos);
    TestServer b;  // a fresh database with only the demo data
    Client admin(b.port());
    ASSERT_EQ(admin.Login("admin", "demo-admin-pass").status, 200u);
    // The demo organisations exist in both databases: those rows are refused as duplicates.
    auto job = Import(admin, "organisations", "skip_bad_rows", orgs);
    EXPECT_EQ(job.at("result").at("rejected"), 6);
    EXPECT_EQ(job.at("result").at("imported"), 7);
    EXPECT_EQ(Import(admin, "establishments", "all_or_nothing", ests).at("status"), "succeeded");
    EXPECT_EQ(Import(admin, "contacts", "all_or_nothing", contacts).at("status"), "succeeded");
    EXPECT_EQ(Export(admin, "organisations"), orgs);
    EXPECT_EQ(Export(admin, "establishments"), ests);
    EXPECT_EQ(Export(admin, "contacts"), contacts);
    // Paged export: the Link header leads through the whole table.
    auto first = admin.Get("/api/v1/exports/organisations?limit=5");
    ASSERT_EQ(first.status, 200u);
    const auto link = first.Header("link");
    ASSERT_NE(link.find("rel=\"next\""), std::string::npos) << link;
    auto second = admin.Get(link.substr(1, link.find('>') - 1));
    EXPECT_EQ(second.status, 200u);
    EXPECT_EQ(second.Header("x-row-count"), "5");
}

// Imports of 1,000 records or more reach the SQLite word index in bulk (search.cpp IndexNewDocs:
// one INSERT ... SELECT per range of consecutive ids, instead of parameter rows): every imported
// record is found by word, prefix and identifier, un-indexing an imported record (update, delete)
// keeps the contentless word index consistent, and a trader's word search over an organisation
// with over a thousand entries (read through the entity tables) finds their records only.
TEST(RegistryApi, BigImportIsSearchableAndStaysConsistent) {
    TestServer server;
    Client admin(server.port());
    ASSERT_EQ(admin.Login("admin", "demo-admin-pass").status, 200u);
    ImportSearchFixtures(admin);
    const auto org = admin.Get("/api/v1/organisations/1");
    ASSERT_EQ(org.status, 200u);
    const std::string key(org.Json().at("business_id").as_string());
    constexpr int kRows = 1200;
    std::string csv = "organisation_key,first_name,last_name,email\n";
    for (int i = 0; i < kRows; ++i) {
        csv += key + ",Tuomas,Joukkotuonti" + std::to_string(i) + ",tuomas.joukko" + std::to_string(i) +
               "@joukko.example\n";
    }
    auto job = Import(admin, "contacts", "all_or_nothing", csv);
    ASSERT_EQ(job.at("status"), "succeeded") << boost::json::serialize(job);
    EXPECT_EQ(job.at("result").at("imported"), kRows);

    auto first_hit = [&](Client& c, const std::string& q) -> value {
        auto r = c.Get("/api/v1/search?q=" + UrlEncode(q));
        EXPECT_EQ(r.status, 200u) << r.body;
        const auto& items = r.Json().at("items").as_array();
        return items.empty() ? value(nullptr) : items[0];
    };
    for (int i : {0, 1, 599, 1000, kRows - 1}) {
        const std::string n = std::to_string(i);
        SCOPED_TRACE("row " + n);
        auto word = first_hit(admin, "joukkotuonti" + n);  // a word that is not the name's start
        ASSERT_TRUE(word.is_object());
        EXPECT_EQ(word.at("title"), value("Tuomas Joukkotuonti" + n));
        EXPECT_EQ(word.at("match"), "words");
        auto prefix = first_hit(admin, "Tuomas Joukkotuonti" + n);
        ASSERT_TRUE(prefix.is_object());
        EXPECT_EQ(prefix.at("match"), "prefix");
        auto id = first_hit(admin, "tuomas.joukko" + n + "@joukko.example");
        ASSERT_TRUE(id.is_object());
        EXPECT_EQ(id.at("match"), "identifier");
        EXPECT_EQ(id.at("title"), value("Tuomas Joukkotuonti" + n));
    }
    auto many = admin.Get("/api/v1/search?limit=50&q=" + UrlEncode("joukko"));
    EXPECT_EQ(many.Json().at("items").as_array().size(), 50u);

    // Re-indexing and removing imported records.
    const auto renamed_id = first_hit(admin, "joukkotuonti17").at("id").as_int64();
    const std::string renamed_url = "/api/v1/contacts/" + std::to_string(renamed_id);
    auto patched = admin.PatchJson(renamed_url, object{{"last_name", "Vaihdettu"}, {"email", "uusi@joukko.example"}});
    ASSERT_EQ(patched.status, 200u) << patched.body;
    auto finds = [&](const std::string& q, std::int64_t id) {
        auto r = admin.Get("/api/v1/search?limit=50&q=" + UrlEncode(q));
        for (const auto& i : r.Json().at("items").as_array()) {
            if (i.at("id") == id) return true;
        }
        return false;
    };
    EXPECT_FALSE(finds("joukkotuonti17", renamed_id));  // still finds 170-179
    EXPECT_FALSE(finds("tuomas.joukko17@joukko.example", renamed_id));
    EXPECT_EQ(first_hit(admin, "vaihdettu").at("id"), renamed_id);
    EXPECT_EQ(first_hit(admin, "uusi@joukko.example").at("id"), renamed_id);
    const auto deleted_id = first_hit(admin, "joukkotuonti1100").at("id").as_int64();
    EXPECT_EQ(admin.Delete("/api/v1/contacts/" + std::to_string(deleted_id)).status, 204u);
    EXPECT_TRUE(first_hit(admin, "joukkotuonti1100").is_null());
    EXPECT_TRUE(first_hit(admin, "tuomas.joukko1100@joukko.example").is_null());
    EXPECT_EQ(first_hit(admin, "joukkotuonti1101").at("title"), "Tuomas Joukkotuonti1101");

    // A trader of the organisation: word and prefix search over its 1,200 contacts, own records only.
    Client trader(server.port());
    ASSERT_EQ(trader.Login("trader", "demo-trader-pass").status, 200u);
    auto own_word = first_hit(trader, "joukkotuonti1199");
    ASSERT_TRUE(own_word.is_object());
    EXPECT_EQ(own_word.at("title"), "Tuomas Joukkotuonti1199");
    EXPECT_EQ(own_word.at("match"), "words");
    auto own_two = trader.Get("/api/v1/search?limit=50&q=" + UrlEncode("joukkotuonti11 tu"));
    ASSERT_EQ(own_two.status, 200u);
    EXPECT_EQ(own_two.Json().at("items").as_array().size(), 50u);  // 1100-1199 less the deleted one
    for (const char* q : {"joukko", "makinen", "nordic"}) {
        auto r = trader.Get("/api/v1/search?limit=50&q=" + UrlEncode(q));
        for (const auto& i : r.Json().at("items").as_array()) EXPECT_EQ(i.at("organisation_id"), 1) << q;
    }
    EXPECT_TRUE(first_hit(trader, "nordic").is_null());
}

// On SQLite a word of four letters or more is read from the word index through its first three
// letters (a lazily read prefix index) and checked against each entry's words (search.cpp, tier 3):
// the results must be exactly those of the word itself. "karvo": the first 200 rows of "kar"*
// are other names, so the search falls back to the word itself; "virkk": every other row of
// "vir"* passes; "zorba": an entry whose words the word index splits differently (U+060C, an Arabic
// comma, is kept inside a folded word but separates FTS5 tokens) is still found (SQLite only: a
// PostgreSQL server in the C locale treats the comma as a letter). The server maps its readers
// (--db-mmap, the default) or not: the same results. Entries sharing an identifier come by name.
TEST(RegistryApi, LongWordsFindExactlyTheirEntries) {
    for (const char* mmap : {"2048", "0"}) {
        SCOPED_TRACE(std::string("--db-mmap ") + mmap);
        TestServer server({"--db-mmap", mmap});
        Client admin(server.port());
        ASSERT_EQ(admin.Login("admin", "demo-admin-pass").status, 200u);
        const std::string key(admin.Get("/api/v1/organisations/1").Json().at("business_id").as_string());
        std::string csv = "organisation_key,first_name,last_name,email\n";
        int n = 0;
        auto add = [&](const std::string& first, const std::string& last) {
            csv += key + "," + first + "," + last + ",w" + std::to_string(n++) + "@w.example\n";
        };
        for (int i = 0; i < 250; ++i) add("Kaarlo", "Karppinen");
        for (int i = 0; i < 30; ++i) add("Kari", "Karvonen");
        for (int i = 0; i < 120; ++i) {
            add("Veikko", "Virtanen");
            add("Veikko", "Virkkunen");
        }
        for (int i = 0; i < 5; ++i) add("Zorro", "Zorbanen");
        add("Zorro", "Ab\u060Czorbakka");
        auto job = Import(admin, "contacts", "all_or_nothing", csv);
        ASSERT_EQ(job.at("status"), "succeeded") << boost::json::serialize(job);

        auto titles = [&](const std::string& q) {
            auto r = admin.Get("/api/v1/search?limit=50&type=contact&q=" + UrlEncode(q));
            EXPECT_EQ(r.status, 200u) << r.body;
            std::vector<std::string> out;
            std::int64_t last_id = 0;
            for (const auto& i : r.Json().at("items").as_array()) {
                out.emplace_back(i.at("title").as_string());
                EXPECT_EQ(i.at("match"), "words") << q;
                EXPECT_GT(i.at("id").as_int64(), last_id) << q;  // equal rank: by id
                last_id = i.at("id").as_int64();
            }
            return out;
        };
        EXPECT_EQ(titles("karvo"), std::vector<std::string>(30, "Kari Karvonen"));
        EXPECT_EQ(titles("virkk"), std::vector<std::string>(50, "Veikko Virkkunen"));
        EXPECT_EQ(titles("karppinen").size(), 50u);
        auto zorba = titles("zorba");
        if (server.db_url().starts_with("sqlite:")) {
            ASSERT_EQ(zorba.size(), 6u);
            EXPECT_EQ(zorba.back(), "Zorro Ab\u060Czorbakka");
        }
        EXPECT_EQ(std::count(zorba.begin(), zorba.end(), "Zorro Zorbanen"), 5);

        // An identifier shared by entries (one e-mail in two organisations): by name, then id.
        const auto other = admin.Get("/api/v1/organisations/2");
        ASSERT_EQ(other.status, 200u);
        const std::string key2(other.Json().at("business_id").as_string());
        auto shared = Import(admin, "contacts", "all_or_nothing",
                             "organisation_key,first_name,last_name,email\n" + key + ",Zeta,Jaettu,jaettu@w.example\n" +
                                 key2 + ",Alfa,Jaettu,jaettu@w.example\n");
        ASSERT_EQ(shared.at("status"), "succeeded") << boost::json::serialize(shared);
        for (const char* limit : {"1", "2", "10"}) {
            auto r = admin.Get(std::string("/api/v1/search?limit=") + limit + "&q=jaettu%40w.example");
            const auto& items = r.Json().at("items").as_array();
            ASSERT_EQ(items.size(), std::string(limit) == "1" ? 1u : 2u) << limit;
            EXPECT_EQ(items[0].at("title"), "Alfa Jaettu") << limit;
            EXPECT_EQ(items[0].at("match"), "identifier") << limit;
            if (items.size() > 1) {
                EXPECT_EQ(items[1].at("title"), "Zeta Jaettu") << limit;
            }
        }
    }
}

// Imports of establishments and contacts check rows on a second thread while the writer inserts
// the earlier ones in batches of 2,000 (registry/pipeline.hpp). A bad row after several batches
// were written still leaves nothing behind in all-or-nothing mode (the transaction rolls back),
// and skip mode writes exactly the good rows, all of them searchable.
TEST(RegistryApi, ImportBadRowAfterSeveralBatches) {
    TestServer server;
    Client admin(server.port());
    ASSERT_EQ(admin.Login("admin", "demo-admin-pass").status, 200u);
    ImportSearchFixtures(admin);
    const auto org = admin.Get("/api/v1/organisations/1");
    ASSERT_EQ(org.status, 200u);
    const std::string key(org.Json().at("business_id").as_string());
    constexpr int kRows = 5000;
    std::string csv = "organisation_key,first_name,last_name,email\n";
    for (int i = 0; i < kRows; ++i) {
        std::string email = "putki" + std::to_string(i) + "@putki.example";
        if (i == 4800) email = "no-at-sign";                  // line 4802: invalid e-mail
        if (i == 4900) email = "putki7@putki.example";        // line 4902: the same e-mail as line 9
        csv += key + ",Pirkko,Putkitesti" + std::to_string(i) + "," + email + "\n";
    }
    const std::string before = Export(admin, "contacts");
    const std::vector<std::string> expected = {"4802 email error", "4902 email error"};

    auto job = Import(admin, "contacts", "all_or_nothing", csv);
    EXPECT_EQ(job.at("status"), "failed");
    EXPECT_EQ(job.at("result").at("written"), false);
    EXPECT_EQ(job.at("result").at("rows"), kRows);
    EXPECT_EQ(job.at("result").at("rejected"), 2);
    EXPECT_EQ(job.at("progress").at("done"), kRows);
    auto report = admin.Get("/api/v1/imports/" + std::to_string(job.at("id").as_int64()) + "/errors");
    EXPECT_EQ(IssueLines(report.body), expected) << report.body;
    EXPECT_EQ(Export(admin, "contacts"), before);
    auto none = admin.Get("/api/v1/search?q=putkitesti0");
    EXPECT_EQ(none.Json().at("items").as_array().size(), 0u) << none.body;

    job = Import(admin, "contacts", "skip_bad_rows", csv);
    EXPECT_EQ(job.at("status"), "succeeded");
    EXPECT_EQ(job.at("result").at("imported"), kRows - 2);
    report = admin.Get("/api/v1/imports/" + std::to_string(job.at("id").as_int64()) + "/errors");
    EXPECT_EQ(IssueLines(report.body), expected) << report.body;
    const std::string after = Export(admin, "contacts");
    EXPECT_EQ(std::count(after.begin(), after.end(), '\n'), std::count(before.begin(), before.end(), '\n') + kRows - 2);
    EXPECT_EQ(after.find("Putkitesti4800,"), std::string::npos);
    EXPECT_EQ(after.find("Putkitesti4900,"), std::string::npos);
    for (int i : {0, 1999, 2000, 4799, 4801, kRows - 1}) {
        const std::string n = std::to_string(i);
        SCOPED_TRACE("row " + n);
        EXPECT_NE(after.find("Putkitesti" + n + ",putki" + n + "@putki.example"), std::string::npos);
        auto word = admin.Get("/api/v1/search?q=putkitesti" + n);
        ASSERT_EQ(word.Json().at("items").as_array().size(), 1u) << word.body;
        EXPECT_EQ(word.Json().at("items").at(0).at("title"), value("Pirkko Putkitesti" + n));
        auto id = admin.Get("/api/v1/search?q=" + UrlEncode("putki" + n + "@putki.example"));
        ASSERT_FALSE(id.Json().at("items").as_array().empty()) << id.body;
        EXPECT_EQ(id.Json().at("items").at(0).at("match"), "identifier");
    }
    auto history = admin.Get("/api/v1/contacts/" +
                             std::to_string(admin.Get("/api/v1/search?q=putkitesti4999").Json().at("items").at(0).at("id").as_int64()) +
                             "/history");
    ASSERT_EQ(history.status, 200u) << history.body;
    EXPECT_NE(history.body.find("CSV import, line 5001"), std::string::npos) << history.body;
}

std::int64_t IdOf(Client& c, const std::string& query) {
    auto r = c.Get("/api/v1/search?q=" + UrlEncode(query));
    EXPECT_EQ(r.status, 200u);
    const auto& items = r.Json().at("items").as_array();
    EXPECT_FALSE(items.empty()) << query;
    return items.empty() ? 0 : items[0].at("id").as_int64();
}

TEST(RegistryApi, TraderSeesOnlyOwnOrganisationEverywhere) {
    TestServer server;
    Client admin(server.port());
    ASSERT_EQ(admin.Login("admin", "demo-admin-pass").status, 200u);
    ImportSearchFixtures(admin);
    // Give the trader's own organisation (Demo Import Oy, id 1) a site and a contact.
    auto est = admin.PostJson("/api/v1/organisations/1/establishments",
                              object{{"name", "Demo varasto"}, {"city", "Helsinki"}, {"country", "FI"},
                                     {"postal_code", "00180"}, {"unlocode", "FIHEL"}, {"type", "warehouse"}});
    ASSERT_EQ(est.status, 201u) << est.body;
    auto own_contact = admin.PostJson("/api/v1/organisations/1/contacts",
                                      object{{"first_name", "Maija"}, {"last_name", "Mäkinen"},
                                             {"email", "maija@demo.example"}});
    ASSERT_EQ(own_contact.status, 201u) << own_contact.body;
    const auto other_org = IdOf(admin, "Makkonen Trading");
    const auto other_est = IdOf(admin, "Makkonen Kotka");
    const auto other_contact = IdOf(admin, "matti.makinen@makkonen.example");

    Client trader(server.port());
    ASSERT_EQ(trader.Login("trader", "demo-trader-pass").status, 200u);
    for (const std::string& url : std::vector<std::string>
         {"/api/v1/organisations/" + std::to_string(other_org) + "/establishments",
          "/api/v1/organisations/" + std::to_string(other_org) + "/contacts",
          "/api/v1/organisations/" + std::to_string(other_org) + "/group",
          "/api/v1/establishments/" + std::to_string(other_est),
          "/api/v1/establishments/" + std::to_string(other_est) + "/history",
          "/api/v1/contacts/" + std::to_string(other_contact),
          "/api/v1/contacts/" + std::to_string(other_contact) + "/history",
          "/api/v1/contacts/" + std::to_string(other_contact) + "/personal-data"}) {
        EXPECT_EQ(trader.Get(url).status, 404u) << url;
    }
    EXPECT_EQ(trader.PatchJson("/api/v1/contacts/" + std::to_string(other_contact), object{{"phone", "1"}}).status,
              404u);
    EXPECT_EQ(trader.Request("POST", "/api/v1/contacts/" + std::to_string(other_contact) + "/erase").status, 404u);
    // Search: only the own organisation's records, whatever the query.
    for (const char* q : {"makinen", "mak", "nordic", "helsinki", "2002000-9", "matti.makinen@makkonen.example"}) {
        auto r = trader.Get("/api/v1/search?q=" + UrlEncode(q));
        ASSERT_EQ(r.status, 200u);
        for (const auto& i : r.Json().at("items").as_array()) EXPECT_EQ(i.at("organisation_id"), 1) << q;
    }
    auto own = trader.Get("/api/v1/search?q=" + UrlEncode("mäkinen"));
    ASSERT_EQ(own.Json().at("items").as_array().size(), 1u);
    EXPECT_EQ(own.Json().at("items").as_array()[0].at("title"), "Maija Mäkinen");
    // Lists, group and export of the own organisation only.
    EXPECT_EQ(trader.Get("/api/v1/organisations/1/establishments").Json().at("items").as_array().size(), 1u);
    EXPECT_EQ(trader.Get("/api/v1/organisations/1/contacts").Json().at("items").as_array().size(), 1u);
    EXPECT_EQ(trader.Get("/api/v1/organisations/1/group").Json().at("items").as_array().size(), 1u);
    for (const char* kind : {"organisations", "establishments", "contacts"}) {
        const auto csv = Export(trader, kind);
        EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 2) << kind << "\n" << csv;
    }
    EXPECT_NE(Export(trader, "contacts").find("maija@demo.example"), std::string::npos);
    // A trader maintains their own organisation's contacts (issue 4), with history as for staff.
    const std::string own_url = "/api/v1/contacts/" + std::to_string(own_contact.Json().at("id").as_int64());
    auto edited = trader.PatchJson(own_url, object{{"phone", "+358 9 123 4567"}, {"contact_roles", {"customs_contact"}}},
                                   {{"If-Match", "\"1\""}});
    ASSERT_EQ(edited.status, 200u) << edited.body;
    EXPECT_EQ(edited.Json().at("phone"), "+358 9 123 4567");
    EXPECT_EQ(edited.Json().at("version"), 2);
    EXPECT_EQ(trader.PatchJson(own_url, object{{"phone", "1"}}, {{"If-Match", "\"1\""}}).status, 412u);
    auto bad_edit = trader.PatchJson(own_url, object{{"email", "not an e-mail"}, {"contact_roles", {"boss"}}});
    ASSERT_EQ(bad_edit.status, 422u) << bad_edit.body;
    EXPECT_TRUE(bad_edit.IsProblem());
    auto own_history = trader.Get(own_url + "/history");
    ASSERT_EQ(own_history.status, 200u);
    const auto& own_entries = own_history.Json().at("items").as_array();
    ASSERT_EQ(own_entries.size(), 2u);
    EXPECT_EQ(own_entries[0].at("action"), "update");
    EXPECT_EQ(own_entries[0].at("actor").at("name"), "trader");
    auto added = trader.PostJson("/api/v1/organisations/1/contacts",
                                 object{{"first_name", "Olli"}, {"last_name", "Ostaja"}, {"email", "olli@demo.example"}});
    ASSERT_EQ(added.status, 201u) << added.body;
    const std::string added_url = "/api/v1/contacts/" + std::to_string(added.Json().at("id").as_int64());
    EXPECT_EQ(trader.Get(added_url + "/history").Json().at("items").as_array()[0].at("actor").at("name"), "trader");
    EXPECT_EQ(admin.Get(added_url).status, 200u);
    // ... but nothing of another organisation: its contacts stay "not found", whatever the method.
    const std::string other_url = "/api/v1/contacts/" + std::to_string(other_contact);
    EXPECT_EQ(trader.Delete(other_url).status, 404u);
    EXPECT_EQ(trader.PostJson("/api/v1/organisations/" + std::to_string(other_org) + "/contacts",
                              object{{"first_name", "A"}, {"last_name", "B"}})
                  .status,
              404u);
    EXPECT_EQ(admin.Get(other_url).Json().at("version"), 1);  // untouched
    // The data-subject rights stay with customs: no export, no erasure, even of the own contacts.
    EXPECT_EQ(trader.Get(own_url + "/personal-data").status, 403u);
    auto erase = trader.Request("POST", own_url + "/erase");
    EXPECT_EQ(erase.status, 403u) << erase.body;
    EXPECT_TRUE(erase.IsProblem());
    EXPECT_EQ(admin.Get(own_url).Json().at("first_name"), "Maija");
    EXPECT_EQ(trader.Delete(added_url).status, 204u);
    EXPECT_EQ(trader.Get(added_url).status, 404u);
    // Traders do not create sites of their organisation, nor import.
    EXPECT_EQ(trader.PostJson("/api/v1/organisations/1/establishments", object{{"name", "X"}, {"city", "Y"}, {"country", "FI"}})
                  .status,
              403u);
    EXPECT_EQ(trader.Request("POST", "/api/v1/imports?kind=contacts", "a", {{"Content-Type", "text/csv"}}).status, 403u);
}

TEST(RegistryApi, EstablishmentsContactsGroupsAndValidation) {
    TestServer server;
    Client kam(server.port());
    ASSERT_EQ(kam.Login("kam", "demo-kam-pass").status, 200u);
    // Account fields: KAM and team must have the KAM role.
    auto me = kam.Get("/api/v1/me").Json();
    const auto kam_id = me.at("id").as_int64();
    auto ok = kam.PatchJson("/api/v1/organisations/2", object{{"customer_group", "key"}, {"value_class", "big"},
                                                             {"kam_user_id", kam_id}, {"account_team", {kam_id}}});
    ASSERT_EQ(ok.status, 200u) << ok.body;
    EXPECT_EQ(ok.Json().at("customer_group"), "key");
    // People see the KAM and the team by name, on the write's answer and on a later read.
    for (const auto& r : {ok, kam.Get("/api/v1/organisations/2")}) {
        EXPECT_EQ(r.Json().at("kam_name"), me.at("display_name")) << r.body;
        ASSERT_EQ(r.Json().at("account_team_names").as_array().size(), 1u) << r.body;
        EXPECT_EQ(r.Json().at("account_team_names").as_array()[0].at("id").as_int64(), kam_id);
        EXPECT_EQ(r.Json().at("account_team_names").as_array()[0].at("name"), me.at("display_name"));
    }
    // The list filters by customer group and value class (issue 4), alone and together.
    const auto ids_of = [&](const std::string& query) {
        auto r = kam.Get("/api/v1/organisations?limit=500&" + query);
        EXPECT_EQ(r.status, 200u) << query << " " << r.body;
        std::set<std::int64_t> ids;
        if (r.status != 200u) return ids;
        for (const auto& o : r.Json().at("items").as_array()) {
            if (query.find("customer_group=key") != std::string::npos) {
                EXPECT_EQ(o.at("customer_group"), "key") << query;
            }
            if (query.find("value_class=big") != std::string::npos) {
                EXPECT_EQ(o.at("value_class"), "big") << query;
            }
            ids.insert(o.at("id").as_int64());
        }
        return ids;
    };
    EXPECT_TRUE(ids_of("customer_group=key").contains(2));
    EXPECT_TRUE(ids_of("value_class=big").contains(2));
    EXPECT_TRUE(ids_of("customer_group=key&value_class=big&q=Pohjolan").contains(2));
    EXPECT_FALSE(ids_of("customer_group=small").contains(2));
    EXPECT_FALSE(ids_of("customer_group=key&value_class=strategic").contains(2));
    auto bad_filters = kam.Get("/api/v1/organisations?customer_group=huge&value_class=tiny&role=pirate");
    ASSERT_EQ(bad_filters.status, 422u) << bad_filters.body;
    EXPECT_TRUE(bad_filters.IsProblem());
    std::set<std::string> filter_pointers;
    for (const auto& e : bad_filters.Json().at("errors").as_array()) {
        filter_pointers.insert(std::string(e.at("pointer").as_string()));
        EXPECT_EQ(e.at("code"), "enum");
    }
    EXPECT_EQ(filter_pointers, (std::set<std::string>{"/query/customer_group", "/query/value_class", "/query/role"}));
    auto not_kam = kam.PatchJson("/api/v1/organisations/2", object{{"kam_user_id", 1}});
    EXPECT_EQ(not_kam.status, 422u) << not_kam.body;
    // Hierarchy: 3 and 4 under 2; the group from any member is the whole tree.
    ASSERT_EQ(kam.PatchJson("/api/v1/organisations/3", object{{"parent_id", 2}}).status, 200u);
    ASSERT_EQ(kam.PatchJson("/api/v1/organisations/4", object{{"parent_id", 3}}).status, 200u);
    EXPECT_EQ(kam.PatchJson("/api/v1/organisations/2", object{{"parent_id", 4}}).status, 422u);  // cycle
    auto group = kam.Get("/api/v1/organisations/4/group");
    ASSERT_EQ(group.status, 200u);
    EXPECT_EQ(group.Json().at("root_id"), 2);
    EXPECT_EQ(group.Json().at("items").as_array().size(), 3u);
    EXPECT_EQ(group.Json().at("items").as_array()[2].at("depth"), 2);
    // Establishment validation reports every field.
    auto bad = kam.PostJson("/api/v1/organisations/2/establishments",
                            object{{"name", ""}, {"city", "Oulu"}, {"country", "FI"}, {"postal_code", "9010"},
                                   {"unlocode", "FIXXX"}, {"type", "castle"}});
    ASSERT_EQ(bad.status, 422u) << bad.body;
    std::set<std::string> pointers;
    for (const auto& e : bad.Json().at("errors").as_array()) pointers.insert(std::string(e.at("pointer").as_string()));
    EXPECT_EQ(pointers, (std::set<std::string>{"/name", "/type", "/postal_code", "/unlocode"}));
    auto est = kam.PostJson("/api/v1/organisations/2/establishments",
                            object{{"name", "Oulun satama"}, {"city", "Oulu"}, {"country", "FI"}, {"unlocode", "fioul"}});
    ASSERT_EQ(est.status, 201u) << est.body;
    EXPECT_EQ(est.Json().at("unlocode"), "FIOUL");
    const auto est_id = est.Json().at("id").as_int64();
    EXPECT_EQ(est.Json().at("code"), value("E" + std::to_string(est_id)));
    auto patched = kam.PatchJson("/api/v1/establishments/" + std::to_string(est_id), object{{"name", "Oulun terminaali"}},
                                 {{"If-Match", "\"1\""}});
    EXPECT_EQ(patched.status, 200u);
    EXPECT_EQ(kam.PatchJson("/api/v1/establishments/" + std::to_string(est_id), object{{"name", "X"}},
                            {{"If-Match", "\"1\""}})
                  .status,
              412u);
    EXPECT_EQ(kam.Get("/api/v1/establishments/" + std::to_string(est_id) + "/history").Json().at("items").as_array().size(),
              2u);
    // Contacts: duplicate e-mail in the organisation, foreign establishment.
    auto c1 = kam.PostJson("/api/v1/organisations/2/contacts",
                           object{{"first_name", "Liisa"}, {"last_name", "Laine"}, {"email", "LIISA@pohjola.example"},
                                  {"contact_roles", {"decision_maker", "billing_contact"}}, {"establishment_id", est_id}});
    ASSERT_EQ(c1.status, 201u) << c1.body;
    EXPECT_EQ(c1.Json().at("email"), "liisa@pohjola.example");
    auto dup = kam.PostJson("/api/v1/organisations/2/contacts",
                            object{{"first_name", "L"}, {"last_name", "L"}, {"email", "liisa@pohjola.example"}});
    EXPECT_EQ(dup.status, 409u);
    auto foreign = kam.PostJson("/api/v1/organisations/3/contacts",
                                object{{"first_name", "L"}, {"last_name", "L"}, {"establishment_id", est_id}});
    EXPECT_EQ(foreign.status, 422u);
    EXPECT_EQ(kam.Delete("/api/v1/establishments/" + std::to_string(est_id)).status, 409u);  // a contact is linked
    // Near-duplicate organisation name at the same postal address: a warning to override.
    object similar{{"name", "Pohjolan Kuljetus"},
                   {"business_id", "0737546-2"},
                   {"addresses", {object{{"street", "Satamatie 12"}, {"postal_code", "90100"}, {"city", "Oulu"},
                                         {"country", "FI"}}}}};
    auto warn = kam.PostJson("/api/v1/organisations", similar);
    ASSERT_EQ(warn.status, 409u) << warn.body;
    EXPECT_EQ(warn.Json().at("type"), "https://customsdesk.example/problems/possible-duplicate-organisation");
    EXPECT_NE(warn.body.find("/api/v1/organisations/2"), std::string::npos);
    EXPECT_EQ(kam.PostJson("/api/v1/organisations?allow_similar=true", similar).status, 201u);
}

TEST(RegistryApi, ContactPersonalDataExportAndErasure) {
    TestServer server;
    Client agent(server.port());
    ASSERT_EQ(agent.Login("agent", "demo-agent-pass").status, 200u);
    auto est = agent.PostJson("/api/v1/organisations/2/establishments",
                              object{{"name", "Oulu"}, {"city", "Oulu"}, {"country", "FI"}});
    ASSERT_EQ(est.status, 201u);
    auto c = agent.PostJson("/api/v1/organisations/2/contacts",
                            object{{"first_name", "Pekka"}, {"last_name", "Pöllänen"}, {"email", "pekka@pohjola.example"},
                                   {"phone", "+358 40 765 4321"}, {"marketing_consent", true},
                                   {"establishment_id", est.Json().at("id")}});
    ASSERT_EQ(c.status, 201u);
    const std::string url = "/api/v1/contacts/" + std::to_string(c.Json().at("id").as_int64());
    ASSERT_EQ(agent.PatchJson(url, object{{"phone", "+358 40 000 0000"}}).status, 200u);
    auto data = agent.Get(url + "/personal-data");
    ASSERT_EQ(data.status, 200u);
    EXPECT_EQ(data.Json().at("contact").at("last_name"), "Pöllänen");
    EXPECT_EQ(data.Json().at("organisation").at("id"), 2);
    EXPECT_EQ(data.Json().at("history").as_array().size(), 2u);
    EXPECT_NE(data.body.find("+358 40 765 4321"), std::string::npos) << "history holds the old phone too";
    EXPECT_EQ(agent.Get("/api/v1/search?q=pollanen").Json().at("items").as_array().size(), 1u);

    auto erased = agent.Request("POST", url + "/erase");
    ASSERT_EQ(erased.status, 200u) << erased.body;
    EXPECT_EQ(erased.Json().at("first_name"), "[erased]");
    EXPECT_TRUE(erased.Json().at("email").is_null());
    EXPECT_EQ(erased.Json().at("marketing_consent"), false);
    EXPECT_EQ(erased.Json().at("establishment_id"), est.Json().at("id"));  // links intact
    auto after = agent.Get(url + "/personal-data");
    ASSERT_EQ(after.status, 200u);
    for (const char* gone : {"Pekka", "Pöllänen", "pekka@pohjola.example", "765 4321", "000 0000"}) {
        EXPECT_EQ(after.body.find(gone), std::string::npos) << gone;
    }
    const auto& history = after.Json().at("history").as_array();
    ASSERT_EQ(history.size(), 3u);  // create, update, erase: kept, redacted
    EXPECT_EQ(history[0].at("action"), "erase");
    EXPECT_EQ(agent.Get("/api/v1/search?q=pollanen").Json().at("items").as_array().size(), 0u);
    EXPECT_EQ(agent.PatchJson(url, object{{"first_name", "Again"}}).status, 409u);
    EXPECT_EQ(Export(agent, "contacts").find("erased"), std::string::npos);
}

}  // namespace
}  // namespace customsdesk::apitest
