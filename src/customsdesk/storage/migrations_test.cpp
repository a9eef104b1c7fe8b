// Migrations on the configured database (registered for SQLite and PostgreSQL).
#include "customsdesk/storage/migrations.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "support/test_database.hpp"

namespace customsdesk::storage {
namespace {

using core::ErrorCode;
using test_support::OpenUnmigratedTestDatabase;

constexpr const char* kNow = "2026-01-01T00:00:00.000000Z";

std::vector<Migration> TwoMigrations() {
    return {
        {1, "first", "CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"},
        {2, "second", "ALTER TABLE things ADD COLUMN note TEXT; CREATE INDEX things_name_idx ON things (name);"},
    };
}

TEST(Migrations, EmbeddedMigrationsAreLoadedInOrder) {
    for (Dialect d : {Dialect::kSqlite, Dialect::kPostgres}) {
        const auto& list = EmbeddedMigrations(d);
        ASSERT_FALSE(list.empty());
        EXPECT_EQ(list.front().version, 1);
        EXPECT_EQ(list.front().name, "init");
        EXPECT_NE(list.front().sql.find("CREATE TABLE organisations"), std::string::npos);
        for (std::size_t i = 1; i < list.size(); ++i) EXPECT_LT(list[i - 1].version, list[i].version);
    }
}

TEST(Migrations, EmbeddedSchemaAppliesOnceAndIsRecorded) {
    auto db = OpenUnmigratedTestDatabase();
    auto before = CurrentSchemaVersion(*db);
    ASSERT_TRUE(before) << before.error().message;
    EXPECT_EQ(*before, 0);
    auto report = Migrate(*db, kNow);
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_EQ(report->from_version, 0);
    EXPECT_EQ(report->to_version, EmbeddedMigrations(db->dialect()).back().version);
    EXPECT_EQ(report->applied.front(), "V001__init");
    auto again = Migrate(*db, kNow);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_TRUE(again->applied.empty());
    EXPECT_EQ(again->from_version, report->to_version);
    EXPECT_EQ(*CurrentSchemaVersion(*db), report->to_version);

    auto tx = db->Begin(TxMode::kRead);
    ASSERT_TRUE(tx);
    auto row = (*tx)->QueryOne("SELECT name, checksum, applied_at FROM schema_version WHERE version = 1");
    ASSERT_TRUE(row) << row.error().message;
    ASSERT_TRUE(*row);
    EXPECT_EQ((*row)->GetText(0), "init");
    EXPECT_EQ((*row)->GetText(1), MigrationChecksum(EmbeddedMigrations(db->dialect()).front().sql));
    EXPECT_EQ((*row)->GetText(1).size(), 64u);
    EXPECT_EQ((*row)->GetText(2), kNow);
}

TEST(Migrations, PendingOnesAreAppliedInOrderEachOnce) {
    auto db = OpenUnmigratedTestDatabase();
    auto all = TwoMigrations();
    auto first = Migrate(*db, {all[0]}, kNow);
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(first->applied, std::vector<std::string>{"V001__first"});
    auto second = Migrate(*db, {all[1], all[0]}, kNow);  // order of the list does not matter
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_EQ(second->from_version, 1);
    EXPECT_EQ(second->to_version, 2);
    EXPECT_EQ(second->applied, std::vector<std::string>{"V002__second"});
    auto tx = db->Begin(TxMode::kWrite);
    ASSERT_TRUE(tx);
    EXPECT_TRUE((*tx)->Execute("INSERT INTO things (id, name, note) VALUES (1, 'a', 'b')"));
}

TEST(Migrations, AFailingMigrationLeavesNothingBehind) {
    auto db = OpenUnmigratedTestDatabase();
    std::vector<Migration> list = {{1, "broken", "CREATE TABLE half (id INTEGER); CREATE TABLE half (id INTEGER);"}};
    auto r = Migrate(*db, list, kNow);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("V001__broken"), std::string::npos) << r.error().message;
    EXPECT_EQ(*CurrentSchemaVersion(*db), 0);
    auto tx = db->Begin(TxMode::kWrite);
    ASSERT_TRUE(tx);
    // The first CREATE was rolled back with the rest (DDL is transactional on both).
    EXPECT_TRUE((*tx)->Execute("CREATE TABLE half (id INTEGER)"));
}

TEST(Migrations, RefusesAMigrationEditedAfterItWasApplied) {
    auto db = OpenUnmigratedTestDatabase();
    auto list = TwoMigrations();
    ASSERT_TRUE(Migrate(*db, list, kNow));
    list[0].sql += "\n-- a harmless looking edit";
    auto r = Migrate(*db, list, kNow);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_EQ(r.error().message, "migration V001 was edited after it was applied");
}

TEST(Migrations, RefusesASchemaNewerThanTheBinary) {
    auto db = OpenUnmigratedTestDatabase();
    auto list = TwoMigrations();
    ASSERT_TRUE(Migrate(*db, list, kNow));
    list.pop_back();
    auto r = Migrate(*db, list, kNow);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_NE(r.error().message.find("newer"), std::string::npos) << r.error().message;
}

TEST(Migrations, ConcurrentStartersApplyEachMigrationOnce) {
    // Several Database handles on one database, as several processes starting together would be.
    const std::string url = test_support::UnmigratedTestDatabaseUrl();
    constexpr int kStarters = 4;
    std::vector<std::unique_ptr<Database>> handles;
    for (int i = 0; i < kStarters; ++i) {
        auto db = Open(url);
        ASSERT_TRUE(db) << db.error().message;
        handles.push_back(std::move(*db));
    }
    // Not idempotent on its own: applying it twice would fail on the duplicate table.
    std::vector<Migration> list = {{1, "once", "CREATE TABLE once_only (id INTEGER PRIMARY KEY);"},
                                   {2, "twice", "CREATE TABLE second_only (id INTEGER PRIMARY KEY);"}};
    std::vector<Result<MigrationReport>> results(kStarters, core::Fail(core::Error::Internal("not run")));
    std::vector<std::thread> threads;
    for (int i = 0; i < kStarters; ++i) {
        threads.emplace_back([&, i] { results[i] = Migrate(*handles[i], list, kNow); });
    }
    for (auto& t : threads) t.join();
    std::size_t applied = 0;
    for (const auto& r : results) {
        ASSERT_TRUE(r) << r.error().message;
        applied += r->applied.size();
        EXPECT_EQ(r->to_version, 2);
    }
    EXPECT_EQ(applied, 2u);
    auto tx = handles[0]->Begin(TxMode::kRead);
    ASSERT_TRUE(tx);
    EXPECT_EQ((*(*tx)->QueryOne("SELECT count(*) FROM schema_version"))->GetInt(0), 2);
}

}  // namespace
}  // namespace customsdesk::storage
