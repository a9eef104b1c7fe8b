// Subject from JSON: for the analysts' dry-run endpoint and the data-driven test cases.
//
// {"declaration_id": 1, "identity": "...", "declaration_type": "H1", "office": "FI002300",
//  "dispatch_country": "CN", "origin_country": "CN", "destination_country": "FI",
//  "total_value": "1234.50", "transport_mode": 1, "route": "CN-FI", "location": "FIHEL",
//  "items": [{"commodity_code": "85171300", "origin": "CN", "value": "100", "net_mass": "2.5"}],
//  "trader": {"customer_group": "key", "aeo_type": "AEOF", "controls": 3, "findings": 0,
//             "declaration_count": 12, "first_declaration_at": "...Z", "last_finding_at": "...Z"}}
// Money and mass are exact decimals given as strings (or JSON integers); every problem is a field
// error with its JSON pointer. Pure; thread-safe.
#pragma once

#include <boost/json.hpp>

#include "customsdesk/core/error.hpp"
#include "customsdesk/selectivity/subject.hpp"

namespace customsdesk::selectivity {

inline constexpr std::size_t kMaxSubjectItems = 999;  // items per declaration (UCC maximum)

core::Result<Subject> SubjectFromJson(const boost::json::object& body);

}  // namespace customsdesk::selectivity
