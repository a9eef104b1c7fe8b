#include "customsdesk/storage/bulk.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <span>
#include <unordered_map>
#include <unordered_set>
#include <variant>

#include "customsdesk/storage/internal.hpp"

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

core::Result<std::vector<std::int64_t>> InsertRows(Transaction& tx, std::string_view table,
                                                   std::span<const std::string_view> columns,
                                                   std::span<const Param> params, std::string_view on_conflict,
                                                   std::size_t rows_per_statement) {
    const std::size_t width = columns.size();
    if (width == 0 || columns[0] != "id" || params.size() % width != 0)
        return core::Fail(core::Error::Internal("InsertRows: bad shape"));
    std::vector<std::int64_t> inserted;
    const std::size_t total_rows = params.size() / width;
    if (total_rows == 0) return inserted;
    inserted.reserve(total_rows);
    for (std::size_t row = 0; row < total_rows; ++row)
        if (!std::holds_alternative<std::int64_t>(params[row * width]))
            return core::Fail(core::Error::Internal("InsertRows: an id is not an integer"));
    auto id_of = [&](std::size_t row) { return std::get<std::int64_t>(params[row * width]); };
    // The statement for full chunks is built once; a shorter one only for the last rows.
    std::string full, partial;
    auto statement = [&](std::string_view verb, std::size_t n, std::size_t full_rows,
                         std::string_view tail) -> const std::string& {
        if (n != full_rows) return partial = detail::InsertStatement(verb, table, columns, n, tail);
        if (full.empty()) full = detail::InsertStatement(verb, table, columns, n, tail);
        return full;
    };
    if (tx.dialect() == Dialect::kSqlite) {
        // Full statements of `per_statement` rows, then the rest in power-of-two statements (a few
        // cached texts, whatever the number of rows). SQLite takes at most 32,766 parameters.
        const std::size_t per_statement = std::max<std::size_t>(1, std::min<std::size_t>(64, 32766 / width));
        for (std::size_t row = 0; row < total_rows;) {
            const std::size_t rest = total_rows - row;
            const std::size_t n = rest >= per_statement ? per_statement : std::bit_floor(rest);
            auto changed = tx.Execute(statement("INSERT OR ROLLBACK INTO", n, per_statement, on_conflict),
                                      params.subspan(row * width, n * width));
            if (!changed) return core::Fail(std::move(changed.error()));
            if (static_cast<std::size_t>(*changed) == n) {
                for (std::size_t r = row; r < row + n; ++r) inserted.push_back(id_of(r));
            } else {
                // Some rows were skipped by on_conflict: the fresh ids that exist now went in.
                std::vector<Param> ids;
                for (std::size_t r = row; r < row + n; ++r) ids.emplace_back(id_of(r));
                std::string sql = fmt::format("SELECT id FROM {} WHERE id IN (", table);
                for (std::size_t k = 0; k < n; ++k) sql += fmt::format("{}${}", k == 0 ? "" : ", ", k + 1);
                sql += ')';
                auto found = tx.Query(sql, ids);
                if (!found) return core::Fail(std::move(found.error()));
                std::unordered_set<std::int64_t> present;
                for (const auto& x : found->rows) present.insert(x.GetInt(0));
                for (const auto& id : ids)
                    if (present.contains(std::get<std::int64_t>(id))) inserted.push_back(std::get<std::int64_t>(id));
            }
            row += n;
        }
        return inserted;
    }
    std::string tail(on_conflict);
    tail += tail.empty() ? "RETURNING id" : " RETURNING id";
    const std::size_t batch = std::max<std::size_t>(1, std::min(rows_per_statement, kMaxBulkParams / width));
    for (std::size_t row = 0; row < total_rows;) {
        // Full batches, then the rest in power-of-two statements: few distinct texts to prepare and
        // cache however many rows a caller has.
        const std::size_t rest = total_rows - row;
        const std::size_t n = rest >= batch ? batch : std::bit_floor(rest);
        auto r = tx.Query(statement("INSERT INTO", n, batch, tail), params.subspan(row * width, n * width));
        if (!r) return core::Fail(std::move(r.error()));
        for (const auto& x : r->rows) inserted.push_back(x.GetInt(0));
        row += n;
    }
    // RETURNING gives the rows in no promised order: in the order of the rows, as on SQLite.
    std::unordered_map<std::int64_t, std::size_t> position;
    for (std::size_t r = 0; r < total_rows; ++r)
        position.emplace(id_of(r), r);
    std::sort(inserted.begin(), inserted.end(), [&](std::int64_t a, std::int64_t b) { return position[a] < position[b]; });
    return inserted;
}

}  // namespace customsdesk::storage
