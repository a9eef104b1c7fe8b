#include "customsdesk/selectivity/profile.hpp"

#include <algorithm>
#include <array>
#include <chrono>

#include <fmt/format.h>

#include "customsdesk/core/json.hpp"
#include "customsdesk/rules/dmn_xml.hpp"

namespace customsdesk::selectivity {
namespace {

using rules::Value;

// Attribute indexes; the order of kAttributes below.
enum Attr : std::uint8_t {
    kDeclarationType,
    kOffice,
    kDispatchCountry,
    kOriginCountry,
    kDestinationCountry,
    kTotalValue,
    kTransportMode,
    kRoute,
    kLocation,
    kCustomerGroup,
    kAeo,
    kAeoType,
    kControls,
    kFindings,
    kFindingRate,
    kDeclarationCount,
    kFirstTimeTrader,
    kTraderAgeDays,
    kDaysSinceLastFinding,
    kFirstItemAttr,
    kCommodityCode = kFirstItemAttr,
    kCommodityHeading,
    kCommodityChapter,
    kItemOrigin,
    kItemValue,
    kNetMass,
    kValuePerKg,
    kAttrCount
};

constexpr AttributeInfo kAttributes[kAttrCount] = {
    {"declarationType", "string", false, "Declaration type: \"H1\", \"H7\" or \"B1\" (export)"},
    {"office", "string", false, "Customs office of lodgement (reference number)"},
    {"dispatchCountry", "string", false, "Country of dispatch (ISO 3166-1 alpha-2)"},
    {"originCountry", "string", false, "Country of origin at declaration level"},
    {"destinationCountry", "string", false, "Country of destination"},
    {"totalValue", "number", false, "Total value of the declaration, EUR"},
    {"transportMode", "number", false, "Transport mode at the border (UCC code 1-9)"},
    {"route", "string", false, "Itinerary, countries joined by '-', e.g. \"CN-KZ-RU-FI\""},
    {"location", "string", false, "Location of goods (UN/LOCODE)"},
    {"customerGroup", "string", false, "Trader's customer group: \"partnership\", \"key\", \"small\" (null: none)"},
    {"aeo", "boolean", false, "Trader holds an AEO authorisation"},
    {"aeoType", "string", false, "\"AEOC\", \"AEOS\", \"AEOF\" or \"none\""},
    {"controls", "number", false, "Controls of the trader's declarations so far"},
    {"findings", "number", false, "Non-compliant control outcomes so far"},
    {"findingRate", "number", false, "findings / controls (null when never controlled)"},
    {"declarationCount", "number", false, "Declarations assessed before this one"},
    {"firstTimeTrader", "boolean", false, "No declaration assessed before this one"},
    {"traderAgeDays", "number", false, "Days since the trader's first declaration (null: first)"},
    {"daysSinceLastFinding", "number", false, "Days since the last finding (null: none)"},
    {"commodityCode", "string", true, "Commodity code of the item (digits)"},
    {"commodityHeading", "string", true, "HS heading: first 4 digits of the commodity code"},
    {"commodityChapter", "string", true, "HS chapter: first 2 digits of the commodity code"},
    {"itemOrigin", "string", true, "Country of origin of the item (else the declaration's)"},
    {"itemValue", "number", true, "Item value, EUR"},
    {"netMass", "number", true, "Net mass of the item, kg"},
    {"valuePerKg", "number", true, "itemValue / netMass, EUR per kg (null without a positive mass)"},
};

std::optional<std::uint8_t> FindAttribute(std::string_view name) {
    for (std::uint8_t i = 0; i < kAttrCount; ++i)
        if (kAttributes[i].name == name) return i;
    return std::nullopt;
}

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

Value Str(const std::optional<std::string>& s) { return s ? Value(*s) : Value(); }
Value Num(std::int64_t v) { return Value::Number(v); }

std::int64_t DaysBetween(core::Timestamp from, core::Timestamp to) {
    return std::chrono::duration_cast<std::chrono::days>(to - from).count();
}

}  // namespace

struct ProfileSet::Table {
    std::string key;
    std::int64_t version = 0;
    std::string decision;
    const rules::CompiledTable* table = nullptr;
    bool item_level = false;
    bool single_hit = false;                  // UNIQUE or FIRST: one deciding rule
    std::vector<std::uint8_t> slot_attr;      // slot -> attribute
    std::vector<std::uint8_t> column_attr;    // input column -> attribute
    std::vector<Lane> rule_lane;
    std::vector<std::string> rule_id;
    std::vector<std::string> rule_annotation;
    std::vector<std::vector<std::uint8_t>> rule_columns;  // columns whose entry is not "-"
};

std::string_view LaneName(Lane lane) {
    switch (lane) {
        case Lane::kGreen: return "green";
        case Lane::kBlue: return "blue";
        case Lane::kYellow: return "yellow";
        case Lane::kRed: return "red";
    }
    return "green";
}

std::optional<Lane> ParseLane(std::string_view name) {
    if (name == "green") return Lane::kGreen;
    if (name == "blue") return Lane::kBlue;
    if (name == "yellow") return Lane::kYellow;
    if (name == "red") return Lane::kRed;
    return std::nullopt;
}

std::string_view DecisionSourceName(DecisionSource s) {
    switch (s) {
        case DecisionSource::kRules: return "rules";
        case DecisionSource::kRandomSample: return "random_sample";
        case DecisionSource::kNoHit: return "no_hit";
    }
    return "no_hit";
}

bool IsProfileKey(std::string_view key) {
    return key.size() > kProfileKeyPrefix.size() && key.starts_with(kProfileKeyPrefix);
}

std::span<const AttributeInfo> Attributes() { return {kAttributes, kAttrCount}; }

// ---- sampler ---------------------------------------------------------------------------------

std::uint64_t SplitMix64(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

std::uint64_t Fnv1a64(std::string_view bytes) {
    std::uint64_t h = 0xCBF29CE484222325ull;
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 0x100000001B3ull;
    }
    return h;
}

SampleDraw DrawSample(const SampleRates& rates, std::string_view identity) {
    const std::uint64_t h = SplitMix64(SplitMix64(rates.key ^ Fnv1a64(identity)));
    SampleDraw draw;
    draw.red_ppm = rates.red_ppm;
    draw.yellow_ppm = rates.yellow_ppm;
    draw.value = static_cast<std::uint32_t>((static_cast<rules::UInt128>(h) * kPpm) >> 64);
    if (draw.value < rates.red_ppm) draw.lane = Lane::kRed;
    else if (draw.value < static_cast<std::uint64_t>(rates.red_ppm) + rates.yellow_ppm) draw.lane = Lane::kYellow;
    return draw;
}

// ---- compilation -----------------------------------------------------------------------------

ProfileSet::ProfileSet() = default;
ProfileSet::~ProfileSet() = default;
ProfileSet::ProfileSet(ProfileSet&&) noexcept = default;
ProfileSet& ProfileSet::operator=(ProfileSet&&) noexcept = default;

namespace {

struct CompiledProfile {
    std::shared_ptr<const rules::Model> model;
    std::vector<std::unique_ptr<ProfileSet::Table>> tables;
    ProfileSummary summary;
};

core::Result<CompiledProfile> CompileProfile(const ProfileSource& src) {
    auto defs = rules::ImportDmn(src.dmn);
    if (!defs) return core::Fail(std::move(defs.error()));
    auto model = rules::Model::Compile(std::move(*defs));
    if (!model) return core::Fail(std::move(model.error()));
    CompiledProfile out;
    out.model = std::make_shared<const rules::Model>(std::move(*model));
    out.summary.key = src.key;
    out.summary.version = src.version;
    out.summary.name = src.name.empty() ? out.model->definitions().name : src.name;
    for (const auto& decision : out.model->definitions().decisions) {
        if (!decision.expression || decision.expression->kind != rules::ExpressionKind::kDecisionTable) continue;
        const rules::CompiledTable* compiled = out.model->DecisionTableOf(decision.name);
        if (compiled == nullptr) continue;
        const rules::DecisionTable& dt = compiled->source();
        auto t = std::make_unique<ProfileSet::Table>();
        t->key = src.key;
        t->version = src.version;
        t->decision = decision.name;
        t->table = compiled;
        t->single_hit = dt.hit_policy == rules::HitPolicy::kUnique || dt.hit_policy == rules::HitPolicy::kFirst;
        for (std::size_t c = 0; c < dt.inputs.size(); ++c) {
            auto attr = FindAttribute(Trim(dt.inputs[c].expression));
            if (!attr) {
                return core::Fail(core::Error::InvalidArgument(fmt::format(
                    "decision '{}', input {}: '{}' is not a selectivity attribute (see GET "
                    "/api/v1/selectivity/attributes)",
                    decision.name, c + 1, Trim(dt.inputs[c].expression))));
            }
            t->column_attr.push_back(*attr);
            if (*attr >= kFirstItemAttr) t->item_level = true;
        }
        for (const auto& name : compiled->slot_names()) {
            auto attr = FindAttribute(name);
            if (!attr) {
                return core::Fail(core::Error::InvalidArgument(
                    fmt::format("decision '{}': '{}' is not a selectivity attribute", decision.name, name)));
            }
            t->slot_attr.push_back(*attr);
        }
        std::optional<std::size_t> lane_output;
        for (std::size_t o = 0; o < dt.outputs.size(); ++o)
            if (dt.outputs[o].name == "lane") lane_output = o;
        if (!lane_output && dt.outputs.size() == 1) lane_output = 0;
        if (!lane_output) {
            return core::Fail(core::Error::InvalidArgument(
                fmt::format("decision '{}' has no output named 'lane'", decision.name)));
        }
        for (std::size_t r = 0; r < dt.rules.size(); ++r) {
            const auto& rule = dt.rules[r];
            std::string_view text =
                *lane_output < rule.output_entries.size() ? Trim(rule.output_entries[*lane_output]) : "";
            std::optional<Lane> lane;
            if (text.size() >= 2 && text.front() == '"' && text.back() == '"')
                lane = ParseLane(text.substr(1, text.size() - 2));
            if (!lane) {
                return core::Fail(core::Error::InvalidArgument(fmt::format(
                    "decision '{}', rule {}: the lane must be one of \"red\", \"yellow\", \"blue\", \"green\", not '{}'",
                    decision.name, r + 1, text)));
            }
            t->rule_lane.push_back(*lane);
            t->rule_id.push_back(rule.id);
            std::string annotation = rule.description;
            if (annotation.empty()) {
                for (const auto& a : rule.annotations) {
                    if (Trim(a).empty()) continue;
                    if (!annotation.empty()) annotation += "; ";
                    annotation += Trim(a);
                }
            }
            t->rule_annotation.push_back(std::move(annotation));
            std::vector<std::uint8_t> cols;
            for (std::size_t c = 0; c < rule.input_entries.size() && c < t->column_attr.size(); ++c) {
                auto e = Trim(rule.input_entries[c]);
                if (!e.empty() && e != "-") cols.push_back(static_cast<std::uint8_t>(c));
            }
            t->rule_columns.push_back(std::move(cols));
        }
        out.summary.decisions.push_back(decision.name);
        out.summary.rules += dt.rules.size();
        out.summary.item_level = out.summary.item_level || t->item_level;
        out.tables.push_back(std::move(t));
    }
    if (out.tables.empty()) {
        return core::Fail(core::Error::InvalidArgument("the model has no decision table"));
    }
    return out;
}

}  // namespace

ProfileSet ProfileSet::Compile(const std::vector<ProfileSource>& sources) {
    ProfileSet set;
    for (const auto& src : sources) {
        auto p = CompileProfile(src);
        if (!p) {
            set.rejected_.push_back({src.key, src.version, p.error().message});
            continue;
        }
        set.models_.push_back(p->model);
        for (auto& t : p->tables) set.tables_.push_back(std::move(t));
        set.summaries_.push_back(std::move(p->summary));
        set.version_ids_.push_back(src.version_id);
    }
    std::sort(set.version_ids_.begin(), set.version_ids_.end());
    // Declaration-level tables first, then item-level ones (evaluation walks them in this order).
    std::stable_partition(set.tables_.begin(), set.tables_.end(), [](const auto& t) { return !t->item_level; });
    return set;
}

core::Result<void> ProfileSet::Check(std::string_view dmn) {
    ProfileSource src;
    src.key = "check";
    src.dmn = std::string(dmn);
    auto p = CompileProfile(src);
    if (!p) return core::Fail(std::move(p.error()));
    return {};
}

std::vector<ProfileSummary> ProfileSet::Summaries() const { return summaries_; }

// ---- evaluation ------------------------------------------------------------------------------

namespace {

using Values = std::array<Value, kAttrCount>;

void FillDeclaration(const Subject& s, Values& v) {
    v[kDeclarationType] = Value(s.declaration_type);
    v[kOffice] = Str(s.office);
    v[kDispatchCountry] = Str(s.dispatch_country);
    v[kOriginCountry] = Str(s.origin_country);
    v[kDestinationCountry] = Str(s.destination_country);
    v[kTotalValue] = Value::FromOptional(s.total_value);
    v[kTransportMode] = s.transport_mode ? Num(*s.transport_mode) : Value();
    v[kRoute] = Str(s.route);
    v[kLocation] = Str(s.location);
    const TraderAttributes& t = s.trader;
    v[kCustomerGroup] = Str(t.customer_group);
    v[kAeo] = Value(t.aeo_type.has_value());
    v[kAeoType] = Value(t.aeo_type ? *t.aeo_type : std::string("none"));
    v[kControls] = Num(t.controls);
    v[kFindings] = Num(t.findings);
    if (t.controls > 0) {
        v[kFindingRate] = Value::FromOptional(
            rules::Decimal::Div(rules::Decimal::FromInt(t.findings), rules::Decimal::FromInt(t.controls)));
    } else {
        v[kFindingRate] = Value();
    }
    v[kDeclarationCount] = Num(t.declaration_count);
    v[kFirstTimeTrader] = Value(t.declaration_count == 0);
    v[kTraderAgeDays] = t.first_declaration_at ? Num(DaysBetween(*t.first_declaration_at, s.assessed_at)) : Value();
    v[kDaysSinceLastFinding] = t.last_finding_at ? Num(DaysBetween(*t.last_finding_at, s.assessed_at)) : Value();
}

void FillItem(const Subject& s, const ItemAttributes& item, Values& v) {
    const std::string& code = item.commodity_code;
    v[kCommodityCode] = Value(code);
    v[kCommodityHeading] = code.size() >= 4 ? Value(code.substr(0, 4)) : Value();
    v[kCommodityChapter] = code.size() >= 2 ? Value(code.substr(0, 2)) : Value();
    v[kItemOrigin] = item.origin ? Value(*item.origin) : Str(s.origin_country);
    v[kItemValue] = Value::FromOptional(item.value);
    v[kNetMass] = Value::FromOptional(item.net_mass);
    if (item.value && item.net_mass && !item.net_mass->IsZero() && !item.net_mass->IsNegative()) {
        v[kValuePerKg] = Value::FromOptional(rules::Decimal::Div(*item.value, *item.net_mass));
    } else {
        v[kValuePerKg] = Value();
    }
}

void AddHit(const ProfileSet::Table& t, std::size_t rule, const Values& values, std::optional<std::size_t> item,
            Decision& d) {
    Hit h;
    h.profile_key = t.key;
    h.profile_version = t.version;
    h.decision = t.decision;
    h.rule_number = rule + 1;
    h.rule_id = t.rule_id[rule];
    h.annotation = t.rule_annotation[rule];
    h.lane = t.rule_lane[rule];
    h.item = item;
    for (std::uint8_t c : t.rule_columns[rule]) {
        const std::uint8_t a = t.column_attr[c];
        h.matched_inputs.emplace_back(std::string(kAttributes[a].name),
                                      values[a].IsNull() ? std::string("null") : rules::ToFeelString(values[a]));
    }
    d.hits.push_back(std::move(h));
}

void MatchTable(const ProfileSet::Table& t, const Values& values, std::optional<std::size_t> item, Decision& d) {
    std::array<const Value*, rules::kMaxColumns> ptrs;
    const std::size_t n = t.slot_attr.size();
    for (std::size_t s = 0; s < n; ++s) ptrs[s] = &values[t.slot_attr[s]];
    rules::SlotMatch m;
    t.table->MatchSlotPointers(std::span<const Value* const>(ptrs.data(), n), m);
    switch (m.status) {
        case rules::MatchStatus::kNoMatch: return;
        case rules::MatchStatus::kOk:
            if (m.decided_rule >= 0) {
                AddHit(t, static_cast<std::size_t>(m.decided_rule), values, item, d);
                return;
            }
            [[fallthrough]];
        case rules::MatchStatus::kHitPolicyViolation:
            if (m.status == rules::MatchStatus::kHitPolicyViolation) {
                d.errors.push_back(fmt::format("{} v{} '{}': UNIQUE table matched several rules; all of them count",
                                               t.key, t.version, t.decision));
            }
            for (std::size_t r = 0; r < t.table->rule_count(); ++r)
                if (m.matched.Test(r)) AddHit(t, r, values, item, d);
            return;
        case rules::MatchStatus::kNeedsFullEvaluation: {
            std::vector<Value> slots(n);
            for (std::size_t s = 0; s < n; ++s) slots[s] = *ptrs[s];
            rules::EvalContext ctx;
            rules::Explanation ex;
            (void)t.table->EvaluateSlots(slots, ctx, &ex);
            for (const auto& e : ctx.errors()) d.errors.push_back(fmt::format("{} v{} '{}': {}", t.key, t.version, t.decision, e));
            const auto& chosen = t.single_hit ? ex.decisive_rules : ex.matched_rules;
            for (std::size_t r : chosen) AddHit(t, r, values, item, d);
            return;
        }
    }
}

}  // namespace

Decision ProfileSet::Evaluate(const Subject& subject, const SampleRates& rates) const {
    Decision d;
    Values values;
    FillDeclaration(subject, values);
    auto first_item_table = std::find_if(tables_.begin(), tables_.end(), [](const auto& t) { return t->item_level; });
    for (auto it = tables_.begin(); it != first_item_table; ++it) MatchTable(**it, values, std::nullopt, d);
    if (first_item_table != tables_.end()) {
        for (std::size_t i = 0; i < subject.items.size(); ++i) {
            FillItem(subject, subject.items[i], values);
            for (auto it = first_item_table; it != tables_.end(); ++it) MatchTable(**it, values, i, d);
        }
    }
    Lane rule_lane = Lane::kGreen;
    for (const auto& h : d.hits) rule_lane = Stricter(rule_lane, h.lane);
    d.rule_lane = rule_lane;
    d.lane = rule_lane;
    d.source = d.hits.empty() ? DecisionSource::kNoHit : DecisionSource::kRules;
    d.sample = DrawSample(rates, subject.identity);
    if (d.sample.lane && *d.sample.lane > rule_lane) {
        d.lane = *d.sample.lane;
        d.source = DecisionSource::kRandomSample;
    } else {
        for (auto& h : d.hits) h.decisive = h.lane == rule_lane;
    }
    return d;
}


// Written by hand rather than through boost::json: it is on the assessment path and this is about
// twice as fast. The shape is documented in docs/selectivity.md and checked by the tests.
std::string Decision::ExplanationJson() const {
    std::string o;
    o.reserve(256 + hits.size() * 256);
    o += "{\"lane\":\"";
    o += LaneName(lane);
    o += "\",\"ruleLane\":\"";
    o += LaneName(rule_lane);
    o += "\",\"source\":\"";
    o += DecisionSourceName(source);
    o += "\",\"reason\":";
    if (source == DecisionSource::kRandomSample) {
        core::AppendJsonString(o, fmt::format("random sample: drawn to {} control", LaneName(lane)));
    } else if (source == DecisionSource::kNoHit) {
        core::AppendJsonString(o, "no risk profile rule fired");
    } else {
        core::AppendJsonString(o, fmt::format("strictest lane of the profile rules that fired: {}", LaneName(rule_lane)));
    }
    o += fmt::format(",\"sample\":{{\"drawPpm\":{},\"redPpm\":{},\"yellowPpm\":{},\"lane\":", sample.value,
                     sample.red_ppm, sample.yellow_ppm);
    if (sample.lane) {
        o += '"';
        o += LaneName(*sample.lane);
        o += '"';
    } else {
        o += "null";
    }
    o += "},\"hits\":[";
    for (std::size_t i = 0; i < hits.size(); ++i) {
        const Hit& h = hits[i];
        if (i > 0) o += ',';
        o += "{\"profile\":";
        core::AppendJsonString(o, h.profile_key);
        o += fmt::format(",\"version\":{},\"decision\":", h.profile_version);
        core::AppendJsonString(o, h.decision);
        o += fmt::format(",\"rule\":{},\"ruleId\":", h.rule_number);
        core::AppendJsonString(o, h.rule_id);
        o += ",\"annotation\":";
        core::AppendJsonString(o, h.annotation);
        o += ",\"lane\":\"";
        o += LaneName(h.lane);
        o += "\",\"item\":";
        o += h.item ? std::to_string(*h.item) : std::string("null");
        o += ",\"inputs\":{";
        for (std::size_t k = 0; k < h.matched_inputs.size(); ++k) {
            if (k > 0) o += ',';
            core::AppendJsonString(o, h.matched_inputs[k].first);
            o += ':';
            core::AppendJsonString(o, h.matched_inputs[k].second);
        }
        o += "},\"decisive\":";
        o += h.decisive ? "true" : "false";
        o += '}';
    }
    o += "],\"errors\":[";
    for (std::size_t i = 0; i < errors.size(); ++i) {
        if (i > 0) o += ',';
        core::AppendJsonString(o, errors[i]);
    }
    o += "]}";
    return o;
}

}  // namespace customsdesk::selectivity
