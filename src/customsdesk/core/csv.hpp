// RFC 4180 CSV reading over text in memory: quoted fields with commas, quotes ("") and line
// breaks inside, CRLF or LF line ends, an optional UTF-8 BOM at the start.
// A malformed record (a quote inside an unquoted field, text after a closing quote, an
// unterminated quote) is reported with its line number instead of being guessed at.
// Not thread-safe; the text must outlive the reader.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace customsdesk::core {

class CsvReader {
public:
    explicit CsvReader(std::string_view text);

    // Reads the next record into `fields`; false at the end of the text or on an error (see error()).
    bool Next(std::vector<std::string>& fields);
    // Line number (1-based) where the last record returned by Next() started.
    [[nodiscard]] int line() const { return record_line_; }
    [[nodiscard]] const std::optional<std::string>& error() const { return error_; }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
    int current_line_ = 1;
    int record_line_ = 0;
    std::optional<std::string> error_;
};

}  // namespace customsdesk::core
