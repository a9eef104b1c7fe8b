// Taxation through the real binary, on SQLite and PostgreSQL: the seeded rates and demo exchange rates,
// assessment preview by a trader and an officer (VAT change date, USD, H7 limit), CSV import by an
// administrator (all-or-nothing with line errors; refused for others), posted VAT and exchange rates,
// and `customsdesk taxation import` on the command line being seen by a running server.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "test_database.hpp"
#include "test_server.hpp"

namespace customsdesk::apitest {
namespace {

using boost::json::object;

HttpResult PostCsv(Client& c, const std::string& target, const std::string& csv) {
    return c.Request("POST", target, csv, {{"Content-Type", "text/csv"}});
}

object Assessment(const std::string& date, const std::string& procedure, const std::string& currency,
                  const std::string& code, const std::string& value) {
    return {{"acceptance_date", date},
            {"procedure", procedure},
            {"currency", currency},
            {"items", boost::json::array{object{{"commodity_code", code}, {"customs_value", value}}}}};
}

std::vector<std::string> Errors(const HttpResult& r) {
    std::vector<std::string> out;
    for (const auto& e : r.Json().at("errors").as_array()) {
        out.push_back(std::string(e.at("pointer").as_string()) + " " + std::string(e.at("code").as_string()));
    }
    return out;
}

TEST(TaxationApi, TraderAndOfficerPreviewAssessments) {
    TestServer server;
    Client trader(server.port());
    ASSERT_EQ(trader.Login("trader", "demo-trader-pass").status, 200u);
    // 6403 (demo 8 %), 100.00 EUR: VAT 24 % on the last day of the old rate, 25.5 % from 2024-09-01.
    auto before = trader.PostJson("/api/v1/taxation/assess", Assessment("2024-08-31", "H1", "EUR", "64039118", "100.00"));
    ASSERT_EQ(before.status, 200u) << before.body;
    EXPECT_EQ(before.Json().at("total_duty"), "8.00");
    EXPECT_EQ(before.Json().at("total_vat"), "25.92");
    auto after = trader.PostJson("/api/v1/taxation/assess", Assessment("2024-09-01", "H1", "EUR", "64039118", "100.00"));
    ASSERT_EQ(after.status, 200u) << after.body;
    EXPECT_EQ(after.Json().at("total_vat"), "27.54");

    Client officer(server.port());
    ASSERT_EQ(officer.Login("officer", "demo-officer-pass").status, 200u);
    // Demo USD rate 1.1000: 110.00 USD = 100.00 EUR; computers 0 %; VAT 25.5 % = 25.50.
    auto usd = officer.PostJson("/api/v1/taxation/assess", Assessment("2024-09-02", "H1", "USD", "84713000", "110.00"));
    ASSERT_EQ(usd.status, 200u) << usd.body;
    EXPECT_EQ(usd.Json().at("items").at(0).at("customs_value_eur"), "100.00");
    EXPECT_EQ(usd.Json().at("total_vat"), "25.50");

    auto h7 = officer.PostJson("/api/v1/taxation/assess", Assessment("2024-09-02", "H7", "EUR", "64039118", "150.01"));
    ASSERT_EQ(h7.status, 422u) << h7.body;
    EXPECT_TRUE(h7.IsProblem());
    EXPECT_EQ(Errors(h7), std::vector<std::string>{"/items h7_value_limit"});
    auto no_rate = officer.PostJson("/api/v1/taxation/assess", Assessment("2024-09-02", "H1", "EUR", "97011000", "1"));
    ASSERT_EQ(no_rate.status, 422u) << no_rate.body;
    EXPECT_EQ(Errors(no_rate), std::vector<std::string>{"/items/0/commodity_code no_tariff_rate"});
    auto floaty = officer.Request("POST", "/api/v1/taxation/assess",
                                  R"({"acceptance_date":"2024-09-02","procedure":"H1","currency":"EUR",)"
                                  R"("items":[{"commodity_code":"84713000","customs_value":10.5}]})",
                                  {{"Content-Type", "application/json"}});
    ASSERT_EQ(floaty.status, 422u) << floaty.body;
    EXPECT_EQ(Errors(floaty), std::vector<std::string>{"/items/0/customs_value decimal_as_string"});

    auto vat = trader.Get("/api/v1/taxation/vat-rates");
    ASSERT_EQ(vat.status, 200u);
    EXPECT_EQ(vat.Json().at("items").as_array().size(), 2u);
    auto tariff = trader.Get("/api/v1/taxation/tariff-rates?code=64039118&date=2024-09-01");
    ASSERT_EQ(tariff.status, 200u) << tariff.body;
    ASSERT_EQ(tariff.Json().at("items").as_array().size(), 1u);
    EXPECT_EQ(tariff.Json().at("items").at(0).at("code_prefix"), "6403");
    EXPECT_EQ(trader.Get("/api/v1/taxation/tariff-rates?date=2024-02-30").status, 422u);
}

TEST(TaxationApi, AdministratorImportsAllOrNothingOthersAreRefused) {
    TestServer server;
    Client admin(server.port());
    ASSERT_EQ(admin.Login("admin", "demo-admin-pass").status, 200u);
    auto bad = PostCsv(admin, "/api/v1/taxation/tariff-rates/import",
                       "code_prefix,duty_percent,valid_from\n6110,12,2024-01-01\n6111,twelve,2024-01-01\n");
    ASSERT_EQ(bad.status, 422u) << bad.body;
    EXPECT_EQ(Errors(bad), std::vector<std::string>{"/lines/3/duty_percent format"});
    EXPECT_TRUE(admin.Get("/api/v1/taxation/tariff-rates?code=6110").Json().at("items").as_array().empty());

    auto good = PostCsv(admin, "/api/v1/taxation/tariff-rates/import",
                        "code_prefix,duty_percent,valid_from\n6110,12,2024-01-01\n6111,12,2024-01-01\n");
    ASSERT_EQ(good.status, 200u) << good.body;
    EXPECT_EQ(good.Json().at("inserted"), 2);
    auto a = admin.PostJson("/api/v1/taxation/assess", Assessment("2024-09-02", "H1", "EUR", "61101000", "50.00"));
    ASSERT_EQ(a.status, 200u) << a.body;
    EXPECT_EQ(a.Json().at("total_duty"), "6.00");

    auto fx = PostCsv(admin, "/api/v1/taxation/exchange-rates/import",
                      "currency,valid_from,units_per_eur\nCHF,2024-09-01,0.9500\n");
    ASSERT_EQ(fx.status, 200u) << fx.body;
    auto posted = admin.PostJson("/api/v1/taxation/exchange-rates",
                                 object{{"currency", "CHF"}, {"valid_from", "2024-10-01"}, {"units_per_eur", "0.9400"}});
    ASSERT_EQ(posted.status, 200u) << posted.body;
    auto chf = admin.Get("/api/v1/taxation/exchange-rates?currency=CHF");
    ASSERT_EQ(chf.status, 200u);
    EXPECT_EQ(chf.Json().at("items").as_array().size(), 2u);
    auto vat = admin.PostJson("/api/v1/taxation/vat-rates",
                              object{{"code_prefix", ""}, {"percent", "26"}, {"valid_from", "2030-01-01"}});
    ASSERT_EQ(vat.status, 422u) << vat.body;  // overlaps the open-ended 25.5 % row
    EXPECT_EQ(Errors(vat), std::vector<std::string>{"/valid_from overlap"});
    EXPECT_EQ(PostCsv(admin, "/api/v1/taxation/tariff-rates/import", "x").status, 422u);
    EXPECT_EQ(admin.Request("POST", "/api/v1/taxation/tariff-rates/import", "a,b\n",
                            {{"Content-Type", "application/json"}}).status,
              415u);

    Client officer(server.port());
    ASSERT_EQ(officer.Login("officer", "demo-officer-pass").status, 200u);
    EXPECT_EQ(PostCsv(officer, "/api/v1/taxation/tariff-rates/import", "code_prefix,duty_percent,valid_from\n").status,
              403u);
    EXPECT_EQ(officer.PostJson("/api/v1/taxation/vat-rates",
                               object{{"code_prefix", "0901"}, {"percent", "14"}, {"valid_from", "2013-01-01"}})
                  .status,
              403u);
    Client anonymous(server.port());
    EXPECT_EQ(anonymous.Get("/api/v1/taxation/vat-rates").status, 401u);
}

struct CliRun {
    int status = -1;
    std::string out;
};

CliRun Cli(const std::string& args) {
    CliRun r;
    FILE* p = popen((std::string(CUSTOMSDESK_BINARY) + " " + args + " 2>&1").c_str(), "r");
    std::array<char, 4096> buf{};
    while (auto n = fread(buf.data(), 1, buf.size(), p)) r.out.append(buf.data(), n);
    const int st = pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

TEST(TaxationCli, ImportIsAllOrNothingAndSeenByTheRunningServer) {
    TestServer server;
    Client officer(server.port());
    ASSERT_EQ(officer.Login("officer", "demo-officer-pass").status, 200u);
    auto before = officer.PostJson("/api/v1/taxation/assess", Assessment("2024-09-02", "H1", "EUR", "94036000", "100"));
    ASSERT_EQ(before.status, 422u) << before.body;  // no tariff row for furniture yet

    const std::string dir = ::testing::TempDir();
    {
        std::ofstream bad(dir + "/bad_tariff.csv");
        bad << "code_prefix,duty_percent,valid_from\n9403,0,2024-01-01\n94x3,0,2024-01-01\n";
        std::ofstream good(dir + "/tariff.csv");
        good << "code_prefix,duty_percent,valid_from\n9403,2.7,2024-01-01\n";
    }
    const std::string db = " --db '" + server.db_url() + "'";
    auto refused = Cli("taxation import tariff " + dir + "/bad_tariff.csv" + db);
    EXPECT_EQ(refused.status, 1) << refused.out;
    EXPECT_NE(refused.out.find("line 3, code_prefix: format"), std::string::npos) << refused.out;
    auto imported = Cli("taxation import tariff " + dir + "/tariff.csv" + db);
    ASSERT_EQ(imported.status, 0) << imported.out;
    EXPECT_NE(imported.out.find("imported 1 rows"), std::string::npos) << imported.out;
    EXPECT_NE(Cli("taxation import duties " + dir + "/tariff.csv" + db).status, 0);

    // The server notices the new revision within its check interval (2 s); poll, bounded.
    unsigned status = 0;
    for (int i = 0; i < 100 && status != 200u; ++i) {
        auto r = officer.PostJson("/api/v1/taxation/assess", Assessment("2024-09-02", "H1", "EUR", "94036000", "100"));
        status = r.status;
        if (status == 200u) EXPECT_EQ(r.Json().at("total_duty"), "2.70");
        else std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_EQ(status, 200u);
}

}  // namespace
}  // namespace customsdesk::apitest
