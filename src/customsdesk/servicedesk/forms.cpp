#include "customsdesk/servicedesk/forms.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <regex>
#include <set>

#include "customsdesk/core/json.hpp"
#include "customsdesk/core/utf8.hpp"

namespace customsdesk::servicedesk {
namespace {

using core::Error;
using core::Fail;
using core::Result;

constexpr std::string_view kTypeNames[] = {"text", "textarea", "number", "date", "select", "multiselect", "checkbox",
                                           "email"};
constexpr std::string_view kLanguages[] = {"fi", "sv", "en"};

std::size_t Characters(std::string_view s) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size();) {
        if (!core::NextCodePoint(s, i)) ++i;
        ++n;
    }
    return n;
}

bool ValidKey(std::string_view k) {
    if (k.empty() || k.size() > 40 || k[0] < 'a' || k[0] > 'z') return false;
    for (char c : k)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    return true;
}

// {"fi": "...", "sv": "...", "en": "..."}, each non-empty.
void CheckLabels(const boost::json::value* v, const std::string& pointer, bool required, core::FieldErrors& errs) {
    if (v == nullptr) {
        if (required) errs.Add(pointer, "required", "Labels in Finnish, Swedish and English are required.");
        return;
    }
    if (!v->is_object()) {
        errs.Add(pointer, "type", "Expected an object {\"fi\", \"sv\", \"en\"}.");
        return;
    }
    for (auto lang : kLanguages) {
        const auto* s = v->as_object().if_contains(lang);
        if (s == nullptr || !s->is_string() || s->as_string().empty() || s->as_string().size() > 500) {
            errs.Add(pointer + "/" + std::string(lang), "required", "A label of 1 to 500 bytes is required.");
        }
    }
    for (const auto& kv : v->as_object()) {
        bool known = false;
        for (auto lang : kLanguages) known |= kv.key() == lang;
        if (!known) errs.Add(pointer + "/" + core::JsonPointerEscape(kv.key()), "unknown_field", "Use fi, sv and en.");
    }
}

std::optional<double> Number(const boost::json::value* v) {
    if (v == nullptr || !v->is_number()) return std::nullopt;
    return v->to_number<double>();
}

std::optional<std::size_t> Count(const boost::json::object& o, std::string_view key, const std::string& base,
                                 core::FieldErrors& errs) {
    const auto* v = o.if_contains(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_int64() || v->as_int64() < 0 || v->as_int64() > 100000) {
        errs.Add(base + "/" + std::string(key), "type", "Expected a whole number 0 to 100000.");
        return std::nullopt;
    }
    return static_cast<std::size_t>(v->as_int64());
}

Result<FormField> ParseField(const boost::json::value& v, const std::string& base, core::FieldErrors& errs) {
    FormField f;
    if (!v.is_object()) {
        errs.Add(base, "type", "A field is an object.");
        return f;
    }
    const auto& o = v.as_object();
    static const std::set<std::string, std::less<>> kAllowed = {
        "key", "type", "required", "label", "help", "options", "min", "max", "integer", "min_length", "max_length",
        "pattern", "min_items", "max_items", "placeholder"};
    for (const auto& kv : o)
        if (!kAllowed.contains(kv.key()))
            errs.Add(base + "/" + core::JsonPointerEscape(kv.key()), "unknown_field", "Not a field property.");
    const auto* key = o.if_contains("key");
    if (key == nullptr || !key->is_string() || !ValidKey(key->as_string())) {
        errs.Add(base + "/key", "format", "A key is 1 to 40 of a-z, 0-9 and _, starting with a letter.");
    } else {
        f.key = std::string(key->as_string());
    }
    const auto* type = o.if_contains("type");
    std::optional<FieldType> t;
    if (type != nullptr && type->is_string()) t = ParseFieldType(type->as_string());
    if (!t) {
        errs.Add(base + "/type", "option", "One of text, textarea, number, date, select, multiselect, checkbox, email.");
        return f;
    }
    f.type = *t;
    if (const auto* r = o.if_contains("required")) {
        if (!r->is_bool()) errs.Add(base + "/required", "type", "Expected true or false.");
        else f.required = r->as_bool();
    }
    CheckLabels(o.if_contains("label"), base + "/label", true, errs);
    CheckLabels(o.if_contains("help"), base + "/help", false, errs);
    CheckLabels(o.if_contains("placeholder"), base + "/placeholder", false, errs);

    const bool choice = f.type == FieldType::kSelect || f.type == FieldType::kMultiselect;
    const auto* options = o.if_contains("options");
    if (choice) {
        if (options == nullptr || !options->is_array() || options->as_array().empty() ||
            options->as_array().size() > kMaxFieldOptions) {
            errs.Add(base + "/options", "required", fmt::format("1 to {} options are required.", kMaxFieldOptions));
        } else {
            std::set<std::string> seen;
            const auto& a = options->as_array();
            for (std::size_t i = 0; i < a.size(); ++i) {
                const std::string p = fmt::format("{}/options/{}", base, i);
                if (!a[i].is_object()) {
                    errs.Add(p, "type", "An option is {\"value\", \"label\"}.");
                    continue;
                }
                const auto* value = a[i].as_object().if_contains("value");
                if (value == nullptr || !value->is_string() || value->as_string().empty() ||
                    value->as_string().size() > 100) {
                    errs.Add(p + "/value", "required", "A value of 1 to 100 bytes is required.");
                    continue;
                }
                std::string val(value->as_string());
                if (!seen.insert(val).second) errs.Add(p + "/value", "duplicate", "Values must be unique.");
                f.options.push_back(std::move(val));
                CheckLabels(a[i].as_object().if_contains("label"), p + "/label", true, errs);
                for (const auto& kv : a[i].as_object())
                    if (kv.key() != "value" && kv.key() != "label")
                        errs.Add(p + "/" + core::JsonPointerEscape(kv.key()), "unknown_field", "Not an option property.");
            }
        }
    } else if (options != nullptr) {
        errs.Add(base + "/options", "not_allowed", "Only select and multiselect fields have options.");
    }

    auto not_allowed = [&](std::string_view member) {
        if (o.contains(member)) {
            errs.Add(base + "/" + std::string(member), "not_allowed",
                     fmt::format("Not a property of a {} field.", FieldTypeName(f.type)));
        }
    };
    const bool texty = f.type == FieldType::kText || f.type == FieldType::kTextarea || f.type == FieldType::kEmail;
    if (f.type == FieldType::kNumber) {
        for (std::string_view m : {"min", "max"}) {
            if (const auto* v = o.if_contains(m)) {
                auto n = Number(v);
                if (!n) errs.Add(base + "/" + std::string(m), "type", "Expected a number.");
                else (m == "min" ? f.min : f.max) = *n;
            }
        }
        if (f.min && f.max && *f.min > *f.max) errs.Add(base + "/min", "range", "min is greater than max.");
        if (const auto* i = o.if_contains("integer")) {
            if (!i->is_bool()) errs.Add(base + "/integer", "type", "Expected true or false.");
            else f.integer = i->as_bool();
        }
    } else if (f.type == FieldType::kDate) {
        for (std::string_view m : {"min", "max"}) {
            if (const auto* v = o.if_contains(m)) {
                if (!v->is_string() || !IsIsoDate(v->as_string())) {
                    errs.Add(base + "/" + std::string(m), "format", "Expected a date YYYY-MM-DD.");
                } else {
                    (m == "min" ? f.min_date : f.max_date) = std::string(v->as_string());
                }
            }
        }
        if (f.min_date && f.max_date && *f.min_date > *f.max_date)
            errs.Add(base + "/min", "range", "min is after max.");
        not_allowed("integer");
    } else {
        not_allowed("min");
        not_allowed("max");
        not_allowed("integer");
    }
    if (texty) {
        f.min_length = Count(o, "min_length", base, errs);
        f.max_length = Count(o, "max_length", base, errs);
        if (f.min_length && f.max_length && *f.min_length > *f.max_length)
            errs.Add(base + "/min_length", "range", "min_length is greater than max_length.");
    } else {
        not_allowed("min_length");
        not_allowed("max_length");
    }
    if (f.type == FieldType::kText) {
        if (const auto* p = o.if_contains("pattern")) {
            if (!p->is_string() || p->as_string().empty() || p->as_string().size() > kMaxPatternLength) {
                errs.Add(base + "/pattern", "length", fmt::format("1 to {} bytes.", kMaxPatternLength));
            } else {
                try {
                    std::regex re(std::string(p->as_string()), std::regex::ECMAScript);
                    f.pattern = std::string(p->as_string());
                } catch (const std::regex_error& e) {
                    errs.Add(base + "/pattern", "format", fmt::format("Not a regular expression: {}", e.what()));
                }
            }
        }
    } else {
        not_allowed("pattern");
    }
    if (f.type == FieldType::kMultiselect) {
        f.min_items = Count(o, "min_items", base, errs);
        f.max_items = Count(o, "max_items", base, errs);
        if (f.min_items && f.max_items && *f.min_items > *f.max_items)
            errs.Add(base + "/min_items", "range", "min_items is greater than max_items.");
    } else {
        not_allowed("min_items");
        not_allowed("max_items");
    }
    return f;
}

}  // namespace

std::string_view FieldTypeName(FieldType t) { return kTypeNames[static_cast<int>(t)]; }

std::optional<FieldType> ParseFieldType(std::string_view name) {
    for (std::size_t i = 0; i < std::size(kTypeNames); ++i)
        if (kTypeNames[i] == name) return static_cast<FieldType>(i);
    return std::nullopt;
}

bool IsIsoDate(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
        if (s[i] < '0' || s[i] > '9') return false;
    const int y = std::stoi(std::string(s.substr(0, 4)));
    const unsigned m = static_cast<unsigned>(std::stoi(std::string(s.substr(5, 2))));
    const unsigned d = static_cast<unsigned>(std::stoi(std::string(s.substr(8, 2))));
    return std::chrono::year_month_day(std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)).ok();
}

bool IsEmailAddress(std::string_view s) {
    if (s.empty() || s.size() > 254) return false;
    const auto at = s.find('@');
    if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos) return false;
    const auto domain = s.substr(at + 1);
    const auto dot = domain.find('.');
    if (dot == std::string_view::npos || dot == 0 || domain.back() == '.') return false;
    for (char c : s)
        if (static_cast<unsigned char>(c) <= ' ' || c == '<' || c == '>' || c == ',' || c == ';') return false;
    return true;
}

Result<FormDefinition> ParseFormDefinition(const boost::json::value& definition) {
    core::FieldErrors errs;
    FormDefinition def;
    if (!definition.is_object()) {
        return Fail(Error::InvalidArgument("A form is an object {\"fields\": [...]}.",
                                           {{"", "type", "Expected an object."}}));
    }
    def.json = definition.as_object();
    for (const auto& kv : def.json)
        if (kv.key() != "fields")
            errs.Add("/" + core::JsonPointerEscape(kv.key()), "unknown_field", "A form has only \"fields\".");
    const auto* fields = def.json.if_contains("fields");
    if (fields == nullptr || !fields->is_array()) {
        errs.Add("/fields", "required", "A list of fields is required.");
        return Fail(Error::InvalidArgument("The form definition is invalid.", errs.errors()));
    }
    const auto& a = fields->as_array();
    if (a.size() > kMaxFormFields) errs.Add("/fields", "max_items", fmt::format("At most {} fields.", kMaxFormFields));
    std::set<std::string> keys;
    for (std::size_t i = 0; i < a.size() && i < kMaxFormFields; ++i) {
        const std::string base = fmt::format("/fields/{}", i);
        auto f = ParseField(a[i], base, errs);
        if (!f->key.empty() && !keys.insert(f->key).second) errs.Add(base + "/key", "duplicate", "Keys must be unique.");
        def.fields.push_back(std::move(*f));
    }
    if (auto ok = errs.ToResult("The form definition is invalid."); !ok) return Fail(std::move(ok.error()));
    return def;
}

Result<boost::json::object> ValidateFormData(const FormDefinition& form, const boost::json::object& data) {
    core::FieldErrors errs;
    boost::json::object out;
    std::set<std::string, std::less<>> known;
    for (const auto& f : form.fields) known.insert(f.key);
    for (const auto& kv : data)
        if (!known.contains(kv.key()))
            errs.Add("/form/" + core::JsonPointerEscape(kv.key()), "unknown_field", "The form has no such field.");

    for (const auto& f : form.fields) {
        const std::string p = "/form/" + core::JsonPointerEscape(f.key);
        const auto* v = data.if_contains(f.key);
        const bool empty = v == nullptr || v->is_null() || (v->is_string() && v->as_string().empty()) ||
                           (v->is_array() && v->as_array().empty() && f.type == FieldType::kMultiselect) ||
                           (f.type == FieldType::kCheckbox && v->is_bool() && !v->as_bool() && f.required);
        if (empty) {
            if (f.required) {
                errs.Add(p, "required",
                         f.type == FieldType::kCheckbox ? "This box must be ticked." : "This field is required.");
            }
            continue;
        }
        switch (f.type) {
            case FieldType::kText:
            case FieldType::kTextarea:
            case FieldType::kEmail: {
                if (!v->is_string()) {
                    errs.Add(p, "type", "Expected text.");
                    break;
                }
                const std::string_view s = v->as_string();
                const std::size_t n = Characters(s);
                const std::size_t max =
                    f.max_length.value_or(f.type == FieldType::kTextarea ? kDefaultTextareaMax : kDefaultTextMax);
                if (n > max) {
                    errs.Add(p, "max_length", fmt::format("At most {} characters.", max));
                    break;
                }
                if (f.min_length && n < *f.min_length) {
                    errs.Add(p, "min_length", fmt::format("At least {} characters.", *f.min_length));
                    break;
                }
                if (f.type == FieldType::kEmail && !IsEmailAddress(s)) {
                    errs.Add(p, "format", "Not an e-mail address.");
                    break;
                }
                if (f.pattern) {
                    // Patterns are checked at definition time; inputs are bounded by max_length.
                    std::regex re(*f.pattern, std::regex::ECMAScript);
                    if (!std::regex_match(std::string(s), re)) {
                        errs.Add(p, "pattern", "The value does not have the required form.");
                        break;
                    }
                }
                out[f.key] = *v;
                break;
            }
            case FieldType::kNumber: {
                if (!v->is_number()) {
                    errs.Add(p, "type", "Expected a number.");
                    break;
                }
                const double d = v->to_number<double>();
                if (!std::isfinite(d)) {
                    errs.Add(p, "type", "Expected a number.");
                    break;
                }
                if (f.integer && (v->is_double() && d != std::floor(d))) {
                    errs.Add(p, "type", "Expected a whole number.");
                    break;
                }
                if (f.min && d < *f.min) {
                    errs.Add(p, "min", fmt::format("At least {}.", *f.min));
                    break;
                }
                if (f.max && d > *f.max) {
                    errs.Add(p, "max", fmt::format("At most {}.", *f.max));
                    break;
                }
                out[f.key] = *v;
                break;
            }
            case FieldType::kDate: {
                if (!v->is_string() || !IsIsoDate(v->as_string())) {
                    errs.Add(p, "format", "Expected a date YYYY-MM-DD.");
                    break;
                }
                const std::string s(v->as_string());
                if (f.min_date && s < *f.min_date) {
                    errs.Add(p, "min", fmt::format("On or after {}.", *f.min_date));
                    break;
                }
                if (f.max_date && s > *f.max_date) {
                    errs.Add(p, "max", fmt::format("On or before {}.", *f.max_date));
                    break;
                }
                out[f.key] = *v;
                break;
            }
            case FieldType::kSelect: {
                if (!v->is_string()) {
                    errs.Add(p, "type", "Expected one of the options.");
                    break;
                }
                if (std::find(f.options.begin(), f.options.end(), v->as_string()) == f.options.end()) {
                    errs.Add(p, "option", "Not one of the options.");
                    break;
                }
                out[f.key] = *v;
                break;
            }
            case FieldType::kMultiselect: {
                if (!v->is_array()) {
                    errs.Add(p, "type", "Expected a list of options.");
                    break;
                }
                const auto& a = v->as_array();
                std::set<std::string> seen;
                bool bad = false;
                for (std::size_t i = 0; i < a.size(); ++i) {
                    const std::string ip = fmt::format("{}/{}", p, i);
                    if (!a[i].is_string() ||
                        std::find(f.options.begin(), f.options.end(), a[i].as_string()) == f.options.end()) {
                        errs.Add(ip, "option", "Not one of the options.");
                        bad = true;
                    } else if (!seen.insert(std::string(a[i].as_string())).second) {
                        errs.Add(ip, "duplicate", "Chosen twice.");
                        bad = true;
                    }
                }
                if (bad) break;
                if (f.min_items && a.size() < *f.min_items) {
                    errs.Add(p, "min_items", fmt::format("Choose at least {}.", *f.min_items));
                    break;
                }
                if (f.max_items && a.size() > *f.max_items) {
                    errs.Add(p, "max_items", fmt::format("Choose at most {}.", *f.max_items));
                    break;
                }
                out[f.key] = *v;
                break;
            }
            case FieldType::kCheckbox:
                if (!v->is_bool()) {
                    errs.Add(p, "type", "Expected true or false.");
                    break;
                }
                out[f.key] = *v;
                break;
        }
    }
    if (auto ok = errs.ToResult("The form has invalid fields."); !ok) return Fail(std::move(ok.error()));
    return out;
}

}  // namespace customsdesk::servicedesk
