#include "customsdesk/storage/database.hpp"

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

std::string ColumnList(std::span<const std::string_view> columns) {
    std::string out = "(";
    for (std::size_t c = 0; c < columns.size(); ++c) {
        if (c > 0) out += ", ";
        out += columns[c];
    }
    out += ')';
    return out;
}

std::string InsertStatement(std::string_view verb, std::string_view table, std::span<const std::string_view> columns,
                            std::size_t rows, std::string_view tail) {
    std::string sql(verb);
    sql.reserve(64 + rows * columns.size() * 7 + tail.size());
    sql += ' ';
    sql += table;
    sql += ' ';
    sql += ColumnList(columns);
    sql += " VALUES ";
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
    if (!tail.empty()) {
        sql += ' ';
        sql += tail;
    }
    return sql;
}

}  // namespace detail

}  // namespace customsdesk::storage
