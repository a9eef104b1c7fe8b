// E-forms of request types, defined as data (SPEC §4: "each type has an e-form defined as data,
// not code"): a form is a JSON document {"fields": [...]} stored per request type in versions
// (sd_form_versions); a submission's `form` object is validated against the version current at
// submission time.
//
// A field: {"key": "system", "type": "select", "required": true,
//           "label": {"fi": "...", "sv": "...", "en": "..."},
//           "options": [{"value": "edi_messages", "label": {...}}, ...]   (select, multiselect)
//           "min"/"max" (number: value; date: "YYYY-MM-DD"), "integer": true (number),
//           "min_length"/"max_length" (text, textarea, email: characters), "pattern" (text: an
//           ECMAScript regular expression the whole value must match), "min_items"/"max_items"
//           (multiselect), "help": {...} (optional, localised)}
// Types: text, textarea, number, date, select, multiselect, checkbox, email.
//
// ParseFormDefinition checks a definition an administrator submits (field errors at
// /fields/<index>/<member>); ValidateFormData checks a submission, with one error per field at
// /form/<key> (codes: required, type, unknown_field, option, min, max, min_length, max_length,
// pattern, format, min_items, max_items, duplicate). Pure functions, thread-safe.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "customsdesk/core/error.hpp"

namespace customsdesk::servicedesk {

inline constexpr std::size_t kMaxFormFields = 50;
inline constexpr std::size_t kMaxFieldOptions = 200;
inline constexpr std::size_t kMaxPatternLength = 200;
inline constexpr std::size_t kDefaultTextMax = 1000;      // text, email
inline constexpr std::size_t kDefaultTextareaMax = 10000;
inline constexpr std::size_t kMaxFormDefinitionBytes = 256u << 10;

enum class FieldType { kText, kTextarea, kNumber, kDate, kSelect, kMultiselect, kCheckbox, kEmail };
std::string_view FieldTypeName(FieldType t);
std::optional<FieldType> ParseFieldType(std::string_view name);

struct FormField {
    std::string key;
    FieldType type = FieldType::kText;
    bool required = false;
    std::vector<std::string> options;            // allowed values (select, multiselect)
    std::optional<double> min, max;              // number
    std::optional<std::string> min_date, max_date;  // date, "YYYY-MM-DD"
    bool integer = false;
    std::optional<std::size_t> min_length, max_length;
    std::optional<std::string> pattern;
    std::optional<std::size_t> min_items, max_items;
};

struct FormDefinition {
    std::vector<FormField> fields;
    boost::json::object json;  // the definition as given (labels and all), echoed to clients
};

// Checks and parses a definition; errors point into the definition ("/fields/2/options").
core::Result<FormDefinition> ParseFormDefinition(const boost::json::value& definition);

// Checks `data` (the submission's `form` member) against `form`; returns the normalised data
// (only known keys, numbers as given). Errors at "/form/<key>" (RFC 6901-escaped).
core::Result<boost::json::object> ValidateFormData(const FormDefinition& form, const boost::json::object& data);

// "YYYY-MM-DD" that names a real calendar day.
bool IsIsoDate(std::string_view s);
// A plausible e-mail address (one '@', a dot in the domain, no spaces, at most 254 bytes).
bool IsEmailAddress(std::string_view s);

}  // namespace customsdesk::servicedesk
