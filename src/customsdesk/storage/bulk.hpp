// Bulk writing helpers for code that writes many rows in one transaction (imports, bulk lodging,
// group-commit batches).
//
// AllocateIds() reserves `n` primary keys of a table inside a write transaction, so that rows
// that refer to each other can be inserted in batches: on SQLite (one writer) the next ids after
// MAX(id); on PostgreSQL values of the table's identity sequence (ascending, maybe not
// contiguous). InsertRows() writes rows whose ids were allocated so, skipping those that conflict
// with an `on_conflict` clause, and says which ids it inserted - on PostgreSQL with multi-row
// INSERT ... RETURNING id statements of a fixed batch size (so the statement cache stays small) and
// at most kMaxBulkParams parameters each; on SQLite with up to 64 rows per INSERT OR ROLLBACK
// statement (a failure ends the transaction, as it does anyway, so SQLite keeps no statement
// journal where no foreign key is checked), whose change count tells whether every row went in;
// only when not are the ids looked up. (SQLite's RETURNING builds a temporary table per
// statement: 15 us a row.) Both return the storage error unchanged.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "customsdesk/storage/database.hpp"

namespace customsdesk::storage {

inline constexpr std::size_t kMaxBulkParams = 30000;  // below SQLite's 32766 and PostgreSQL's 65535
inline constexpr std::size_t kBulkRowsPerStatement = 200;

core::Result<std::vector<std::int64_t>> AllocateIds(Transaction& tx, std::string_view table, std::size_t n);

// Inserts into `table` rows of `columns` (the first is the table's `id`, allocated by the caller);
// `params` holds rows of columns.size() values each, row after row; `on_conflict` follows the
// VALUES list ("ON CONFLICT (k) DO NOTHING", or empty). Returns the ids of the rows inserted, in
// the order of the rows. `rows_per_statement` (PostgreSQL) is capped so that a statement has at
// most kMaxBulkParams parameters. A failure aborts the transaction.
core::Result<std::vector<std::int64_t>> InsertRows(Transaction& tx, std::string_view table,
                                                   std::span<const std::string_view> columns,
                                                   std::span<const Param> params, std::string_view on_conflict = {},
                                                   std::size_t rows_per_statement = kBulkRowsPerStatement);

}  // namespace customsdesk::storage
