// TaxService on SQLite and PostgreSQL: the seeded rates, CSV import (all-or-nothing, row errors with
// lines, merge over stored rows, overlaps), posted VAT and exchange rates, access, and the cache
// (own writes are seen at once; another process's writes after the revision check interval).
#include "customsdesk/taxation/tax_service.hpp"

#include <gtest/gtest.h>

#include "support/test_database.hpp"

namespace customsdesk::taxation {
namespace {

using core::Decimal;
using core::ErrorCode;

Date D(std::string_view s) { return ParseDate(s).value(); }
Decimal N(std::string_view s) { return Decimal::Parse(s).value(); }

core::Principal Person(std::string name, core::Role role) {
    core::Principal p;
    p.user = core::UserId(1);
    p.username = std::move(name);
    p.roles = {role};
    p.method = core::AuthMethod::kSession;
    if (role == core::Role::kTrader) p.organisation = core::OrganisationId(1);
    return p;
}

std::vector<std::string> Errors(const core::Error& e) {
    std::vector<std::string> out;
    for (const auto& f : e.fields) out.push_back(f.pointer + " " + f.code);
    return out;
}

class TaxServiceTest : public ::testing::Test {
protected:
    TaxServiceTest()
        : db_(test_support::OpenTestDatabase()),
          clock_(core::Timestamp(std::chrono::seconds(1'800'000'000))),
          service_(*db_, clock_) {}

    AssessmentInput Input(std::string date, std::string currency, std::string code, std::string value) {
        AssessmentInput in;
        in.acceptance_date = D(date);
        in.currency = std::move(currency);
        in.items.push_back({std::move(code), N(value), std::nullopt});
        return in;
    }

    std::unique_ptr<storage::Database> db_;
    core::ManualClock clock_;
    TaxService service_;
    core::Principal admin_ = Person("ada", core::Role::kAdmin);
    core::Principal officer_ = Person("olli", core::Role::kOfficer);
    core::Principal trader_ = Person("tina", core::Role::kTrader);
};

TEST_F(TaxServiceTest, SeededVatAndDemoTariffAssessAfterMigration) {
    // 6403 seeded at 8 %; VAT 24 % until 2024-08-31, 25.5 % from 2024-09-01.
    auto before = service_.Assess(Input("2024-08-31", "EUR", "64039118", "100.00"));
    ASSERT_TRUE(before) << before.error().message;
    EXPECT_EQ(before->total_duty.ToString(), "8.00");
    EXPECT_EQ(before->total_vat.ToString(), "25.92");
    auto after = service_.Assess(Input("2024-09-01", "EUR", "64039118", "100.00"));
    ASSERT_TRUE(after);
    EXPECT_EQ(after->total_vat.ToString(), "27.54");  // 108.00 * 25.5 % = 27.54

    auto vat = service_.ListVatRates(trader_);
    ASSERT_TRUE(vat);
    ASSERT_EQ(vat->size(), 2u);
    EXPECT_EQ((*vat)[1].percent, N("25.5"));
    // No exchange rates are seeded (they would be stale): a foreign currency needs an import first.
    auto usd = service_.Assess(Input("2024-09-01", "USD", "64039118", "100.00"));
    ASSERT_FALSE(usd);
    EXPECT_EQ(Errors(usd.error()), std::vector<std::string>{"/currency no_exchange_rate"});
}

TEST_F(TaxServiceTest, TariffImportMergesAndIsSeenAtOnce) {
    auto report = service_.Import(admin_, ImportKind::kTariff,
                                  "code_prefix,duty_percent,valid_from,valid_to,specific_duty,specific_unit\r\n"
                                  "6403,8,2024-01-01,,,\r\n"            // same key as the seed: replaced
                                  "64039993,17,2024-01-01,2024-12-31,,\r\n"
                                  "220421,0,2024-01-01,,0.20,l\r\n");
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_EQ(report->rows, 3u);
    EXPECT_EQ(report->inserted, 2u);
    EXPECT_EQ(report->replaced, 1u);
    auto a = service_.Assess(Input("2024-09-02", "EUR", "6403999300", "100.00"));
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_EQ(a->items[0].tariff_code_prefix, "64039993");
    EXPECT_EQ(a->total_duty.ToString(), "17.00");

    TariffFilter f;
    f.code = "64039993";
    auto rows = service_.ListTariffRates(officer_, f);
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->size(), 2u);  // 6403 (applies to the code) and 64039993
    EXPECT_EQ((*rows)[0].code_prefix, "6403");
    f.code = "64";
    f.date = D("2025-01-01");
    rows = service_.ListTariffRates(officer_, f);
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->size(), 1u);  // 64039993 expired
}

TEST_F(TaxServiceTest, BadCsvRowsRefuseTheWholeFileWithLineNumbers) {
    auto r = service_.Import(admin_, ImportKind::kTariff,
                             "code_prefix,duty_percent,valid_from,valid_to\n"
                             "6110,12,2024-01-01,\n"    // fine, but must not be written
                             "61x0,12,2024-01-01,\n"    // line 3: bad prefix
                             "6111,1.5e2,2024-01-01,\n" // line 4: not plain notation
                             "6112,12,2024-02-30,\n"    // line 5: no such date
                             "6113,12,2024-01-01\n"     // line 6: field count
                             "6110,10,2024-01-01,\n");  // line 7: duplicate key of line 2
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(Errors(r.error()),
              (std::vector<std::string>{"/lines/3/code_prefix format", "/lines/4/duty_percent format",
                                        "/lines/5/valid_from format", "/lines/6 field_count",
                                        "/lines/7/valid_from duplicate"}));
    TariffFilter f;
    f.code = "6110";
    EXPECT_TRUE(service_.ListTariffRates(officer_, f)->empty());

    auto header = service_.Import(admin_, ImportKind::kTariff, "code_prefix,rate,valid_from\n6110,12,2024-01-01\n");
    ASSERT_FALSE(header);
    EXPECT_EQ(Errors(header.error()),
              (std::vector<std::string>{"/lines/1/rate unknown_column", "/lines/1/duty_percent required"}));
}

TEST_F(TaxServiceTest, OverlapWithAStoredRowIsRefused) {
    // The seed has 6403 from 2024-01-01 open-ended; a second 6403 row from 2025-01-01 overlaps it.
    auto r = service_.Import(admin_, ImportKind::kTariff,
                             "code_prefix,duty_percent,valid_from\n6110,10,2023-01-01\n6403,4,2025-01-01\n");
    ASSERT_FALSE(r);
    EXPECT_EQ(Errors(r.error()), std::vector<std::string>{"/lines/3/valid_from overlap"});
    EXPECT_NE(r.error().fields[0].message.find("6403 from 2024-01-01"), std::string::npos);
    // Closing the stored period in the same file makes it valid.
    auto ok = service_.Import(admin_, ImportKind::kTariff,
                              "code_prefix,duty_percent,valid_from,valid_to\n6403,8,2024-01-01,2024-12-31\n"
                              "6403,4,2025-01-01,\n");
    ASSERT_TRUE(ok) << ok.error().message;
    auto a = service_.Assess(Input("2025-01-01", "EUR", "64039118", "100.00"));
    ASSERT_TRUE(a);
    EXPECT_EQ(a->total_duty.ToString(), "4.00");
}

TEST_F(TaxServiceTest, ExchangeRatesByCsvAndByPost) {
    auto r = service_.Import(admin_, ImportKind::kExchangeRates,
                             "currency,valid_from,units_per_eur\nUSD,2024-08-01,1.0800\nUSD,2024-09-01,1.1000\n"
                             "SEK,2024-09-01,11.5000\n");
    ASSERT_TRUE(r) << r.error().message;
    auto a = service_.Assess(Input("2024-09-15", "USD", "84713000", "1234.56"));
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_EQ(a->items[0].customs_value_eur.ToString(), "1122.33");
    EXPECT_EQ(a->total_vat.ToString(), "286.19");

    auto posted = service_.PutExchangeRate(admin_, {"USD", D("2024-09-15"), N("1.2000")});
    ASSERT_TRUE(posted) << posted.error().message;
    a = service_.Assess(Input("2024-09-15", "USD", "84713000", "120.00"));
    ASSERT_TRUE(a);
    EXPECT_EQ(a->items[0].customs_value_eur.ToString(), "100.00");
    auto list = service_.ListExchangeRates(trader_, "USD");
    ASSERT_TRUE(list);
    EXPECT_EQ(list->size(), 3u);

    auto bad = service_.Import(admin_, ImportKind::kExchangeRates,
                               "currency,valid_from,units_per_eur\nEUR,2024-09-01,1\nGBP,2024-09-01,0\n");
    ASSERT_FALSE(bad);
    EXPECT_EQ(Errors(bad.error()),
              (std::vector<std::string>{"/lines/2/currency format", "/lines/3/units_per_eur out_of_range"}));
}

TEST_F(TaxServiceTest, PostedVatRateMustNotOverlap) {
    auto overlap = service_.PutVatRate(admin_, {"", N("26"), D("2026-01-01"), std::nullopt});
    ASSERT_FALSE(overlap);
    EXPECT_EQ(Errors(overlap.error()), std::vector<std::string>{"/valid_from overlap"});
    auto reduced = service_.PutVatRate(admin_, {"0901", N("14"), D("2013-01-01"), std::nullopt});
    ASSERT_TRUE(reduced) << reduced.error().message;
    auto a = service_.Assess(Input("2024-09-02", "EUR", "09011100", "0.75"));
    ASSERT_TRUE(a);
    EXPECT_EQ(a->items[0].vat_percent, N("14"));
    EXPECT_EQ(a->total_vat.ToString(), "0.11");
}

TEST_F(TaxServiceTest, OnlyAdministratorsWrite) {
    auto r = service_.Import(officer_, ImportKind::kTariff, "code_prefix,duty_percent,valid_from\n6110,12,2024-01-01\n");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(service_.PutVatRate(trader_, {"", N("1"), D("2030-01-01"), std::nullopt}).error().code,
              ErrorCode::kPermissionDenied);
    EXPECT_EQ(service_.PutExchangeRate(officer_, {"USD", D("2030-01-01"), N("1")}).error().code,
              ErrorCode::kPermissionDenied);
}

TEST_F(TaxServiceTest, AnotherProcessesWriteIsSeenAfterTheRevisionCheckInterval) {
    TaxService other(*db_, clock_);  // stands for a second process on the same database
    ASSERT_TRUE(service_.Assess(Input("2024-09-02", "EUR", "64039118", "100.00")));  // loads and caches
    ASSERT_TRUE(other.Import(admin_, ImportKind::kTariff,
                             "code_prefix,duty_percent,valid_from\n64039118,3,2024-01-01\n"));
    auto cached = service_.Assess(Input("2024-09-02", "EUR", "64039118", "100.00"));
    ASSERT_TRUE(cached);
    EXPECT_EQ(cached->total_duty.ToString(), "8.00");  // still the cached tables
    clock_.Advance(kRevisionCheckInterval);
    auto fresh = service_.Assess(Input("2024-09-02", "EUR", "64039118", "100.00"));
    ASSERT_TRUE(fresh);
    EXPECT_EQ(fresh->total_duty.ToString(), "3.00");
}

}  // namespace
}  // namespace customsdesk::taxation
