// Versioned schema migrations.
//
// Migrations live in data/migrations/{sqlite,postgres}/V###__what.sql and are compiled into the
// binary (so a deployed binary needs no data folder). They are applied in version order, each in
// its own transaction together with its row in `schema_version(version, name, checksum,
// applied_at)`. A released migration is never edited: if the checksum of an applied version
// differs from the embedded one, Migrate refuses to run (kFailedPrecondition). A database whose
// schema is newer than the binary is refused too.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "customsdesk/storage/database.hpp"

namespace customsdesk::storage {

struct Migration {
    int version = 0;
    std::string name;  // "init" from V001__init.sql
    std::string sql;
};

// The migrations embedded for a dialect, in version order.
const std::vector<Migration>& EmbeddedMigrations(Dialect dialect);
// The checksum recorded in schema_version: lowercase hex SHA-256 of the SQL text.
std::string MigrationChecksum(std::string_view sql);

struct MigrationReport {
    int from_version = 0;
    int to_version = 0;
    std::vector<std::string> applied;  // "V002__organisations"
};

// Applies every pending migration. `now` is the text timestamp recorded in applied_at.
// Safe to call from several processes at once: only one applies each migration.
Result<MigrationReport> Migrate(Database& db, const std::string& now);
// The same with an explicit list (tests; `migrations` need not be sorted).
Result<MigrationReport> Migrate(Database& db, const std::vector<Migration>& migrations, const std::string& now);
// 0 when no migration has been applied.
Result<int> CurrentSchemaVersion(Database& db);

}  // namespace customsdesk::storage
