// The two wire forms of a declaration, mapped to the one model (declaration.hpp).
//
// JSON: the canonical form of declaration.hpp's ToJson; read strictly (unknown members, wrong
// types, missing required members are violations with RFC 6901 JSON pointers). Decimals may be
// JSON strings ("12.50", preferred: exact) or numbers.
//
// XML: one schema whose element names follow the EU Customs Data Model (docs/declarations.md):
// root <Declaration> (any namespace; elements are matched by local name), children mirror the
// JSON members one to one under their EUCDM names (LRN, DeclarationType, Declarant/
// IdentificationNumber, GoodsItem[n]/NetMass, ...). The XML is converted to the JSON shape and read
// by the same reader, so both forms give the same model; violation pointers are then translated to
// XPaths ("/Declaration/GoodsItem[2]/NetMass"). pugixml; documents are parsed without DOCTYPE
// expansion (pugixml never fetches external entities).
// Pure functions, thread-safe.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "customsdesk/declarations/declaration.hpp"
#include "customsdesk/declarations/messages.hpp"
#include "customsdesk/core/error.hpp"

namespace customsdesk::declarations {

// One violation before it is put in the caller's language. `pointer` is always a JSON pointer
// into the JSON form; for XML lodging it is translated by JsonPointerToXPath.
struct Violation {
    std::string pointer;
    std::string code;
    std::string arg0, arg1;  // message arguments
    std::string en;          // English text when the code has no catalogue text (or from a rule)
    std::string fi, sv;      // rule-supplied translations (decision tables), else empty
    friend bool operator==(const Violation&, const Violation&) = default;
};

// Reads a declaration from its JSON form; problems are appended to `out` (the model is then
// partial and must not be stored).
Declaration ReadDeclaration(const boost::json::object& obj, std::vector<Violation>& out);

// Parses one XML document with a <Declaration> root into the JSON shape (element names -> JSON
// members, repeated elements -> arrays, text -> strings, integers and booleans where the schema
// has them; elements not in the schema keep their XML name and are then refused as unknown
// fields). Malformed XML or another root is an InvalidArgument error (pointer "/").
core::Result<boost::json::object> ParseDeclarationXml(std::string_view xml);
// Parses a <Declarations> document with many <Declaration> children (the bulk form).
core::Result<std::vector<boost::json::object>> ParseDeclarationsXml(std::string_view xml);

// "/items/1/net_mass" -> "/Declaration/GoodsItem[2]/NetMass" (under `root`, e.g. "/Declaration"
// or "/Declarations/Declaration[3]").
std::string JsonPointerToXPath(std::string_view pointer, std::string_view root = "/Declaration");

// The canonical XML form of a declaration (the inverse of the XML reader).
std::string ToXml(const Declaration& d);

// Violations in `lang`, as field errors (message from the catalogue, the rule, or the English text).
std::vector<core::FieldError> Localize(const std::vector<Violation>& v, Language lang, bool xml = false,
                                       std::string_view xml_root = "/Declaration");

}  // namespace customsdesk::declarations
