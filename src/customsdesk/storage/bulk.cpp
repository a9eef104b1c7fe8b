#include "customsdesk/storage/bulk.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <span>
#include <unordered_map>
#include <variant>

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

core::Result<std::vector<std::int64_t>> InsertRows(Transaction& tx, std::string_view head, std::size_t columns,
                                                   const std::vector<Param>& params, std::string_view on_conflict,
                                                   std::size_t rows_per_statement) {
    if (columns == 0 || params.size() % columns != 0) return core::Fail(core::Error::Internal("InsertRows: bad shape"));
    std::vector<std::int64_t> inserted;
    const std::size_t total_rows = params.size() / columns;
    if (total_rows == 0) return inserted;
    inserted.reserve(total_rows);
    if (tx.dialect() == Dialect::kSqlite) {
        // One prepared single-row statement stepped per row: a multi-row INSERT into a table with a
        // unique index or a foreign key keeps a statement journal (it could half-fail), whose
        // allocations and page copies cost more than the per-statement overhead saved (the same
        // finding as Transaction::CopyRows).
        const std::string one = Statement(head, columns, 1, on_conflict);
        for (std::size_t row = 0; row < total_rows; ++row) {
            std::span<const Param> slice(params.data() + row * columns, columns);
            auto r = tx.Execute(one, slice);
            if (!r) return core::Fail(std::move(r.error()));
            if (*r == 0) continue;  // skipped by on_conflict
            const auto* id = std::get_if<std::int64_t>(&slice[0]);
            if (id == nullptr) return core::Fail(core::Error::Internal("InsertRows: the first column is not an id"));
            inserted.push_back(*id);
        }
        return inserted;
    }
    std::string tail(on_conflict);
    tail += tail.empty() ? "RETURNING id" : " RETURNING id";
    const std::size_t batch = std::max<std::size_t>(1, std::min(rows_per_statement, kMaxBulkParams / columns));
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
        for (const auto& x : r->rows) inserted.push_back(x.GetInt(0));
        row += n;
    }
    // RETURNING gives the rows in no promised order: in the order of the rows, as on SQLite.
    std::unordered_map<std::int64_t, std::size_t> position;
    for (std::size_t r = 0; r < total_rows; ++r)
        if (const auto* id = std::get_if<std::int64_t>(&params[r * columns])) position.emplace(*id, r);
    std::sort(inserted.begin(), inserted.end(), [&](std::int64_t a, std::int64_t b) { return position[a] < position[b]; });
    return inserted;
}

}  // namespace customsdesk::storage
