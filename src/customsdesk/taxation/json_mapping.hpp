// JSON forms of the taxation types (the API bodies and the test case files share them).
//
// Decimals travel as JSON strings in plain notation ("123.45") so that no amount passes through a
// binary double; an integer JSON number is accepted on input as well, a fractional one is refused
// ("decimal_as_string"). Dates are "YYYY-MM-DD". Parsing is strict: unknown members, wrong types and
// malformed values become field errors with JSON pointers (under `base`).
// Thread-safety: free functions, no shared state.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>

#include "customsdesk/core/error.hpp"
#include "customsdesk/core/json.hpp"
#include "customsdesk/taxation/assessment.hpp"
#include "customsdesk/taxation/tables.hpp"

namespace customsdesk::taxation {

// {"acceptance_date","procedure","currency","items":[{"commodity_code","customs_value","quantity"?}]}
core::Result<AssessmentInput> ParseAssessmentInput(const boost::json::object& obj);
// The assessment's members written into an open object (the text the lodging stores), and the
// same as an object.
void WriteAssessment(core::JsonObjectWriter& o, const Assessment& a);
boost::json::object AssessmentToJson(const Assessment& a);

// {"code_prefix","duty_percent","specific_duty"?,"specific_unit"?,"valid_from","valid_to"?}
std::optional<TariffRate> ParseTariffRate(const boost::json::object& obj, core::FieldErrors& errors,
                                          const std::string& base);
// {"code_prefix","percent","valid_from","valid_to"?}
std::optional<VatRate> ParseVatRate(const boost::json::object& obj, core::FieldErrors& errors,
                                    const std::string& base);
// {"currency","valid_from","units_per_eur"}
std::optional<ExchangeRate> ParseExchangeRate(const boost::json::object& obj, core::FieldErrors& errors,
                                              const std::string& base);

boost::json::object ToJson(const TariffRate& r);
boost::json::object ToJson(const VatRate& r);
boost::json::object ToJson(const ExchangeRate& r);

// Reads one decimal member (string or integer); records "required", "decimal_as_string" or "format".
std::optional<core::Decimal> ReadDecimal(const boost::json::object& obj, core::ObjectReader& reader, std::string_view key, bool required);
// Reads one date member; records "required" or "format".
std::optional<Date> ReadDate(core::ObjectReader& reader, std::string_view key, bool required);

}  // namespace customsdesk::taxation
