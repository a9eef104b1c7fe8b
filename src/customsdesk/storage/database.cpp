#include "customsdesk/storage/database.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <string>

#include "customsdesk/storage/internal.hpp"
#include "customsdesk/storage/postgres/postgres_database.hpp"
#include "customsdesk/storage/sqlite/sqlite_database.hpp"

namespace customsdesk::storage {

namespace {

const std::string kEmpty;

}  // namespace

const std::string& Row::GetText(std::size_t i) const {
    const auto& cell = cells_.at(i);
    return cell ? *cell : kEmpty;
}

std::int64_t Row::GetInt(std::size_t i) const {
    const auto& cell = cells_.at(i);
    if (!cell) return 0;
    std::int64_t value = 0;
    const char* begin = cell->data();
    const char* end = begin + cell->size();
    auto [ptr, ec] = std::from_chars(begin, end, value);
    if (ec != std::errc() || ptr != end) {
        throw std::runtime_error("storage: column " + std::to_string(i) + " is not an integer: '" + *cell + "'");
    }
    return value;
}

std::optional<std::int64_t> Row::GetOptInt(std::size_t i) const {
    if (IsNull(i)) return std::nullopt;
    return GetInt(i);
}

double Row::GetDouble(std::size_t i) const {
    const auto& cell = cells_.at(i);
    if (!cell) return 0.0;
    double value = 0;
    const char* begin = cell->data();
    const char* end = begin + cell->size();
    auto [ptr, ec] = std::from_chars(begin, end, value);
    if (ec != std::errc() || ptr != end) {
        throw std::runtime_error("storage: column " + std::to_string(i) + " is not a number: '" + *cell + "'");
    }
    return value;
}

bool Row::GetBool(std::size_t i) const {
    const auto& cell = cells_.at(i);
    if (!cell) return false;
    return *cell == "1" || *cell == "t" || *cell == "true";
}

Result<std::optional<Row>> Transaction::QueryOne(std::string_view sql, std::initializer_list<Param> params) {
    return QueryOne(sql, std::span<const Param>(params.begin(), params.size()));
}

Result<std::optional<Row>> Transaction::QueryOne(std::string_view sql, std::span<const Param> params) {
    auto result = Query(sql, params);
    if (!result) return core::Fail(std::move(result.error()));
    if (result->rows.empty()) return std::optional<Row>();
    return std::optional<Row>(std::move(result->rows.front()));
}

Result<std::int64_t> Transaction::Execute(std::string_view sql, std::initializer_list<Param> params) {
    return Execute(sql, std::span<const Param>(params.begin(), params.size()));
}

Result<std::int64_t> Transaction::Execute(std::string_view sql, std::span<const Param> params) {
    auto result = Query(sql, params);
    if (!result) return core::Fail(std::move(result.error()));
    return result->affected;
}

namespace {

// "INSERT INTO table (a, b) VALUES ($1, $2), ($3, $4)" for `rows` rows.
std::string MultiRowInsert(std::string_view table, std::span<const std::string_view> columns, std::size_t rows) {
    std::string sql = "INSERT INTO ";
    sql += table;
    sql += " (";
    for (std::size_t c = 0; c < columns.size(); ++c) {
        if (c > 0) sql += ", ";
        sql += columns[c];
    }
    sql += ") VALUES ";
    std::size_t p = 1;
    for (std::size_t r = 0; r < rows; ++r) {
        sql += r == 0 ? "(" : ", (";
        for (std::size_t c = 0; c < columns.size(); ++c) {
            if (c > 0) sql += ", ";
            sql += '$';
            sql += std::to_string(p++);
        }
        sql += ')';
    }
    return sql;
}

}  // namespace

Result<void> Transaction::CopyRows(std::string_view table, std::span<const std::string_view> columns,
                                   std::span<const Param> params) {
    constexpr std::size_t kMaxParams = 30000;  // below SQLite's 32766 and PostgreSQL's 65535
    if (columns.empty() || params.size() % columns.size() != 0) {
        return core::Fail(core::Error::Internal("CopyRows: the parameters are not whole rows"));
    }
    const std::size_t total = params.size() / columns.size();
    const std::size_t batch = std::max<std::size_t>(1, std::min(kCopyRowsPerInsert, kMaxParams / columns.size()));
    if (total == 0) return {};
    const std::string full = total >= batch ? MultiRowInsert(table, columns, batch) : std::string();
    for (std::size_t row = 0; row < total;) {
        const std::size_t n = std::min(batch, total - row);
        auto r = Execute(n == batch ? full : MultiRowInsert(table, columns, n),
                         params.subspan(row * columns.size(), n * columns.size()));
        if (!r) return core::Fail(std::move(r.error()));
        row += n;
    }
    return {};
}

Result<std::unique_ptr<Database>> Open(std::string_view url, const Options& options) {
    if (url.starts_with("sqlite:")) {
        std::string_view path = url.substr(7);
        if (path.starts_with("//")) path.remove_prefix(2);  // tolerate "sqlite://PATH"
        if (path.empty()) return core::Fail(core::Error::InvalidArgument("database URL has no SQLite path"));
        return sqlite::OpenSqlite(path, options);
    }
    if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
        return postgres::OpenPostgres(url, options);
    }
    return core::Fail(core::Error::InvalidArgument("unsupported database URL '" + detail::MaskPassword(url) +
                                                   "': expected sqlite:PATH, sqlite::memory: or postgresql://..."));
}

namespace detail {

std::string MaskPassword(std::string_view url) {
    std::string out(url);
    // userinfo: scheme://user:password@host
    if (auto scheme = out.find("://"); scheme != std::string::npos) {
        const std::size_t start = scheme + 3;
        const std::size_t end = out.find_first_of("/?#", start);
        const std::size_t at = out.rfind('@', end == std::string::npos ? out.size() : end);
        if (at != std::string::npos && at >= start) {
            const std::size_t colon = out.find(':', start);
            if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
        }
    }
    // query parameter: ?password=... or &password=...
    for (std::size_t pos = out.find("password="); pos != std::string::npos; pos = out.find("password=", pos + 1)) {
        if (pos > 0 && out[pos - 1] != '?' && out[pos - 1] != '&' && out[pos - 1] != ' ') continue;
        const std::size_t value = pos + 9;
        const std::size_t end = out.find_first_of("& ", value);
        out.replace(value, (end == std::string::npos ? out.size() : end) - value, "***");
    }
    return out;
}

}  // namespace detail

}  // namespace customsdesk::storage
