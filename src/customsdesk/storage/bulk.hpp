// Bulk writing helpers for code that writes many rows in one transaction (imports, bulk lodging,
// group-commit batches).
//
// AllocateIds() reserves `n` primary keys of a table inside a write transaction, so that rows
// that refer to each other can be inserted in batches: on SQLite (one writer) the next ids after
// MAX(id); on PostgreSQL values of the table's identity sequence (ascending, maybe not
// contiguous). BulkInsert() writes rows — on PostgreSQL with multi-row INSERT statements of a fixed
// batch size (so the statement cache stays small) and at most kMaxBulkParams parameters each; on
// SQLite with one cached single-row statement per row (no statement journal) — and returns the
// rows of a RETURNING clause given in `tail`. Both return the storage error unchanged.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "customsdesk/storage/database.hpp"

namespace customsdesk::storage {

inline constexpr std::size_t kMaxBulkParams = 30000;  // below SQLite's 32766 and PostgreSQL's 65535
inline constexpr std::size_t kBulkRowsPerStatement = 200;

core::Result<std::vector<std::int64_t>> AllocateIds(Transaction& tx, std::string_view table, std::size_t n);

// `head` is "INSERT INTO t (a, b, c)"; `params` holds rows of `columns` values each, row after row;
// `tail` follows the VALUES list (e.g. "ON CONFLICT (k) DO NOTHING RETURNING id").
// `rows_per_statement` is capped so that a statement has at most kMaxBulkParams parameters.
core::Result<std::vector<Row>> BulkInsert(Transaction& tx, std::string_view head, std::size_t columns,
                                          const std::vector<Param>& params, std::string_view tail = {},
                                          std::size_t rows_per_statement = kBulkRowsPerStatement);

}  // namespace customsdesk::storage
