// Conversion between FEEL values and JSON: JSON input (Boost.JSON) to FEEL values, typed by the
// model's input types where known (a string given for a `date` input becomes a date), and FEEL
// values to JSON text (numbers written as exact decimals, temporal values as ISO 8601 strings).
// Pure functions; thread-safe.
#pragma once

#include <boost/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "customsdesk/rules/value.hpp"

namespace customsdesk::rules {

constexpr int kMaxJsonDepth = 64;

// `type_ref` is the DMN type of the target ("number", "date", ...); empty when unknown.
Value FromJson(const boost::json::value& v, std::string_view type_ref = {}, int depth = 0);
std::string ToJson(const Value& v);

struct DecisionExplanation;
// The explanations of the decision tables evaluated (model.hpp) as a JSON array: per table the
// decision, table id, hitPolicy, aggregation, evaluated inputs, matchedRules / decisiveRules (1-based),
// matchedRuleIds, usedDefault, reason and the annotations of the decisive rules.
std::string ExplanationsToJson(const std::vector<DecisionExplanation>& explanations);

}  // namespace customsdesk::rules
