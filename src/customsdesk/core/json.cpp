#include "customsdesk/core/json.hpp"

#include <fmt/format.h>

namespace customsdesk::core {

Result<boost::json::value> ParseJson(std::string_view text, boost::json::storage_ptr storage) {
    boost::json::parse_options opts;
    opts.max_depth = kMaxJsonDepth;
    opts.allow_invalid_utf8 = false;
    opts.allow_comments = false;
    opts.allow_trailing_commas = false;
    boost::json::stream_parser p({}, opts);
    p.reset(std::move(storage));
    boost::system::error_code ec;
    p.write(text.data(), text.size(), ec);
    if (!ec) p.finish(ec);
    if (ec) {
        Error e = Error::InvalidArgument(fmt::format("The body is not valid JSON: {}.", ec.message()),
                                         {{"", "malformed_json", ec.message()}});
        e.type = "malformed-json";
        return Fail(std::move(e));
    }
    return p.release();
}

Result<boost::json::object> ParseJsonObject(std::string_view text, boost::json::storage_ptr storage) {
    auto v = ParseJson(text, std::move(storage));
    if (!v) return Fail(std::move(v.error()));
    if (!v->is_object()) {
        return Fail(Error::InvalidArgument("The body must be a JSON object.", {{"", "type", "expected an object"}}));
    }
    return std::move(v->as_object());
}

void AppendJsonString(std::string& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    std::size_t plain = 0;  // start of the run not yet copied
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(text.substr(plain, i - plain));
        plain = i + 1;
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                out += "\\u00";
                out += kHex[c >> 4];
                out += kHex[c & 0xf];
        }
    }
    out.append(text.substr(plain));
    out += '"';
}

std::string JsonPointerEscape(std::string_view token) {
    std::string out;
    out.reserve(token.size());
    for (char c : token) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out += c;
    }
    return out;
}

ObjectReader::ObjectReader(const boost::json::object& obj, FieldErrors& errors, std::string base_pointer)
    : obj_(obj), errors_(errors), base_(std::move(base_pointer)) {}

std::string ObjectReader::Pointer(std::string_view key) const { return base_ + "/" + JsonPointerEscape(key); }

const boost::json::value* ObjectReader::Get(std::string_view key) const { return obj_.if_contains(key); }

bool ObjectReader::Has(std::string_view key) const { return Get(key) != nullptr; }

bool ObjectReader::IsNull(std::string_view key) const {
    const auto* v = Get(key);
    return v != nullptr && v->is_null();
}

void ObjectReader::WrongType(std::string_view key, std::string_view expected) {
    errors_.Add(Pointer(key), "type", fmt::format("Expected {}.", expected));
}

std::optional<std::string> ObjectReader::String(std::string_view key, bool required, std::size_t max_len, bool trim) {
    const auto* v = Get(key);
    if (v == nullptr || v->is_null()) {
        if (required) errors_.Add(Pointer(key), "required", "This field is required.");
        return std::nullopt;
    }
    if (!v->is_string()) {
        WrongType(key, "a string");
        return std::nullopt;
    }
    std::string_view s = v->as_string();
    if (trim) {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
            s.remove_prefix(1);
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
            s.remove_suffix(1);
    }
    if (required && s.empty()) {
        errors_.Add(Pointer(key), "required", "This field is required.");
        return std::nullopt;
    }
    if (s.size() > max_len) {
        errors_.Add(Pointer(key), "too_long", fmt::format("At most {} characters.", max_len));
        return std::nullopt;
    }
    for (unsigned char c : s) {
        if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
            errors_.Add(Pointer(key), "control_character", "Control characters are not allowed.");
            return std::nullopt;
        }
    }
    return std::string(s);
}

std::optional<std::int64_t> ObjectReader::Int(std::string_view key, bool required) {
    const auto* v = Get(key);
    if (v == nullptr || v->is_null()) {
        if (required) errors_.Add(Pointer(key), "required", "This field is required.");
        return std::nullopt;
    }
    if (v->is_int64()) return v->as_int64();
    if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
        return static_cast<std::int64_t>(v->as_uint64());
    }
    WrongType(key, "an integer");
    return std::nullopt;
}

std::optional<bool> ObjectReader::Bool(std::string_view key, bool required) {
    const auto* v = Get(key);
    if (v == nullptr || v->is_null()) {
        if (required) errors_.Add(Pointer(key), "required", "This field is required.");
        return std::nullopt;
    }
    if (!v->is_bool()) {
        WrongType(key, "true or false");
        return std::nullopt;
    }
    return v->as_bool();
}

std::optional<std::vector<std::string>> ObjectReader::StringArray(std::string_view key, bool required,
                                                                  std::size_t max_items, std::size_t max_len) {
    const auto* v = Get(key);
    if (v == nullptr || v->is_null()) {
        if (required) errors_.Add(Pointer(key), "required", "This field is required.");
        return std::nullopt;
    }
    if (!v->is_array()) {
        WrongType(key, "an array of strings");
        return std::nullopt;
    }
    const auto& arr = v->as_array();
    if (arr.size() > max_items) {
        errors_.Add(Pointer(key), "too_many", fmt::format("At most {} items.", max_items));
        return std::nullopt;
    }
    std::vector<std::string> out;
    bool ok = true;
    for (std::size_t i = 0; i < arr.size(); ++i) {
        const std::string ptr = Pointer(key) + "/" + std::to_string(i);
        if (!arr[i].is_string()) {
            errors_.Add(ptr, "type", "Expected a string.");
            ok = false;
            continue;
        }
        if (arr[i].as_string().size() > max_len) {
            errors_.Add(ptr, "too_long", fmt::format("At most {} characters.", max_len));
            ok = false;
            continue;
        }
        out.emplace_back(arr[i].as_string());
    }
    if (!ok) return std::nullopt;
    return out;
}

const boost::json::object* ObjectReader::Object(std::string_view key, bool required) {
    const auto* v = Get(key);
    if (v == nullptr || v->is_null()) {
        if (required) errors_.Add(Pointer(key), "required", "This field is required.");
        return nullptr;
    }
    if (!v->is_object()) {
        WrongType(key, "an object");
        return nullptr;
    }
    return &v->as_object();
}

const boost::json::array* ObjectReader::Array(std::string_view key, bool required, std::size_t max_items) {
    const auto* v = Get(key);
    if (v == nullptr || v->is_null()) {
        if (required) errors_.Add(Pointer(key), "required", "This field is required.");
        return nullptr;
    }
    if (!v->is_array()) {
        WrongType(key, "an array");
        return nullptr;
    }
    if (v->as_array().size() > max_items) {
        errors_.Add(Pointer(key), "too_many", fmt::format("At most {} items.", max_items));
        return nullptr;
    }
    return &v->as_array();
}

void ObjectReader::RejectUnknown(std::initializer_list<std::string_view> allowed) {
    for (const auto& kv : obj_) {
        bool known = false;
        for (auto a : allowed) known = known || a == kv.key();
        if (!known) errors_.Add(Pointer(kv.key()), "unknown_field", "This field is not known.");
    }
}

void ObjectReader::RejectUnknown(const std::set<std::string, std::less<>>& allowed) {
    for (const auto& kv : obj_) {
        if (!allowed.contains(std::string_view(kv.key())))
            errors_.Add(Pointer(kv.key()), "unknown_field", "This field is not known.");
    }
}

}  // namespace customsdesk::core
