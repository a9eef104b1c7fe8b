// JSON helpers over Boost.JSON: strict parsing of request bodies with field-pointer errors.
//
// Requests are validated explicitly (Boost.JSON's automatic struct conversion is too strict to
// give good errors): an ObjectReader reads typed members, records every problem in a
// FieldErrors with its RFC 6901 pointer, and `RejectUnknown` refuses members nobody read.
// Not thread-safe; one reader per request.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "customsdesk/core/error.hpp"

namespace customsdesk::core {

// Limits on a JSON document read from a client (habit 9: bound every input).
inline constexpr std::size_t kMaxJsonDepth = 32;

// Parses a whole document: invalid UTF-8, trailing garbage, too deep nesting and syntax errors
// give an InvalidArgument error whose message names the problem (code "malformed_json").
// `storage` holds the values (e.g. a boost::json::monotonic_resource for a document that is read
// once and dropped: one allocation instead of one per string, array and object).
Result<boost::json::value> ParseJson(std::string_view text, boost::json::storage_ptr storage = {});
// Same, and the document must be an object.
Result<boost::json::object> ParseJsonObject(std::string_view text, boost::json::storage_ptr storage = {});

// Appends `text` as a JSON string, quoted and escaped exactly as boost::json::serialize writes it
// (for code that writes JSON text directly instead of building a DOM).
void AppendJsonString(std::string& out, std::string_view text);

// Writes the members of one JSON object, in order, straight into `out`: {"a":...,"b":...} (for
// hot paths that write JSON text directly; the text is what boost::json::serialize would give for
// the same members in the same order). The closing brace is written when the writer goes away.
class JsonObjectWriter {
  public:
    explicit JsonObjectWriter(std::string& out) : out_(out) { out_ += '{'; }
    ~JsonObjectWriter() { out_ += '}'; }
    JsonObjectWriter(const JsonObjectWriter&) = delete;
    JsonObjectWriter& operator=(const JsonObjectWriter&) = delete;

    // Writes the key and returns the text for its value to be appended to.
    std::string& Key(std::string_view key) {
        if (!first_) out_ += ',';
        first_ = false;
        AppendJsonString(out_, key);
        out_ += ':';
        return out_;
    }
    void Text(std::string_view key, std::string_view v) { AppendJsonString(Key(key), v); }
    void TextIfAny(std::string_view key, const std::string& v) {
        if (!v.empty()) Text(key, v);
    }
    void Integer(std::string_view key, std::int64_t v) { Key(key) += std::to_string(v); }
    void Bool(std::string_view key, bool v) { Key(key) += v ? "true" : "false"; }
    void Null(std::string_view key) { Key(key) += "null"; }
    // A decimal (anything with ToString()) as a JSON string, as the API carries amounts.
    template <class D>
    void Decimal(std::string_view key, const D& v) {
        Text(key, v.ToString());
    }
    template <class D>
    void DecimalOrNull(std::string_view key, const std::optional<D>& v) {
        if (v) Decimal(key, *v);
        else Null(key);
    }
    template <class D>
    void DecimalIfAny(std::string_view key, const std::optional<D>& v) {
        if (v) Decimal(key, *v);
    }

    // A member whose value is an array of objects: `write(writer, element)` writes each object's
    // members.
    template <class Range, class Write>
    void ObjectArray(std::string_view key, const Range& elements, Write&& write) {
        std::string& out = Key(key);
        out += '[';
        bool first = true;
        for (const auto& element : elements) {
            if (!first) out += ',';
            first = false;
            JsonObjectWriter object(out);
            write(object, element);
        }
        out += ']';
    }

  private:
    std::string& out_;
    bool first_ = true;
};

// RFC 6901 escaping of one reference token ("a/b" -> "a~1b").
std::string JsonPointerEscape(std::string_view token);

class ObjectReader {
public:
    ObjectReader(const boost::json::object& obj, FieldErrors& errors, std::string base_pointer = "");

    [[nodiscard]] bool Has(std::string_view key) const;
    [[nodiscard]] bool IsNull(std::string_view key) const;  // present and null

    // Each returns nullopt when absent, null or wrong-typed; wrong types and `required` misses
    // are recorded. Strings are checked for length (in bytes) and trimmed when `trim` is set.
    std::optional<std::string> String(std::string_view key, bool required = false, std::size_t max_len = 1000,
                                      bool trim = true);
    std::optional<std::int64_t> Int(std::string_view key, bool required = false);
    std::optional<bool> Bool(std::string_view key, bool required = false);
    std::optional<std::vector<std::string>> StringArray(std::string_view key, bool required = false,
                                                        std::size_t max_items = 100, std::size_t max_len = 200);
    const boost::json::object* Object(std::string_view key, bool required = false);
    // An array of at most `max_items` elements (element types are the caller's to check).
    const boost::json::array* Array(std::string_view key, bool required = false, std::size_t max_items = 100);

    // Adds an "unknown_field" error for every member not in `allowed`.
    void RejectUnknown(std::initializer_list<std::string_view> allowed);
    void RejectUnknown(const std::set<std::string, std::less<>>& allowed);

    [[nodiscard]] std::string Pointer(std::string_view key) const;
    FieldErrors& errors() { return errors_; }

private:
    const boost::json::value* Get(std::string_view key) const;
    void WrongType(std::string_view key, std::string_view expected);

    const boost::json::object& obj_;
    FieldErrors& errors_;
    std::string base_;
};

}  // namespace customsdesk::core
