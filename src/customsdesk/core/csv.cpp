#include "customsdesk/core/csv.hpp"

namespace customsdesk::core {

CsvReader::CsvReader(std::string_view text) : text_(text) {
    if (text_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
}

bool CsvReader::Next(std::vector<std::string>& fields) {
    fields.clear();
    if (error_ || pos_ >= text_.size()) return false;
    record_line_ = current_line_;
    std::string field;
    bool quoted = false;       // inside a quoted field
    bool was_quoted = false;   // the current field started with a quote and has been closed
    while (pos_ < text_.size()) {
        const char c = text_[pos_++];
        if (quoted) {
            if (c == '"') {
                if (pos_ < text_.size() && text_[pos_] == '"') {
                    field += '"';
                    ++pos_;
                } else {
                    quoted = false;
                    was_quoted = true;
                }
            } else {
                if (c == '\n') ++current_line_;
                field += c;
            }
            continue;
        }
        if (c == ',') {
            fields.push_back(std::move(field));
            field.clear();
            was_quoted = false;
        } else if (c == '\r' || c == '\n') {
            if (c == '\r' && pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
            ++current_line_;
            fields.push_back(std::move(field));
            return true;
        } else if (c == '"') {
            if (!field.empty() || was_quoted) {
                error_ = "line " + std::to_string(current_line_) + ": a quote inside an unquoted field";
                return false;
            }
            quoted = true;
        } else {
            if (was_quoted) {
                error_ = "line " + std::to_string(current_line_) + ": text after a closing quote";
                return false;
            }
            field += c;
        }
    }
    if (quoted) {
        error_ = "line " + std::to_string(record_line_) + ": a quoted field is not closed";
        return false;
    }
    fields.push_back(std::move(field));
    return true;
}

}  // namespace customsdesk::core
