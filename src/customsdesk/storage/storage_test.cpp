// Storage behaviour on the configured database (registered for SQLite and PostgreSQL).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "customsdesk/storage/bulk.hpp"
#include "customsdesk/storage/database.hpp"
#include "support/test_database.hpp"

namespace customsdesk::storage {
namespace {

using core::ErrorCode;
using test_support::OpenTestDatabase;

constexpr const char* kNow = "2026-01-01T00:00:00.000000Z";

std::int64_t InsertOrganisation(Transaction& tx, const std::string& name,
                                const std::optional<std::string>& business_id = {}) {
    auto row = tx.QueryOne(
        "INSERT INTO organisations (name, business_id, created_at, updated_at) "
        "VALUES ($1, $2, $3, $3) RETURNING id",
        {name, Opt(business_id), kNow});
    EXPECT_TRUE(row.has_value()) << row.error().message;
    return row && *row ? (*row)->GetInt(0) : -1;
}

std::int64_t CountOrganisations(Database& db) {
    auto tx = db.Begin(TxMode::kRead);
    EXPECT_TRUE(tx.has_value());
    auto row = (*tx)->QueryOne("SELECT count(*) FROM organisations");
    EXPECT_TRUE(row.has_value()) << row.error().message;
    return (*row)->GetInt(0);
}

TEST(Storage, CrudRoundTrip) {
    auto db = OpenTestDatabase();
    auto tx = db->Begin(TxMode::kWrite);
    ASSERT_TRUE(tx) << tx.error().message;
    const std::int64_t id = InsertOrganisation(**tx, "Oy Tulli Ab", "1234567-8");
    ASSERT_GT(id, 0);
    auto updated = (*tx)->Execute("UPDATE organisations SET name = $1, version = version + 1 WHERE id = $2",
                                  {std::string("Oy Tulli Abp"), id});
    ASSERT_TRUE(updated) << updated.error().message;
    EXPECT_EQ(*updated, 1);
    ASSERT_TRUE((*tx)->Commit());

    auto read = db->Begin(TxMode::kRead);
    ASSERT_TRUE(read);
    auto result = (*read)->Query("SELECT id, name, business_id, version, eori FROM organisations WHERE id = $1", {id});
    ASSERT_TRUE(result) << result.error().message;
    ASSERT_EQ(result->rows.size(), 1u);
    EXPECT_EQ(result->columns, (std::vector<std::string>{"id", "name", "business_id", "version", "eori"}));
    const Row& row = result->rows[0];
    EXPECT_EQ(row.GetInt(0), id);
    EXPECT_EQ(row.GetText(1), "Oy Tulli Abp");
    EXPECT_EQ(row.GetText(2), "1234567-8");
    EXPECT_EQ(row.GetInt(3), 2);
    EXPECT_TRUE(row.IsNull(4));
    EXPECT_EQ(result->affected, 0);
    ASSERT_TRUE((*read)->Commit());

    ASSERT_TRUE(InWriteTx(*db, [&](Transaction& t) -> Result<std::int64_t> {
                    return t.Execute("DELETE FROM organisations WHERE id = $1", {id});
                }).has_value());
    EXPECT_EQ(CountOrganisations(*db), 0);
}

TEST(Storage, NumberedParametersRepeatedOutOfOrderAndInLiterals) {
    auto db = OpenTestDatabase();
    auto tx = db->Begin(TxMode::kRead);
    ASSERT_TRUE(tx);
    auto row = (*tx)->QueryOne("SELECT $2 || '-' || $1 || '-' || $2, '$1 costs $2', 'it''s $1' -- $1\n, $1",
                               {std::string("a"), std::string("b")});
    ASSERT_TRUE(row) << row.error().message;
    ASSERT_TRUE(*row);
    EXPECT_EQ((*row)->GetText(0), "b-a-b");
    EXPECT_EQ((*row)->GetText(1), "$1 costs $2");
    EXPECT_EQ((*row)->GetText(2), "it's $1");
    EXPECT_EQ((*row)->GetText(3), "a");
}

TEST(Storage, WrongParameterCountIsAnError) {
    auto db = OpenTestDatabase();
    auto tx = db->Begin(TxMode::kRead);
    ASSERT_TRUE(tx);
    auto r = (*tx)->Query("SELECT $1::text", {std::string("a"), std::string("b")});
    EXPECT_FALSE(r);
}

TEST(Storage, NullsBoolsNumbersAndLargeText) {
    auto db = OpenTestDatabase();
    auto tx = db->Begin(TxMode::kWrite);
    ASSERT_TRUE(tx);
    const std::string big(1 << 20, 'x');
    auto user = (*tx)->QueryOne(
        "INSERT INTO users (username, display_name, password_hash, disabled, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $5) RETURNING id, password_hash, disabled",
        {std::string("maija"), big, Null(), true, kNow});
    ASSERT_TRUE(user) << user.error().message;
    EXPECT_TRUE((*user)->IsNull(1));
    EXPECT_EQ((*user)->GetOptText(1), std::nullopt);
    EXPECT_EQ((*user)->GetText(1), "");
    EXPECT_EQ((*user)->GetOptInt(1), std::nullopt);
    EXPECT_TRUE((*user)->GetBool(2));
    auto other = (*tx)->QueryOne(
        "INSERT INTO users (username, display_name, disabled, created_at, updated_at) "
        "VALUES ($1, $1, $2, $3, $3) RETURNING disabled",
        {std::string("matti"), false, kNow});
    ASSERT_TRUE(other) << other.error().message;
    EXPECT_FALSE((*other)->GetBool(0));
    ASSERT_TRUE((*tx)->Commit());

    auto read = db->Begin(TxMode::kRead);
    ASSERT_TRUE(read);
    auto row = (*read)->QueryOne("SELECT display_name, length(display_name) FROM users WHERE username = $1",
                                 {std::string("maija")});
    ASSERT_TRUE(row) << row.error().message;
    EXPECT_EQ((*row)->GetText(0), big);
    EXPECT_EQ((*row)->GetInt(1), 1 << 20);
    auto numbers = (*read)->QueryOne("SELECT CAST($1 AS BIGINT) + 0, CAST($2 AS DOUBLE PRECISION) * 2, 'Ä€😀'",
                                     {std::int64_t{9007199254740993}, 1.25});
    ASSERT_TRUE(numbers) << numbers.error().message;
    EXPECT_EQ((*numbers)->GetInt(0), 9007199254740993);
    EXPECT_DOUBLE_EQ((*numbers)->GetDouble(1), 2.5);
    EXPECT_EQ((*numbers)->GetText(2), "Ä€😀");
    auto none = (*read)->QueryOne("SELECT id FROM users WHERE username = $1", {std::string("nobody")});
    ASSERT_TRUE(none);
    EXPECT_FALSE(none->has_value());
}

TEST(Storage, UniqueViolationIsAlreadyExistsNamingTheConstraint) {
    auto db = OpenTestDatabase();
    auto tx = db->Begin(TxMode::kWrite);
    ASSERT_TRUE(tx);
    InsertOrganisation(**tx, "A", "1111111-1");
    auto dup = (*tx)->Query(
        "INSERT INTO organisations (name, business_id, created_at, updated_at) "
        "VALUES ($1, $2, $3, $3)",
        {std::string("B"), std::string("1111111-1"), kNow});
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);
    EXPECT_NE(dup.error().message.find("organisations_business_id_uq"), std::string::npos) << dup.error().message;
    (*tx)->Rollback();

    // An inline UNIQUE column is named as PostgreSQL names it on both databases.
    auto tx2 = db->Begin(TxMode::kWrite);
    ASSERT_TRUE(tx2);
    const char* insert = "INSERT INTO users (username, display_name, created_at, updated_at) VALUES ($1, $1, $2, $2)";
    ASSERT_TRUE((*tx2)->Execute(insert, {std::string("u"), kNow}));
    auto dup2 = (*tx2)->Execute(insert, {std::string("u"), kNow});
    ASSERT_FALSE(dup2);
    EXPECT_EQ(dup2.error().code, ErrorCode::kAlreadyExists);
    EXPECT_NE(dup2.error().message.find("users_username_key"), std::string::npos) << dup2.error().message;
}

// CopyRows: COPY FROM STDIN on PostgreSQL (text format: tabs, newlines, backslashes and NULL
// must be escaped), multi-row INSERTs on SQLite; more rows than one INSERT statement holds.
TEST(Storage, CopyRowsLoadsValuesAsInsertWould) {
    auto db = OpenTestDatabase();
    static constexpr std::string_view kColumns[] = {"username", "display_name", "password_hash", "disabled",
                                                    "created_at", "updated_at"};
    const std::vector<std::string> awkward = {"tab\there", "line\nbreak", "cr\rlf", "back\\slash", "\\N",
                                              "", "Ä€😀", "quote'\"", "trailing\\"};
    constexpr int kRows = 450;
    std::vector<Param> params;
    for (int i = 0; i < kRows; ++i) {
        params.insert(params.end(), {"copy" + std::to_string(i), awkward[static_cast<std::size_t>(i) % awkward.size()],
                                     i % 3 == 0 ? Null() : Param(std::string("h") + std::to_string(i)), i % 2 == 0,
                                     std::string(kNow), std::string(kNow)});
    }
    {
        auto tx = db->Begin(TxMode::kWrite);
        ASSERT_TRUE(tx);
        ASSERT_TRUE((*tx)->CopyRows("users", kColumns, std::span<const Param>()));  // nothing to do
        auto r = (*tx)->CopyRows("users", kColumns, params);
        ASSERT_TRUE(r) << r.error().message;
        ASSERT_TRUE((*tx)->Commit());
    }
    auto read = db->Begin(TxMode::kRead);
    ASSERT_TRUE(read);
    auto rows = (*read)->Query(
        "SELECT username, display_name, password_hash, disabled, id FROM users WHERE username LIKE 'copy%' ORDER BY id");
    ASSERT_TRUE(rows) << rows.error().message;
    ASSERT_EQ(rows->rows.size(), static_cast<std::size_t>(kRows));
    for (int i = 0; i < kRows; ++i) {
        const auto& row = rows->rows[static_cast<std::size_t>(i)];
        SCOPED_TRACE(i);
        EXPECT_EQ(row.GetText(0), "copy" + std::to_string(i));  // in order, ids from the default
        EXPECT_EQ(row.GetText(1), awkward[static_cast<std::size_t>(i) % awkward.size()]);
        if (i % 3 == 0) {
            EXPECT_TRUE(row.IsNull(2));
        } else {
            EXPECT_EQ(row.GetText(2), "h" + std::to_string(i));
        }
        EXPECT_EQ(row.GetBool(3), i % 2 == 0);
        EXPECT_GT(row.GetInt(4), 0);
    }
}

TEST(Storage, CopyRowsErrorsAreThoseOfInsert) {
    auto db = OpenTestDatabase();
    static constexpr std::string_view kColumns[] = {"username", "display_name", "created_at", "updated_at"};
    auto tx = db->Begin(TxMode::kWrite);
    ASSERT_TRUE(tx);
    const std::vector<Param> not_whole_rows = {std::string("a"), std::string("a"), std::string(kNow)};
    auto shape = (*tx)->CopyRows("users", kColumns, not_whole_rows);
    ASSERT_FALSE(shape);
    EXPECT_EQ(shape.error().code, ErrorCode::kInternal);
    const std::vector<Param> twice = {std::string("same"), std::string("A"), std::string(kNow), std::string(kNow),
                                      std::string("same"), std::string("B"), std::string(kNow), std::string(kNow)};
    auto dup = (*tx)->CopyRows("users", kColumns, twice);
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);
    EXPECT_NE(dup.error().message.find("users_username_key"), std::string::npos) << dup.error().message;
    // Like any failed statement: the transaction can only roll back, and nothing was written.
    EXPECT_FALSE((*tx)->Query("SELECT 1"));
    (*tx)->Rollback();
    auto read = db->Begin(TxMode::kRead);
    ASSERT_TRUE(read);
    EXPECT_EQ((*(*read)->QueryOne("SELECT count(*) FROM users WHERE username = 'same'"))->GetInt(0), 0);
}

TEST(Storage, CopyRowsUniqueViolationInsideAManyRowStatementLeavesNothing) {
    auto db = OpenTestDatabase();
    static constexpr std::string_view kColumns[] = {"username", "display_name", "created_at", "updated_at"};
    auto tx = db->Begin(TxMode::kWrite);
    ASSERT_TRUE(tx);
    InsertOrganisation(**tx, "written before");
    std::vector<Param> params;
    for (int i = 0; i < 200; ++i) {  // SQLite: several 64-row statements; row 130 repeats row 100
        params.insert(params.end(), {"many" + std::to_string(i == 130 ? 100 : i), std::string("x"), std::string(kNow),
                                     std::string(kNow)});
    }
    auto r = (*tx)->CopyRows("users", kColumns, params);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kAlreadyExists);
    EXPECT_NE(r.error().message.find("users_username_key"), std::string::npos) << r.error().message;
    EXPECT_FALSE((*tx)->Query("SELECT 1"));
    EXPECT_FALSE((*tx)->Commit());
    auto read = db->Begin(TxMode::kRead);
    ASSERT_TRUE(read);
    EXPECT_EQ((*(*read)->QueryOne("SELECT count(*) FROM users WHERE username LIKE 'many%'"))->GetInt(0), 0);
    EXPECT_EQ(CountOrganisations(*db), 0);
}

TEST(Storage, InsertRowsSkipsConflictsAndNamesTheIdsItInserted) {
    static constexpr std::string_view kColumns[] = {"id", "name", "business_id", "created_at", "updated_at"};
    auto db = OpenTestDatabase();
    auto tx = db->Begin(TxMode::kWrite);
    ASSERT_TRUE(tx);
    InsertOrganisation(**tx, "taken", "1234567-1");
    // 300 rows: more than one PostgreSQL statement (200 rows) and a partial one; every third row's
    // Business ID is taken (the one above, or an earlier row of the same call).
    auto ids = AllocateIds(**tx, "organisations", 300);
    ASSERT_TRUE(ids) << ids.error().message;
    std::vector<Param> rows;
    std::vector<std::int64_t> expected;
    for (std::size_t i = 0; i < 300; ++i) {
        const bool repeat = i % 3 == 2;
        const std::string business_id = repeat ? (i == 2 ? "1234567-1" : "B" + std::to_string(i - 1)) : "B" + std::to_string(i);
        rows.insert(rows.end(), {(*ids)[i], "org " + std::to_string(i), business_id, std::string(kNow), std::string(kNow)});
        if (!repeat) expected.push_back((*ids)[i]);
    }
    auto inserted = InsertRows(**tx, "organisations", kColumns, rows, "ON CONFLICT DO NOTHING");
    ASSERT_TRUE(inserted) << inserted.error().message;
    EXPECT_EQ(*inserted, expected);
    ASSERT_TRUE((*tx)->Commit());
    EXPECT_EQ(CountOrganisations(*db), 201);
    // Without a conflict clause a repeated key is an error, as for INSERT.
    auto again = db->Begin(TxMode::kWrite);
    ASSERT_TRUE(again);
    auto more = AllocateIds(**again, "organisations", 1);
    ASSERT_TRUE(more);
    const std::vector<Param> dup_row = {(*more)[0], std::string("dup"), std::string("B0"), std::string(kNow),
                                        std::string(kNow)};
    auto dup = InsertRows(**again, "organisations", kColumns, dup_row);
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);
}

// A TextView parameter is written as the text it views (never copied, never NULL - an empty view is
// ''), through Execute, CopyRows and InsertRows alike.
TEST(Storage, TextViewParametersAreWrittenAsTheirText) {
    static constexpr std::string_view kColumns[] = {"id", "name", "sector_segment", "created_at", "updated_at"};
    auto db = OpenTestDatabase();
    auto tx = db->Begin(TxMode::kWrite);
    ASSERT_TRUE(tx);
    const std::string long_name(5000, 'x');
    const std::string tricky = "tab\there, newline\n, backslash \\ and 'quote' äö";
    const std::string now(kNow);
    auto ids = AllocateIds(**tx, "organisations", 3);
    ASSERT_TRUE(ids);
    ASSERT_TRUE((*tx)->Execute("INSERT INTO organisations (id, name, sector_segment, created_at, updated_at) "
                               "VALUES ($1, $2, $3, $4, $4)",
                               {(*ids)[0], View(long_name), TextView{""}, View(now)}));
    const std::vector<Param> copied = {(*ids)[1], View(tricky), TextView{}, View(now), View(now)};
    ASSERT_TRUE((*tx)->CopyRows("organisations", kColumns, copied));
    const std::vector<Param> inserted = {(*ids)[2], TextView{std::string_view(tricky).substr(0, 3)},
                                         OptView(std::nullopt), View(now), View(now)};
    auto r = InsertRows(**tx, "organisations", kColumns, inserted);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_TRUE((*tx)->Commit());
    auto read = db->Begin(TxMode::kRead);
    ASSERT_TRUE(read);
    auto rows = (*read)->Query("SELECT name, sector_segment FROM organisations WHERE id >= $1 ORDER BY id", {(*ids)[0]});
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->rows.size(), 3u);
    EXPECT_EQ(rows->rows[0].GetText(0), long_name);
    EXPECT_EQ(rows->rows[0].GetOptText(1), std::optional<std::string>(""));
    EXPECT_EQ(rows->rows[1].GetText(0), tricky);
    EXPECT_EQ(rows->rows[1].GetOptText(1), std::optional<std::string>(""));
    EXPECT_EQ(rows->rows[2].GetText(0), "tab");
    EXPECT_EQ(rows->rows[2].GetOptText(1), std::nullopt);
}

TEST(Storage, BulkWriteLoadsRowsAndForeignKeysAreCheckedAgainAfterIt) {
    auto db = OpenTestDatabase();
    static constexpr std::string_view kUserColumns[] = {"username", "display_name", "created_at", "updated_at"};
    static constexpr std::string_view kSessionColumns[] = {"token_hash", "user_id", "csrf_token", "created_at",
                                                           "expires_at", "last_seen_at"};
    std::int64_t user = 0;
    {
        auto tx = db->Begin(TxMode::kBulkWrite);
        ASSERT_TRUE(tx);
        const std::vector<Param> u = {std::string("bulk"), std::string("Bulk"), std::string(kNow), std::string(kNow)};
        ASSERT_TRUE((*tx)->CopyRows("users", kUserColumns, u));
        user = (*(*tx)->QueryOne("SELECT id FROM users WHERE username = 'bulk'"))->GetInt(0);
        std::vector<Param> sessions;  // a table with a foreign key, more rows than one statement takes
        for (int i = 0; i < 150; ++i) {
            sessions.insert(sessions.end(), {"t" + std::to_string(i), user, std::string("c"), std::string(kNow),
                                             std::string(kNow), std::string(kNow)});
        }
        auto r = (*tx)->CopyRows("sessions", kSessionColumns, sessions);
        ASSERT_TRUE(r) << r.error().message;
        ASSERT_TRUE((*tx)->Commit());
    }
    {
        auto read = db->Begin(TxMode::kRead);
        ASSERT_TRUE(read);
        auto rows = (*read)->Query("SELECT token_hash FROM sessions WHERE user_id = $1 ORDER BY id", {user});
        ASSERT_TRUE(rows);
        ASSERT_EQ(rows->rows.size(), 150u);
        EXPECT_EQ(rows->rows[0].GetText(0), "t0");
        EXPECT_EQ(rows->rows[149].GetText(0), "t149");
    }
    // The next ordinary write transaction (on SQLite: the same connection) checks foreign keys.
    auto tx = db->Begin(TxMode::kWrite);
    ASSERT_TRUE(tx);
    const std::vector<Param> bad = {std::string("orphan"), std::int64_t{424242}, std::string("c"), std::string(kNow),
                                    std::string(kNow), std::string(kNow)};
    auto r = (*tx)->CopyRows("sessions", kSessionColumns, bad);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition) << r.error().message;
}

TEST(Storage, DeferredBulkCommitsAreVisibleAtOnceAndMadeDurableBySync) {
    auto db = OpenTestDatabase();
    const bool sqlite = db->dialect() == Dialect::kSqlite;
    auto synchronous = [&](storage::Transaction& tx) { return (*tx.QueryOne("PRAGMA synchronous"))->GetInt(0); };
    for (int i = 0; i < 3; ++i) {
        auto tx = db->Begin(TxMode::kBulkWriteDeferred);
        ASSERT_TRUE(tx);
        if (sqlite) {
            EXPECT_EQ(synchronous(**tx), 1);  // NORMAL: this commit does not fsync
        }
        ASSERT_TRUE((*tx)->Execute("INSERT INTO organisations (name, created_at, updated_at) VALUES ($1, $2, $2)",
                                   {"deferred " + std::to_string(i), std::string(kNow)}));
        ASSERT_TRUE((*tx)->Commit());
        auto read = db->Begin(TxMode::kRead);  // visible at once, before any Sync
        ASSERT_TRUE(read);
        EXPECT_EQ((*(*read)->QueryOne("SELECT count(*) FROM organisations WHERE name LIKE 'deferred %'"))->GetInt(0),
                  i + 1);
    }
    const auto before = db->Stats().syncs_total;
    ASSERT_TRUE(db->Sync());
    EXPECT_EQ(db->Stats().syncs_total, before + (sqlite ? 1u : 0u));  // one fsync for the three commits
    ASSERT_TRUE(db->Sync());                                           // nothing deferred since: nothing to do
    EXPECT_EQ(db->Stats().syncs_total, before + (sqlite ? 1u : 0u));
    // Every other write commits durably again (FULL), on the same SQLite connection.
    for (TxMode mode : {TxMode::kWrite, TxMode::kBulkWrite}) {
        auto tx = db->Begin(mode);
        ASSERT_TRUE(tx);
        if (sqlite) {
            EXPECT_EQ(synchronous(**tx), 2);
        }
        (*tx)->Rollback();
    }
}

TEST(Storage, ForeignKeyViolationIsFailedPrecondition) {
    auto db = OpenTestDatabase();
    auto tx = db->Begin(TxMode::kWrite);
    ASSERT_TRUE(tx);
    auto r = (*tx)->Execute(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, last_seen_at) "
        "VALUES ('h', $1, 'c', $2, $2, $2)",
        {std::int64_t{424242}, kNow});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition) << r.error().message;
}

TEST(Storage, AfterAnErrorTheTransactionOnlyRollsBack) {
    auto db = OpenTestDatabase();
    auto tx = db->Begin(TxMode::kWrite);
    ASSERT_TRUE(tx);
    InsertOrganisation(**tx, "kept?");
    EXPECT_FALSE((*tx)->Query("SELECT * FROM no_such_table"));
    auto again = (*tx)->Query("SELECT 1");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::kFailedPrecondition);
    auto commit = (*tx)->Commit();
    ASSERT_FALSE(commit);
    EXPECT_EQ(commit.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_EQ(CountOrganisations(*db), 0);
}

TEST(Storage, DestroyingAnUncommittedTransactionRollsBack) {
    auto db = OpenTestDatabase();
    {
        auto tx = db->Begin(TxMode::kWrite);
        ASSERT_TRUE(tx);
        InsertOrganisation(**tx, "ghost");
    }
    EXPECT_EQ(CountOrganisations(*db), 0);
    auto result = InWriteTx(*db, [](Transaction& tx) -> Result<int> {
        InsertOrganisation(tx, "ghost 2");
        return core::Fail(core::Error::InvalidArgument("changed my mind"));
    });
    EXPECT_FALSE(result);
    EXPECT_EQ(CountOrganisations(*db), 0);
    const PoolStats stats = db->Stats();
    EXPECT_GE(stats.transactions_rolled_back_total, 2u);
}

TEST(Storage, CommitIsVisibleToReadersAndUsingAFinishedTransactionFails) {
    auto db = OpenTestDatabase();
    auto tx = db->Begin(TxMode::kWrite);
    ASSERT_TRUE(tx);
    InsertOrganisation(**tx, "visible");
    ASSERT_TRUE((*tx)->Commit());
    EXPECT_EQ(CountOrganisations(*db), 1);
    auto late = (*tx)->Query("SELECT 1");
    ASSERT_FALSE(late);
    EXPECT_EQ(late.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_FALSE((*tx)->Commit());
    EXPECT_GE(db->Stats().transactions_committed_total, 1u);
}

TEST(Storage, ReadTransactionsCannotWrite) {
    auto db = OpenTestDatabase();
    auto tx = db->Begin(TxMode::kRead);
    ASSERT_TRUE(tx);
    auto r = (*tx)->Execute("INSERT INTO organisations (name, created_at, updated_at) VALUES ('x', $1, $1)", {kNow});
    EXPECT_FALSE(r);
}

TEST(Storage, ConcurrentWritersAreSerialisedWithoutLosingWrites) {
    Options options;
    options.pool_size = 4;
    auto db = OpenTestDatabase(options);
    constexpr int kThreads = 6;
    constexpr int kPerThread = 25;
    {
        auto tx = db->Begin(TxMode::kWrite);
        ASSERT_TRUE(tx);
        InsertOrganisation(**tx, "counter");
        ASSERT_TRUE((*tx)->Commit());
    }
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < kPerThread; ++i) {
                // Read-modify-write: lost updates would show up as a smaller final version.
                auto r = InWriteTx(*db, [](Transaction& tx) -> Result<void> {
                    auto row = tx.QueryOne("SELECT version FROM organisations WHERE name = 'counter'");
                    if (!row) return core::Fail(row.error());
                    auto u = tx.Execute("UPDATE organisations SET version = $1 WHERE name = 'counter'",
                                        {(*row)->GetInt(0) + 1});
                    if (!u) return core::Fail(u.error());
                    return {};
                });
                if (!r) ++failures;
            }
        });
    }
    for (auto& t : threads) t.join();
    if (db->dialect() == Dialect::kSqlite) {
        EXPECT_EQ(failures.load(), 0);
    }
    auto tx = db->Begin(TxMode::kRead);
    ASSERT_TRUE(tx);
    auto row = (*tx)->QueryOne("SELECT version FROM organisations WHERE name = 'counter'");
    ASSERT_TRUE(row);
    if (db->dialect() == Dialect::kSqlite) {
        EXPECT_EQ((*row)->GetInt(0), 1 + kThreads * kPerThread);
    } else {
        // READ COMMITTED read-modify-write may lose updates by design; every insert must survive.
        EXPECT_GE((*row)->GetInt(0), 2);
    }
}

TEST(Storage, ConcurrentInsertsAllLand) {
    Options options;
    options.pool_size = 4;
    auto db = OpenTestDatabase(options);
    constexpr int kThreads = 4;
    constexpr int kPerThread = 30;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; ++i) {
                auto r = InWriteTx(*db, [&](Transaction& tx) -> Result<std::int64_t> {
                    return tx.Execute("INSERT INTO organisations (name, created_at, updated_at) VALUES ($1, $2, $2)",
                                      {"t" + std::to_string(t) + "-" + std::to_string(i), kNow});
                });
                if (!r) ++failures;
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(CountOrganisations(*db), kThreads * kPerThread);
}

TEST(Storage, ReadersRunWhileAWriterHoldsItsTransaction) {
    auto db = OpenTestDatabase();
    {
        auto tx = db->Begin(TxMode::kWrite);
        ASSERT_TRUE(tx);
        InsertOrganisation(**tx, "before");
        ASSERT_TRUE((*tx)->Commit());
    }
    auto writer = db->Begin(TxMode::kWrite);
    ASSERT_TRUE(writer);
    InsertOrganisation(**writer, "uncommitted");
    // Another thread reads the committed snapshot while the write transaction is open.
    std::int64_t seen = -1;
    std::thread reader([&] { seen = CountOrganisations(*db); });
    reader.join();
    EXPECT_EQ(seen, 1);
    ASSERT_TRUE((*writer)->Commit());
    EXPECT_EQ(CountOrganisations(*db), 2);
}

TEST(Storage, PoolExhaustionIsUnavailableAfterTheAcquireTimeout) {
    Options options;
    options.pool_size = 1;
    options.acquire_timeout = std::chrono::milliseconds(20);
    auto db = OpenTestDatabase(options);
    // Hold every connection the database would use for the mode, then ask for one more.
    auto w = db->Begin(TxMode::kWrite);
    ASSERT_TRUE(w);
    auto second_writer = db->Begin(TxMode::kWrite);
    ASSERT_FALSE(second_writer);
    EXPECT_EQ(second_writer.error().code, ErrorCode::kUnavailable);
    EXPECT_GE(db->Stats().acquire_timeouts_total, 1u);
    w->reset();
    auto r1 = db->Begin(TxMode::kRead);
    ASSERT_TRUE(r1);
    auto r2 = db->Begin(TxMode::kRead);
    ASSERT_FALSE(r2);
    EXPECT_EQ(r2.error().code, ErrorCode::kUnavailable);
    r1->reset();
    EXPECT_TRUE(db->Begin(TxMode::kRead));
}

TEST(Storage, PingStatsDescribeAndClose) {
    auto db = OpenTestDatabase();
    ASSERT_TRUE(db->Ping());
    const PoolStats stats = db->Stats();
    EXPECT_GE(stats.connections_total, 1);
    EXPECT_EQ(stats.waiters, 0);
    EXPECT_GE(stats.acquired_total, 1u);
    EXPECT_EQ(db->Describe().find("password"), std::string::npos);
    db->Close();
    auto tx = db->Begin(TxMode::kRead);
    ASSERT_FALSE(tx);
    EXPECT_EQ(tx.error().code, ErrorCode::kUnavailable);
    EXPECT_FALSE(db->Ping());
}

TEST(Storage, OpenRejectsBadUrlsAndMasksPasswords) {
    auto bad = Open("mysql://x");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
    Options options;
    options.acquire_timeout = std::chrono::milliseconds(1000);
    auto unreachable = Open("postgresql://u:secret@127.0.0.1:1/db", options);
    ASSERT_FALSE(unreachable);
    EXPECT_EQ(unreachable.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(unreachable.error().message.find("secret"), std::string::npos) << unreachable.error().message;
}

TEST(Storage, BrokenPostgresConnectionIsReplaced) {
    Options options;
    options.pool_size = 1;
    auto db = OpenTestDatabase(options);
    if (db->dialect() != Dialect::kPostgres) GTEST_SKIP() << "PostgreSQL only: SQLite has no server connection";
    std::int64_t pid = 0;
    {
        auto tx = db->Begin(TxMode::kRead);
        ASSERT_TRUE(tx);
        pid = (*(*tx)->QueryOne("SELECT pg_backend_pid()"))->GetInt(0);
        ASSERT_TRUE((*tx)->Commit());
    }
    // Kill the pooled (idle) connection's backend from a second database handle.
    auto killer = Open(db->Describe());
    ASSERT_TRUE(killer) << killer.error().message;
    {
        auto tx = (*killer)->Begin(TxMode::kRead);
        ASSERT_TRUE(tx);
        auto r = (*tx)->QueryOne("SELECT pg_terminate_backend($1)", {pid});
        ASSERT_TRUE(r) << r.error().message;
        EXPECT_TRUE((*r)->GetBool(0));
    }
    // The next transaction gets a fresh connection transparently.
    auto tx = db->Begin(TxMode::kRead);
    ASSERT_TRUE(tx) << tx.error().message;
    auto again = (*tx)->QueryOne("SELECT pg_backend_pid()");
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_NE((*again)->GetInt(0), pid);

    // A connection killed in the middle of a transaction gives kUnavailable, then recovers.
    auto victim = (*again)->GetInt(0);
    {
        auto k = (*killer)->Begin(TxMode::kRead);
        ASSERT_TRUE(k);
        ASSERT_TRUE((*k)->QueryOne("SELECT pg_terminate_backend($1)", {victim}));
    }
    auto lost = (*tx)->Query("SELECT 1");
    ASSERT_FALSE(lost);
    EXPECT_EQ(lost.error().code, ErrorCode::kUnavailable) << lost.error().message;
    tx->reset();
    EXPECT_TRUE(db->Ping());
}

TEST(Storage, StatementTimeoutIsUnavailable) {
    Options options;
    options.statement_timeout = std::chrono::milliseconds(50);
    auto db = OpenTestDatabase(options);
    auto tx = db->Begin(TxMode::kRead);
    ASSERT_TRUE(tx);
    // An endless recursive query on both dialects.
    auto r = (*tx)->Query("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kUnavailable) << r.error().message;
}

}  // namespace
}  // namespace customsdesk::storage
