// Bulk writing helpers for code that writes many rows in one transaction (imports, bulk lodging,
// group-commit batches).
//
// AllocateIds() reserves `n` primary keys of a table inside a write transaction, so that rows
// that refer to each other can be inserted in batches: on SQLite (one writer) the next ids after
// MAX(id); on PostgreSQL values of the table's identity sequence (ascending, maybe not
// contiguous). InsertRows() writes rows whose ids were allocated so, skipping those that conflict
// with an `on_conflict` clause, and says which ids it inserted - on PostgreSQL with multi-row
// INSERT ... RETURNING id statements of a fixed batch size (so the statement cache stays small) and
// at most kMaxBulkParams parameters each; on SQLite with one cached single-row statement per row
// (no statement journal) whose change count tells whether the row went in (SQLite's RETURNING
// builds a temporary table per statement: 15 us a row). Both return the storage error unchanged.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "customsdesk/storage/database.hpp"

namespace customsdesk::storage {

inline constexpr std::size_t kMaxBulkParams = 30000;  // below SQLite's 32766 and PostgreSQL's 65535
inline constexpr std::size_t kBulkRowsPerStatement = 200;

core::Result<std::vector<std::int64_t>> AllocateIds(Transaction& tx, std::string_view table, std::size_t n);

// `head` is "INSERT INTO t (id, b, c)" - the first column is the table's `id`, allocated by the
// caller; `params` holds rows of `columns` values each, row after row; `on_conflict` follows the
// VALUES list ("ON CONFLICT (k) DO NOTHING", or empty). Returns the ids of the rows inserted, in
// the order of the rows. `rows_per_statement` (PostgreSQL) is capped so that a statement has at
// most kMaxBulkParams parameters.
core::Result<std::vector<std::int64_t>> InsertRows(Transaction& tx, std::string_view head, std::size_t columns,
                                                   const std::vector<Param>& params, std::string_view on_conflict = {},
                                                   std::size_t rows_per_statement = kBulkRowsPerStatement);

}  // namespace customsdesk::storage
