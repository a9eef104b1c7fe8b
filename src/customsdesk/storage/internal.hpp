// Internal helpers shared by the storage implementations. Not for use outside storage/.
// Thread-safety: pure functions.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace customsdesk::storage::detail {

// A URL with the password (userinfo after ':' and any `password=` query parameter) replaced by "***".
std::string MaskPassword(std::string_view url);

// "(a, b, c)": the column list of an INSERT or COPY.
std::string ColumnList(std::span<const std::string_view> columns);

// "<verb> <table> (<columns>) VALUES ($1, ...), ... <tail>" with `rows` rows of parameters $1...
// (SQLite's statement cache rewrites them to ?N). `verb` is e.g. "INSERT INTO"; `tail` may be empty.
std::string InsertStatement(std::string_view verb, std::string_view table, std::span<const std::string_view> columns,
                            std::size_t rows, std::string_view tail = {});

}  // namespace customsdesk::storage::detail
