#include "customsdesk/storage/bulk.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <span>

namespace customsdesk::storage {

core::Result<std::vector<std::int64_t>> AllocateIds(Transaction& tx, std::string_view table, std::size_t n) {
    std::vector<std::int64_t> ids;
    if (n == 0) return ids;
    ids.reserve(n);
    if (tx.dialect() == Dialect::kSqlite) {
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

namespace {

std::string Statement(std::string_view head, std::size_t columns, std::size_t rows, std::string_view tail) {
    std::string sql(head);
    sql.reserve(head.size() + rows * columns * 6 + tail.size() + 16);
    sql += " VALUES ";
    std::size_t p = 1;
    for (std::size_t r = 0; r < rows; ++r) {
        sql += r == 0 ? "(" : ", (";
        for (std::size_t c = 0; c < columns; ++c) {
            if (c > 0) sql += ", ";
            sql += '$';
            sql += std::to_string(p++);
        }
        sql += ')';
    }
    if (!tail.empty()) {
        sql += ' ';
        sql += tail;
    }
    return sql;
}

}  // namespace

core::Result<std::vector<Row>> BulkInsert(Transaction& tx, std::string_view head, std::size_t columns,
                                          const std::vector<Param>& params, std::string_view tail,
                                          std::size_t rows_per_statement) {
    if (columns == 0 || params.size() % columns != 0) return core::Fail(core::Error::Internal("BulkInsert: bad shape"));
    std::vector<Row> returned;
    const std::size_t total_rows = params.size() / columns;
    // SQLite: one prepared single-row statement stepped per row. A multi-row INSERT into a table
    // with a unique index or a foreign key keeps a statement journal (it could half-fail), whose
    // allocations and page copies cost more than the per-statement overhead saved (the same
    // finding as Transaction::CopyRows). PostgreSQL: multi-row, to save round trips.
    const std::size_t batch = tx.dialect() == Dialect::kSqlite
                                  ? 1
                                  : std::max<std::size_t>(1, std::min(rows_per_statement, kMaxBulkParams / columns));
    if (total_rows == 0) return returned;
    const std::string full = total_rows >= batch ? Statement(head, columns, batch, tail) : std::string();
    std::size_t row = 0;
    while (row < total_rows) {
        // Full batches, then the rest in power-of-two statements: few distinct texts to prepare and
        // cache however many rows a caller has.
        std::size_t n = std::min(batch, total_rows - row);
        if (n < batch) n = std::bit_floor(n);
        const std::string partial = n == batch ? std::string() : Statement(head, columns, n, tail);
        std::span<const Param> slice(params.data() + row * columns, n * columns);
        auto r = tx.Query(n == batch ? full : partial, slice);
        if (!r) return core::Fail(std::move(r.error()));
        for (auto& x : r->rows) returned.push_back(std::move(x));
        row += n;
    }
    return returned;
}

}  // namespace customsdesk::storage
