#include "customsdesk/registry/bulk.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace customsdesk::registry {

core::Result<std::vector<std::int64_t>> AllocateIds(storage::Transaction& tx, std::string_view table, std::size_t n) {
    std::vector<std::int64_t> ids;
    if (n == 0) return ids;
    ids.reserve(n);
    if (tx.dialect() == storage::Dialect::kSqlite) {
        auto row = tx.QueryOne(fmt::format("SELECT COALESCE(MAX(id), 0) FROM {}", table));
        if (!row) return core::Fail(std::move(row.error()));
        const std::int64_t first = (*row)->GetInt(0) + 1;
        for (std::size_t i = 0; i < n; ++i) ids.push_back(first + static_cast<std::int64_t>(i));
        return ids;
    }
    auto rows = tx.Query(fmt::format("SELECT nextval(pg_get_serial_sequence('{}', 'id')) FROM generate_series(1, "
                                     "CAST($1 AS BIGINT))",
                                     table),
                         {static_cast<std::int64_t>(n)});
    if (!rows) return core::Fail(std::move(rows.error()));
    for (const auto& r : rows->rows) ids.push_back(r.GetInt(0));
    std::sort(ids.begin(), ids.end());
    return ids;
}

}  // namespace customsdesk::registry
