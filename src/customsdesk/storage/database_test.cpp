// Pure parts of the storage interface: Row accessors, URL handling.
#include "customsdesk/storage/database.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "customsdesk/storage/internal.hpp"

namespace customsdesk::storage {
namespace {

TEST(StorageRow, ConvertsTextCells) {
    Row row({std::string("42"), std::nullopt, std::string("t"), std::string("1.5"), std::string("abc"),
             std::string("-9223372036854775808")});
    EXPECT_EQ(row.size(), 6u);
    EXPECT_EQ(row.GetInt(0), 42);
    EXPECT_EQ(row.GetOptInt(0), 42);
    EXPECT_TRUE(row.IsNull(1));
    EXPECT_EQ(row.GetInt(1), 0);
    EXPECT_EQ(row.GetOptInt(1), std::nullopt);
    EXPECT_EQ(row.GetText(1), "");
    EXPECT_FALSE(row.GetBool(1));
    EXPECT_TRUE(row.GetBool(2));
    EXPECT_DOUBLE_EQ(row.GetDouble(3), 1.5);
    EXPECT_EQ(row.GetInt(5), std::numeric_limits<std::int64_t>::min());
    EXPECT_THROW((void)row.GetInt(4), std::runtime_error);  // a bug in the caller, not an expected failure
    EXPECT_THROW((void)row.GetInt(3), std::runtime_error);
    EXPECT_THROW((void)row.GetText(6), std::out_of_range);
}

TEST(StorageUrl, MasksPasswords) {
    EXPECT_EQ(detail::MaskPassword("postgresql://app:s3cret@db:5432/cd"), "postgresql://app:***@db:5432/cd");
    EXPECT_EQ(detail::MaskPassword("postgresql://app@db/cd"), "postgresql://app@db/cd");
    EXPECT_EQ(detail::MaskPassword("postgres://db/cd?user=app&password=s3cret&sslmode=require"),
              "postgres://db/cd?user=app&password=***&sslmode=require");
    EXPECT_EQ(detail::MaskPassword("postgresql://a:b@c@db/cd"), "postgresql://a:***@db/cd");
    EXPECT_EQ(detail::MaskPassword("sqlite:/var/lib/db.sqlite"), "sqlite:/var/lib/db.sqlite");
}

TEST(StorageUrl, OpenRejectsUnknownSchemes) {
    for (const char* url : {"", "mysql://x", "sqlite:", "file:/tmp/x"}) {
        auto db = Open(url);
        ASSERT_FALSE(db) << url;
        EXPECT_EQ(db.error().code, core::ErrorCode::kInvalidArgument) << url;
    }
}

}  // namespace
}  // namespace customsdesk::storage
