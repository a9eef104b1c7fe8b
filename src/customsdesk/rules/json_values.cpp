#include "customsdesk/rules/json_values.hpp"

#include <cstdio>
#include <sstream>

#include "customsdesk/rules/model.hpp"
#include "customsdesk/rules/temporal.hpp"

namespace customsdesk::rules {
namespace {

void Escape(std::string& out, const std::string& s) {
    out += '"';
    for (unsigned char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20) {
                    char b[8];
                    std::snprintf(b, sizeof b, "\\u%04x", c);
                    out += b;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    out += '"';
}

void Write(std::string& out, const Value& v, int depth) {
    if (depth > kMaxJsonDepth) {
        out += "null";
        return;
    }
    switch (v.kind()) {
        case ValueKind::kNull:
        case ValueKind::kFunction:
            out += "null";
            return;
        case ValueKind::kBoolean:
            out += v.AsBool() ? "true" : "false";
            return;
        case ValueKind::kNumber:
            out += v.AsNumber().ToString();
            return;
        case ValueKind::kList: {
            out += '[';
            bool first = true;
            for (const auto& e : v.AsList()) {
                if (!first) out += ',';
                first = false;
                Write(out, e, depth + 1);
            }
            out += ']';
            return;
        }
        case ValueKind::kContext: {
            out += '{';
            bool first = true;
            for (const auto& [k, e] : v.AsContext().entries) {
                if (!first) out += ',';
                first = false;
                Escape(out, k);
                out += ':';
                Write(out, e, depth + 1);
            }
            out += '}';
            return;
        }
        case ValueKind::kString:
            Escape(out, v.AsString());
            return;
        default:
            Escape(out, ToFeelString(v));
            return;
    }
}

}  // namespace

Value FromJson(const boost::json::value& v, std::string_view type_ref, int depth) {
    if (depth > kMaxJsonDepth) return {};
    switch (v.kind()) {
        case boost::json::kind::null:
            return {};
        case boost::json::kind::bool_:
            return Value(v.get_bool());
        case boost::json::kind::int64:
            return Value::Number(v.get_int64());
        case boost::json::kind::uint64:
            return Value::FromOptional(Decimal::Parse(std::to_string(v.get_uint64())));
        case boost::json::kind::double_:
            return Value::FromOptional(Decimal::FromDouble(v.get_double()));
        case boost::json::kind::string: {
            std::string s(v.get_string());
            if (type_ref == "number") return Value::FromOptional(Decimal::Parse(s));
            if (type_ref == "date") {
                if (auto d = ParseDate(s)) return Value(*d);
            } else if (type_ref == "time") {
                if (auto t = ParseTime(s)) return Value(*t);
            } else if (type_ref == "dateTime" || type_ref == "date and time") {
                if (auto t = ParseDateTime(s)) return Value(*t);
            } else if (type_ref.find("duration") != std::string_view::npos || type_ref.ends_with("Duration")) {
                return ParseDuration(s);
            }
            return Value(s);
        }
        case boost::json::kind::array: {
            List out;
            for (const auto& e : v.get_array()) out.push_back(FromJson(e, {}, depth + 1));
            return Value::MakeList(std::move(out));
        }
        case boost::json::kind::object: {
            auto c = std::make_shared<Context>();
            for (const auto& kv : v.get_object()) c->Put(std::string(kv.key()), FromJson(kv.value(), {}, depth + 1));
            return Value(ContextPtr(std::move(c)));
        }
    }
    return {};
}

std::string ToJson(const Value& v) {
    std::string out;
    Write(out, v, 0);
    return out;
}

std::string ExplanationsToJson(const std::vector<DecisionExplanation>& ex) {
    std::ostringstream out;
    out << "[";
    for (size_t i = 0; i < ex.size(); ++i) {
        const Explanation& e = ex[i].table;
        if (i != 0) out << ",";
        out << "{\"decision\":" << ToJson(Value(ex[i].decision)) << ",\"table\":" << ToJson(Value(e.table_id))
            << ",\"hitPolicy\":" << ToJson(Value(std::string(HitPolicyName(e.hit_policy))));
        if (e.aggregation != Aggregation::kNone)
            out << ",\"aggregation\":" << ToJson(Value(std::string(AggregationName(e.aggregation))));
        List inputs(e.inputs.begin(), e.inputs.end());
        out << ",\"inputs\":" << ToJson(Value::MakeList(inputs));
        List matched, ids, decisive;
        for (size_t r : e.matched_rules) matched.push_back(Value::Number(static_cast<int64_t>(r + 1)));
        for (const auto& id : e.matched_rule_ids) ids.push_back(Value(id));
        for (size_t r : e.decisive_rules) decisive.push_back(Value::Number(static_cast<int64_t>(r + 1)));
        out << ",\"matchedRules\":" << ToJson(Value::MakeList(matched))
            << ",\"matchedRuleIds\":" << ToJson(Value::MakeList(ids))
            << ",\"decisiveRules\":" << ToJson(Value::MakeList(decisive))
            << ",\"usedDefault\":" << (e.used_default ? "true" : "false") << ",\"reason\":" << ToJson(Value(e.reason));
        List ann;
        for (const auto& a : e.annotations) {
            List row;
            for (const auto& s : a) row.push_back(Value(s));
            ann.push_back(Value::MakeList(row));
        }
        out << ",\"annotations\":" << ToJson(Value::MakeList(ann)) << "}";
    }
    out << "]";
    return out.str();
}

}  // namespace customsdesk::rules
