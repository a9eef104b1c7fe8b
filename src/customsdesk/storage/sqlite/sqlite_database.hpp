// The SQLite implementation of storage::Database.
//
// Contract
//  - One writer connection (journal_mode=WAL, synchronous=FULL, foreign_keys=ON, busy_timeout) and a
//    pool of `Options::pool_size` reader connections (PRAGMA query_only=ON). Write transactions are
//    serialised by the writer pool of one and start with BEGIN IMMEDIATE; read transactions start
//    with a deferred BEGIN and see the last committed snapshot while a writer works (WAL).
//  - "sqlite::memory:" uses a single private in-memory connection for both roles: a read
//    transaction then excludes writers (and vice versa) until it ends.
//  - synchronous=FULL: a commit returns only after the WAL is fsync'ed, so an acknowledged commit
//    survives a killed process and a power loss. (NORMAL would survive kill -9 too, but may lose the
//    last commits on power loss; see docs/storage.md.)
//  - Statements are prepared once per connection and cached (keyed by SQL text).
//  - Every statement is bounded by Options::statement_timeout (a progress handler interrupts it;
//    the error is kUnavailable).
//  - Thread-safe, like every Database. Transactions must be destroyed before the database.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "customsdesk/storage/database.hpp"

namespace customsdesk::storage::sqlite {

// Opens (creating if needed) the database file at `path`, or a private in-memory database for
// ":memory:". The file's folder is created if missing. kUnavailable when it cannot be opened.
Result<std::unique_ptr<Database>> OpenSqlite(std::string_view path, const Options& options);

// Rewrites PostgreSQL-style `$N` parameters to SQLite `?N`, leaving string literals ('...'),
// quoted identifiers ("..."), and comments (-- and /* */) untouched. Exposed for tests.
std::string RewriteNumberedParams(std::string_view sql);

}  // namespace customsdesk::storage::sqlite
