// Fresh databases for tests, of the kind the test run is configured for.
//
// Contract
//  - The kind comes from the environment: CUSTOMSDESK_TEST_DB=sqlite (the default when unset) or
//    postgres. cmake/database_tests.cmake registers every database test once per kind.
//  - SQLite: each database is a new file in a per-process temporary folder, removed when the
//    database is destroyed (the folder at process exit).
//  - PostgreSQL: each database is `CREATE DATABASE cdtest_<pid>_<n>` on the throwaway server whose
//    URL scripts/pg-test-server.sh wrote to $CUSTOMSDESK_TEST_PG_DIR/url (default: <build>/pgtest);
//    it is dropped when the returned Database is destroyed. No server → the test FAILS (throws);
//    it is never skipped silently.
//  - Thread-safe; each call gives a database no other test sees.
#pragma once

#include <memory>
#include <string>

#include "customsdesk/storage/database.hpp"

namespace customsdesk::test_support {

enum class TestDbKind { kSqlite, kPostgres };

// The configured kind; throws std::runtime_error for an unknown CUSTOMSDESK_TEST_DB.
TestDbKind ConfiguredKind();

// A fresh, empty database with every embedded migration applied.
std::unique_ptr<storage::Database> OpenTestDatabase(const storage::Options& options = {});
// A fresh database with no migration applied (no schema_version table either).
std::unique_ptr<storage::Database> OpenUnmigratedTestDatabase(const storage::Options& options = {});

// Makes a fresh, migrated database and returns its URL (for starting the real server binary).
// It lives until the process ends (SQLite) or the test server is stopped (PostgreSQL).
std::string TestDatabaseUrl();
// The same without migrations.
std::string UnmigratedTestDatabaseUrl();

}  // namespace customsdesk::test_support
