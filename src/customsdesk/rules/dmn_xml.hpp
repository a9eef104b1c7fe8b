// DMN XML import and export (pugixml). Elements are matched by namespace URI, never by prefix;
// the DMN 1.1 to 1.5 model namespaces are accepted. Export always writes DMN 1.5.
//
// Import is bounded: documents over `kMaxDmnBytes`, tables over `kMaxRules` rules or
// `kMaxColumns` columns, and boxed expressions nested deeper than `kMaxBoxedDepth` are rejected
// with an error. Malformed XML, unknown hit policies and unknown aggregations are errors too.
// Pure functions; no file I/O (callers read the bytes).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "customsdesk/core/error.hpp"
#include "customsdesk/rules/dmn_model.hpp"

namespace customsdesk::rules {

constexpr size_t kMaxDmnBytes = 16u << 20;
constexpr size_t kMaxRules = 4096;
constexpr size_t kMaxColumns = 256;
constexpr int kMaxBoxedDepth = 64;

constexpr std::string_view kDmn15Namespace = "https://www.omg.org/spec/DMN/20230324/MODEL/";

core::Result<Definitions> ImportDmn(std::string_view xml);
std::string ExportDmn(const Definitions& defs);

// "UNIQUE", "U", "RULE ORDER", ... -> policy; "SUM", "+", ... -> aggregation.
core::Result<HitPolicy> ParseHitPolicy(std::string_view text);
core::Result<Aggregation> ParseAggregation(std::string_view text);

}  // namespace customsdesk::rules
