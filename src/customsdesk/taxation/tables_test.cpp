#include "customsdesk/taxation/tables.hpp"

#include <gtest/gtest.h>

namespace customsdesk::taxation {
namespace {

using core::Decimal;

Date D(std::string_view s) { return ParseDate(s).value(); }
Decimal N(std::string_view s) { return Decimal::Parse(s).value(); }

TariffRate Tariff(std::string prefix, std::string_view pct, std::string_view from,
                  std::optional<std::string_view> to = std::nullopt) {
    TariffRate r;
    r.code_prefix = std::move(prefix);
    r.duty_percent = N(pct);
    r.valid_from = D(from);
    if (to) r.valid_to = D(*to);
    return r;
}

TEST(DateTest, ParsesOnlyRealCalendarDates) {
    EXPECT_EQ(FormatDate(D("2024-09-01")), "2024-09-01");
    EXPECT_EQ(FormatDate(D("2024-02-29")), "2024-02-29");
    for (std::string_view bad : {"2023-02-29", "2024-13-01", "2024-9-01", "20240901", "2024-09-01T00:00", ""}) {
        EXPECT_FALSE(ParseDate(bad).has_value()) << bad;
    }
}

TEST(TariffTableTest, LongestPrefixValidOnTheDateWins) {
    auto t = TariffTable::Build({Tariff("64", "10", "2000-01-01"), Tariff("6403", "8", "2000-01-01"),
                                 Tariff("64039993", "17", "2024-01-01", "2024-12-31")});
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->Find("6403999300", D("2024-06-01"))->code_prefix, "64039993");
    // Outside the 8-digit row's period the 4-digit row applies.
    EXPECT_EQ(t->Find("6403999300", D("2025-01-01"))->code_prefix, "6403");
    EXPECT_EQ(t->Find("6403999300", D("2023-12-31"))->code_prefix, "6403");
    EXPECT_EQ(t->Find("64011000", D("2024-06-01"))->code_prefix, "64");
    EXPECT_EQ(t->Find("65050000", D("2024-06-01")), nullptr);
    EXPECT_EQ(t->Find("6403", D("1999-12-31")), nullptr);
    EXPECT_EQ(t->Find("64x3", D("2024-06-01")), nullptr);
    EXPECT_EQ(t->Find("6", D("2024-06-01")), nullptr);
}

TEST(TariffTableTest, PeriodEndsAreInclusive) {
    auto t = TariffTable::Build({Tariff("6109", "12", "2020-01-01", "2024-12-31"), Tariff("6109", "10", "2025-01-01")});
    ASSERT_TRUE(t);
    EXPECT_EQ(t->Find("61091000", D("2024-12-31"))->duty_percent, N("12"));
    EXPECT_EQ(t->Find("61091000", D("2025-01-01"))->duty_percent, N("10"));
    EXPECT_EQ(t->Find("61091000", D("2019-12-31")), nullptr);
}

TEST(TariffTableTest, RefusesOverlapsAndBadRowsWithPointers) {
    auto overlap = TariffTable::Build({Tariff("6109", "12", "2020-01-01", "2024-12-31"), Tariff("6109", "10", "2024-12-31")});
    ASSERT_FALSE(overlap);
    ASSERT_EQ(overlap.error().fields.size(), 1u);
    EXPECT_EQ(overlap.error().fields[0].pointer, "/1/valid_from");
    EXPECT_EQ(overlap.error().fields[0].code, "overlap");

    TariffRate specific = Tariff("2204", "0", "2020-01-01");
    specific.specific_duty = N("0.2");
    auto bad = TariffTable::Build({Tariff("6", "8", "2020-01-01"), Tariff("6403", "-1", "2020-01-01"),
                                   Tariff("6109", "12", "2020-01-01", "2019-01-01"), specific});
    ASSERT_FALSE(bad);
    std::vector<std::string> got;
    for (const auto& f : bad.error().fields) got.push_back(f.pointer + " " + f.code);
    EXPECT_EQ(got, (std::vector<std::string>{"/0/code_prefix format", "/1/duty_percent out_of_range",
                                             "/2/valid_to before_valid_from", "/3/specific_unit required"}));
}

TEST(VatTableTest, EmptyPrefixIsTheStandardRateAndReducedRatesWinByPrefix) {
    std::vector<VatRate> rows{{"", N("24"), D("2013-01-01"), D("2024-08-31")},
                              {"", N("25.5"), D("2024-09-01"), std::nullopt},
                              {"0901", N("14"), D("2013-01-01"), std::nullopt}};
    auto v = VatTable::Build(rows);
    ASSERT_TRUE(v) << v.error().message;
    EXPECT_EQ(v->Find("84713000", D("2024-08-31"))->percent, N("24"));
    EXPECT_EQ(v->Find("84713000", D("2024-09-01"))->percent, N("25.5"));
    EXPECT_EQ(v->Find("09012100", D("2024-09-01"))->percent, N("14"));
    EXPECT_EQ(v->Find("84713000", D("2012-12-31")), nullptr);
}

TEST(ExchangeTableTest, RateInForceIsTheLatestOnOrBeforeTheDate) {
    auto f = ExchangeTable::Build({{"USD", D("2024-09-01"), N("1.1")}, {"USD", D("2024-08-01"), N("1.08")},
                                   {"SEK", D("2024-08-01"), N("11.5")}});
    ASSERT_TRUE(f);
    EXPECT_EQ(f->Find("USD", D("2024-08-31"))->units_per_eur, N("1.08"));
    EXPECT_EQ(f->Find("USD", D("2024-09-01"))->units_per_eur, N("1.1"));
    EXPECT_EQ(f->Find("USD", D("2030-01-01"))->units_per_eur, N("1.1"));
    EXPECT_EQ(f->Find("USD", D("2024-07-31")), nullptr);
    EXPECT_EQ(f->Find("GBP", D("2024-09-01")), nullptr);
    EXPECT_EQ(f->Find("usd", D("2024-09-01")), nullptr);

    auto dup = ExchangeTable::Build({{"USD", D("2024-09-01"), N("1.1")}, {"USD", D("2024-09-01"), N("1.2")}});
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().fields.at(0).pointer, "/1/valid_from");
    auto bad = ExchangeTable::Build({{"EUR", D("2024-09-01"), N("1")}, {"USD", D("2024-09-01"), N("0")}});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().fields.size(), 2u);
}

}  // namespace
}  // namespace customsdesk::taxation
