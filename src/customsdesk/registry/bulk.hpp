// Bulk writing helpers for imports (internal to the registry module).
//
// AllocateIds() reserves `n` primary keys of a table inside a write transaction, so that rows
// that refer to each other can be inserted in batches: on SQLite (one writer) the next ids after
// MAX(id); on PostgreSQL values of the table's identity sequence. The rows themselves are written
// with storage::Transaction::CopyRows (COPY on PostgreSQL, multi-row INSERTs on SQLite). Returns
// the storage error unchanged.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "customsdesk/storage/database.hpp"

namespace customsdesk::registry {

core::Result<std::vector<std::int64_t>> AllocateIds(storage::Transaction& tx, std::string_view table, std::size_t n);

}  // namespace customsdesk::registry
