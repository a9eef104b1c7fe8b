#include "customsdesk/ruleset/ruleset_service.hpp"

#include <fmt/format.h>
#include <pugixml.hpp>

#include <algorithm>
#include <cmath>
#include <regex>

#include "customsdesk/core/json.hpp"
#include "customsdesk/rules/dmn_xml.hpp"
#include "customsdesk/rules/json_values.hpp"

namespace customsdesk::ruleset {
namespace {

using core::Error;
using core::Fail;
using core::Result;

// Evaluation bounds for API requests (tighter than the engine's defaults: a request must stay short).
constexpr std::int64_t kMaxEvalSteps = 2'000'000;

constexpr std::string_view kVersionColumns =
    "v.id, r.ruleset_key, v.version, v.state, v.comment, v.author_id, v.author_name, v.created_at, v.submitted_by, "
    "v.submitted_at, v.approved_by, v.approved_at, v.activated_by, v.activated_at, v.retired_by, v.retired_at, "
    "LENGTH(v.dmn)";
constexpr std::string_view kFindRuleset = "SELECT id FROM rulesets WHERE ruleset_key = $1";
constexpr std::string_view kInsertRuleset =
    "INSERT INTO rulesets (ruleset_key, name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id";
constexpr std::string_view kTouchRuleset = "UPDATE rulesets SET updated_at = $1 WHERE id = $2";
constexpr std::string_view kTouchRulesetByKey = "UPDATE rulesets SET updated_at = $1 WHERE ruleset_key = $2";
constexpr std::string_view kNextVersion = "SELECT COALESCE(MAX(version), 0) + 1 FROM ruleset_versions WHERE ruleset_id = $1";
constexpr std::string_view kInsertVersion =
    "INSERT INTO ruleset_versions (ruleset_id, version, state, dmn, comment, author_id, author_name, created_at) "
    "VALUES ($1, $2, 'draft', $3, $4, $5, $6, $7) RETURNING id";
constexpr std::string_view kListRulesets =
    "SELECT r.id, r.ruleset_key, r.name, r.created_at, r.updated_at, "
    "(SELECT MAX(version) FROM ruleset_versions WHERE ruleset_id = r.id), "
    "(SELECT version FROM ruleset_versions WHERE ruleset_id = r.id AND state = 'active') "
    "FROM rulesets r";
constexpr std::string_view kVersionDmn =
    "SELECT v.id, v.dmn FROM ruleset_versions v JOIN rulesets r ON r.id = v.ruleset_id "
    "WHERE r.ruleset_key = $1 AND v.version = $2";
constexpr std::string_view kActiveVersionNumber =
    "SELECT v.version FROM ruleset_versions v JOIN rulesets r ON r.id = v.ruleset_id "
    "WHERE r.ruleset_key = $1 AND v.state = 'active'";
constexpr std::string_view kActiveOfRuleset =
    "SELECT id, version FROM ruleset_versions WHERE ruleset_id = $1 AND state = 'active'";
constexpr std::string_view kTestColumns = "id, name, decision, inputs, expected, created_by, created_at";
constexpr std::string_view kCountTests = "SELECT COUNT(*) FROM ruleset_test_cases WHERE ruleset_id = $1";
constexpr std::string_view kInsertTest =
    "INSERT INTO ruleset_test_cases (ruleset_id, name, decision, inputs, expected, created_by, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
constexpr std::string_view kDeleteTest = "DELETE FROM ruleset_test_cases WHERE id = $1 AND ruleset_id = $2";

bool CanRead(const core::Principal& p) { return p.IsStaff(); }
bool CanMaintain(const core::Principal& p) {
    return p.IsStaff() && (p.Has(core::Role::kRiskAnalyst) || p.Has(core::Role::kAdmin));
}
Error ReadDenied() { return Error::PermissionDenied("Rule sets are for customs staff."); }
Error MaintainDenied() {
    return Error::PermissionDenied("Only risk analysts and administrators may change rule sets.");
}

std::optional<std::string> OptText(const storage::Row& r, std::size_t i) { return r.GetOptText(i); }
std::optional<core::Timestamp> OptTime(const storage::Row& r, std::size_t i) {
    if (r.IsNull(i)) return std::nullopt;
    return core::ParseTimestamp(r.GetText(i));
}
core::Timestamp Time(const storage::Row& r, std::size_t i) {
    return core::ParseTimestamp(r.GetText(i)).value_or(core::Timestamp{});
}

VersionInfo VersionFromRow(const storage::Row& r) {
    VersionInfo v;
    v.id = r.GetInt(0);
    v.key = r.GetText(1);
    v.version = r.GetInt(2);
    v.state = ParseState(r.GetText(3)).value_or(VersionState::kDraft);
    v.comment = r.GetText(4);
    v.author_id = r.GetOptInt(5);
    v.author = r.GetText(6);
    v.created_at = Time(r, 7);
    v.submitted_by = OptText(r, 8);
    v.submitted_at = OptTime(r, 9);
    v.approved_by = OptText(r, 10);
    v.approved_at = OptTime(r, 11);
    v.activated_by = OptText(r, 12);
    v.activated_at = OptTime(r, 13);
    v.retired_by = OptText(r, 14);
    v.retired_at = OptTime(r, 15);
    v.dmn_bytes = static_cast<std::size_t>(r.GetInt(16));
    return v;
}

TestCase TestFromRow(const storage::Row& r) {
    TestCase t;
    t.id = r.GetInt(0);
    t.name = r.GetText(1);
    t.decision = r.GetText(2);
    if (auto in = core::ParseJsonObject(r.GetText(3))) t.inputs = std::move(*in);
    if (auto ex = core::ParseJson(r.GetText(4))) t.expected = std::move(*ex);
    t.created_by = r.GetText(5);
    t.created_at = Time(r, 6);
    return t;
}

Result<void> CheckKey(std::string_view key) {
    const bool ok = !key.empty() && key.size() <= kMaxKeyLength && key.front() >= 'a' && key.front() <= 'z' &&
                    std::all_of(key.begin(), key.end(), [](char c) {
                        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                    });
    if (ok) return {};
    return Fail(Error::InvalidArgument(
        "The rule set key is invalid.",
        {{"/key", "format", "Use 1 to 64 lowercase letters, digits and '-', starting with a letter."}}));
}

Error RulesetNotFound(std::string_view key) {
    return Error::NotFound(fmt::format("There is no rule set '{}'.", key));
}
Error VersionNotFound(std::string_view key, std::int64_t version) {
    return Error::NotFound(fmt::format("Rule set '{}' has no version {}.", key, version));
}

Result<std::optional<std::int64_t>> FindRuleset(storage::Transaction& tx, std::string_view key) {
    auto row = tx.QueryOne(kFindRuleset, {std::string(key)});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<std::int64_t>{};
    return std::optional<std::int64_t>((*row)->GetInt(0));
}

Result<std::int64_t> RequireRuleset(storage::Transaction& tx, std::string_view key) {
    auto id = FindRuleset(tx, key);
    if (!id) return Fail(std::move(id.error()));
    if (!*id) return Fail(RulesetNotFound(key));
    return **id;
}

Result<VersionInfo> LoadVersion(storage::Transaction& tx, std::string_view key, std::int64_t version) {
    auto row = tx.QueryOne(fmt::format("SELECT {} FROM ruleset_versions v JOIN rulesets r ON r.id = v.ruleset_id "
                                       "WHERE r.ruleset_key = $1 AND v.version = $2",
                                       kVersionColumns),
                           {std::string(key), version});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return Fail(VersionNotFound(key, version));
    return VersionFromRow(**row);
}

Result<std::vector<TestCase>> LoadTests(storage::Transaction& tx, std::int64_t ruleset_id) {
    auto rows = tx.Query(
        fmt::format("SELECT {} FROM ruleset_test_cases WHERE ruleset_id = $1 ORDER BY name, id", kTestColumns),
        {ruleset_id});
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<TestCase> out;
    for (const auto& r : rows->rows) out.push_back(TestFromRow(r));
    return out;
}

// The record of a version as history sees it (the DMN text itself is not copied into history).
boost::json::object HistoryRecord(const VersionInfo& v) {
    auto o = ToJson(v);
    o.erase("decisions");
    o.erase("inputs");
    return o;
}


// ---- locating problems in the XML text ----

pugi::xml_node ChildNs(pugi::xml_node n, std::string_view local) {
    for (auto c : n.children()) {
        std::string_view name = c.name();
        const auto colon = name.find(':');
        if (colon != std::string_view::npos) name.remove_prefix(colon + 1);
        if (name == local) return c;
    }
    return {};
}

std::vector<pugi::xml_node> ChildrenNs(pugi::xml_node n, std::string_view local) {
    std::vector<pugi::xml_node> out;
    for (auto c : n.children()) {
        std::string_view name = c.name();
        const auto colon = name.find(':');
        if (colon != std::string_view::npos) name.remove_prefix(colon + 1);
        if (name == local) out.push_back(c);
    }
    return out;
}

// Finds the decision (or BKM) element named `owner` anywhere under the root.
pugi::xml_node FindOwner(pugi::xml_node root, std::string_view owner) {
    for (auto n : root.children()) {
        if (owner == n.attribute("name").value()) return n;
    }
    return {};
}

pugi::xml_node FindTable(pugi::xml_node n) {
    if (!n) return {};
    for (auto c : n.children()) {
        std::string_view name = c.name();
        const auto colon = name.find(':');
        if (colon != std::string_view::npos) name.remove_prefix(colon + 1);
        if (name == "decisionTable") return c;
        if (auto t = FindTable(c)) return t;
    }
    return {};
}

// The offset of the text of a `<text>` child (or of the element itself).
std::ptrdiff_t TextOffset(pugi::xml_node n) {
    if (!n) return -1;
    if (auto t = ChildNs(n, "text")) {
        if (auto pc = t.first_child(); pc && (pc.type() == pugi::node_pcdata || pc.type() == pugi::node_cdata)) {
            return pc.offset_debug();
        }
        return t.offset_debug();
    }
    return n.offset_debug();
}

struct Located {
    std::ptrdiff_t offset = -1;  // start of the FEEL text (or element) in the document
    bool is_text = false;        // offset points at the expression text itself
};

// Maps an engine error ("in 'Decision': rule 3, input 2: FEEL syntax error at line 1, column 4: ...")
// to the place in the XML document.
Located Locate(const pugi::xml_document& doc, const std::string& message) {
    const auto root = doc.document_element();
    static const std::regex kOwner(R"(in '([^']*)': (.*))");
    static const std::regex kRuleCell(R"(^rule (\d+), (input|output) (\d+):)");
    static const std::regex kInputExpr(R"(^input (\d+) \()");
    static const std::regex kHitPolicy(R"(unknown hit policy '([^']*)')");
    std::smatch m;
    if (std::regex_search(message, m, kHitPolicy)) {
        for (auto n : doc.select_nodes("//*[@hitPolicy]")) {
            if (m[1].str() == n.node().attribute("hitPolicy").value()) return {n.node().offset_debug(), false};
        }
        return {};
    }
    if (!std::regex_search(message, m, kOwner)) return {};
    const auto owner = FindOwner(root, m[1].str());
    if (!owner) return {};
    const std::string rest = m[2].str();
    const auto table = FindTable(owner);
    std::smatch cell;
    if (table && std::regex_search(rest, cell, kRuleCell)) {
        const auto rules = ChildrenNs(table, "rule");
        const auto r = std::stoul(cell[1].str());
        const auto c = std::stoul(cell[3].str());
        if (r >= 1 && r <= rules.size()) {
            const auto entries = ChildrenNs(rules[r - 1], cell[2].str() == "input" ? "inputEntry" : "outputEntry");
            if (c >= 1 && c <= entries.size()) return {TextOffset(entries[c - 1]), true};
            return {rules[r - 1].offset_debug(), false};
        }
    }
    if (table && std::regex_search(rest, cell, kInputExpr)) {
        const auto inputs = ChildrenNs(table, "input");
        const auto c = std::stoul(cell[1].str());
        if (c >= 1 && c <= inputs.size()) return {TextOffset(ChildNs(inputs[c - 1], "inputExpression")), true};
    }
    if (!table) {
        // A literal expression or other boxed expression: point at its first text.
        for (auto n : owner.select_nodes(".//*[local-name()='text']")) {
            if (auto pc = n.node().first_child()) return {pc.offset_debug(), true};
        }
    }
    return {owner.offset_debug(), false};
}

// "line L, column C" in the document for an engine error, adding the FEEL position inside the text.
std::string Where(std::string_view xml, const pugi::xml_document& doc, const std::string& message) {
    const auto loc = Locate(doc, message);
    if (loc.offset < 0) return {};
    auto [line, column] = LineColumn(xml, static_cast<std::size_t>(loc.offset));
    static const std::regex kFeelPos(R"(FEEL syntax error at line (\d+), column (\d+))");
    std::smatch m;
    if (loc.is_text && std::regex_search(message, m, kFeelPos)) {
        const int feel_line = std::stoi(m[1].str());
        const int feel_column = std::stoi(m[2].str());
        if (feel_line > 1) {
            line += feel_line - 1;
            column = feel_column;
        } else {
            column += feel_column - 1;
        }
    }
    return fmt::format("line {}, column {}", line, column);
}

Error InvalidDmn(std::string code, std::string detail) {
    return Error::InvalidArgument("The DMN document is not valid: " + detail, {{"/dmn", std::move(code), detail}})
        .WithType("invalid-dmn");
}

// Structural JSON equality where numbers compare by value (10 == 10.0).
bool JsonEquals(const boost::json::value& a, const boost::json::value& b) {
    if (a.is_number() && b.is_number()) {
        if (a.is_int64() && b.is_int64()) return a.get_int64() == b.get_int64();
        return a.to_number<double>() == b.to_number<double>();
    }
    if (a.kind() != b.kind()) return false;
    if (a.is_array()) {
        const auto& x = a.get_array();
        const auto& y = b.get_array();
        if (x.size() != y.size()) return false;
        for (std::size_t i = 0; i < x.size(); ++i)
            if (!JsonEquals(x[i], y[i])) return false;
        return true;
    }
    if (a.is_object()) {
        const auto& x = a.get_object();
        const auto& y = b.get_object();
        if (x.size() != y.size()) return false;
        for (const auto& kv : x) {
            const auto* other = y.if_contains(kv.key());
            if (other == nullptr || !JsonEquals(kv.value(), *other)) return false;
        }
        return true;
    }
    return a == b;
}

struct DecisionRun {
    rules::Value result;
    std::string explanation_json;
    std::vector<std::string> errors;
};

Result<DecisionRun> RunDecision(const rules::Model& model, const std::string& decision,
                                const boost::json::object& inputs, bool explain) {
    rules::Context context;
    for (const auto& kv : inputs) {
        std::string type;
        for (const auto& d : model.definitions().inputs)
            if (d.name == kv.key()) type = d.type_ref;
        context.Put(std::string(kv.key()), rules::FromJson(kv.value(), type));
    }
    rules::EvalLimits limits;
    limits.max_steps = kMaxEvalSteps;
    rules::EvalContext ctx(limits, model.type_resolver());
    std::vector<rules::DecisionExplanation> ex;
    auto r = model.Evaluate(decision, context, ctx, explain ? &ex : nullptr);
    if (!r) {
        return Fail(Error::InvalidArgument(r.error().message, {{"/decision", "unknown_decision", r.error().message}}));
    }
    DecisionRun run{std::move(*r), explain ? rules::ExplanationsToJson(ex) : "[]", ctx.errors()};
    return run;
}

TestCaseResult RunCase(const rules::Model& model, const TestCase& t) {
    TestCaseResult res;
    res.test = t;
    auto run = RunDecision(model, t.decision, t.inputs, false);
    if (!run) {
        res.actual_json = "null";
        res.errors.push_back(run.error().message);
        return res;
    }
    res.actual_json = rules::ToJson(run->result);
    res.errors = run->errors;
    auto actual = core::ParseJson(res.actual_json);
    res.passed = actual && JsonEquals(*actual, t.expected);
    return res;
}

std::string Quote(std::string_view s) { return boost::json::serialize(boost::json::value(boost::json::string(s))); }

std::string ErrorsJson(const std::vector<std::string>& errors) {
    boost::json::array a;
    for (const auto& e : errors) a.emplace_back(e);
    return boost::json::serialize(a);
}

}  // namespace

// ---- names ----

std::string_view StateName(VersionState s) {
    switch (s) {
        case VersionState::kDraft: return "draft";
        case VersionState::kInReview: return "in_review";
        case VersionState::kApproved: return "approved";
        case VersionState::kActive: return "active";
        case VersionState::kRetired: return "retired";
    }
    return "draft";
}

std::optional<VersionState> ParseState(std::string_view name) {
    for (auto s : {VersionState::kDraft, VersionState::kInReview, VersionState::kApproved, VersionState::kActive,
                   VersionState::kRetired}) {
        if (StateName(s) == name) return s;
    }
    return std::nullopt;
}

std::string_view TransitionName(Transition t) {
    switch (t) {
        case Transition::kSubmit: return "submit";
        case Transition::kReject: return "reject";
        case Transition::kApprove: return "approve";
        case Transition::kActivate: return "activate";
        case Transition::kRetire: return "retire";
    }
    return "submit";
}

std::pair<int, int> LineColumn(std::string_view text, std::size_t offset) {
    int line = 1;
    int column = 1;
    offset = std::min(offset, text.size());
    for (std::size_t i = 0; i < offset; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\n') {
            ++line;
            column = 1;
        } else if ((c & 0xC0) != 0x80) {  // count characters, not UTF-8 continuation bytes
            ++column;
        }
    }
    return {line, column};
}

// ---- JSON ----

boost::json::object ToJson(const RulesetSummary& r) {
    return {{"key", r.key},
            {"name", r.name},
            {"latest_version", r.latest_version},
            {"active_version", r.active_version ? boost::json::value(*r.active_version) : nullptr},
            {"created_at", core::FormatTimestamp(r.created_at)},
            {"updated_at", core::FormatTimestamp(r.updated_at)}};
}

boost::json::object ToJson(const VersionInfo& v) {
    auto ts = [](const std::optional<core::Timestamp>& t) {
        return t ? boost::json::value(core::FormatTimestamp(*t)) : boost::json::value(nullptr);
    };
    auto str = [](const std::optional<std::string>& s) { return s ? boost::json::value(*s) : nullptr; };
    boost::json::array decisions;
    for (const auto& d : v.decisions) {
        decisions.push_back({{"name", d.name}, {"type", d.type_ref}, {"decision_table", d.decision_table}});
    }
    boost::json::array inputs;
    for (const auto& i : v.inputs) inputs.push_back({{"name", i.name}, {"type", i.type_ref}});
    return {{"key", v.key},
            {"version", v.version},
            {"state", StateName(v.state)},
            {"comment", v.comment},
            {"author", v.author},
            {"created_at", core::FormatTimestamp(v.created_at)},
            {"submitted_by", str(v.submitted_by)},
            {"submitted_at", ts(v.submitted_at)},
            {"approved_by", str(v.approved_by)},
            {"approved_at", ts(v.approved_at)},
            {"activated_by", str(v.activated_by)},
            {"activated_at", ts(v.activated_at)},
            {"retired_by", str(v.retired_by)},
            {"retired_at", ts(v.retired_at)},
            {"dmn_bytes", v.dmn_bytes},
            {"decisions", decisions},
            {"inputs", inputs}};
}

boost::json::object ToJson(const TestCase& t) {
    return {{"id", t.id},
            {"name", t.name},
            {"decision", t.decision},
            {"inputs", t.inputs},
            {"expected", t.expected},
            {"created_by", t.created_by},
            {"created_at", core::FormatTimestamp(t.created_at)}};
}

std::string ToJsonText(const TestRun& run) {
    std::string out = fmt::format(R"({{"key":{},"version":{},"passed":{},"failed":{},"results":[)", Quote(run.key),
                                  run.version, run.passed, run.failed);
    for (std::size_t i = 0; i < run.results.size(); ++i) {
        const auto& r = run.results[i];
        if (i != 0) out += ',';
        out += fmt::format(R"({{"id":{},"name":{},"decision":{},"passed":{},"expected":{},"actual":{},"errors":{}}})",
                           r.test.id, Quote(r.test.name), Quote(r.test.decision), r.passed ? "true" : "false",
                           boost::json::serialize(r.test.expected), r.actual_json, ErrorsJson(r.errors));
    }
    out += "]}";
    return out;
}

std::string ToJsonText(const Evaluation& e) {
    return fmt::format(R"({{"key":{},"version":{},"state":{},"decision":{},"result":{},"explanation":{},"errors":{}}})",
                       Quote(e.key), e.version, Quote(StateName(e.state)), Quote(e.decision), e.result_json,
                       e.explanation_json, ErrorsJson(e.errors));
}

// ---- validation ----

Result<rules::Model> RulesetService::ValidateDmn(std::string_view xml) {
    if (xml.size() > kMaxDmnBytes) {
        return Fail(Error::InvalidArgument(
                        fmt::format("The DMN document is larger than {} bytes.", kMaxDmnBytes),
                        {{"/dmn", "too_large", fmt::format("At most {} bytes.", kMaxDmnBytes)}})
                        .WithType("dmn-too-large"));
    }
    if (xml.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        return Fail(InvalidDmn("required", "the document is empty."));
    }
    pugi::xml_document doc;
    const auto parsed = doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
    if (!parsed) {
        const auto [line, column] = LineColumn(xml, static_cast<std::size_t>(std::max<std::ptrdiff_t>(0, parsed.offset)));
        return Fail(InvalidDmn("malformed_xml", fmt::format("malformed XML at line {}, column {}: {}.", line, column,
                                                            parsed.description())));
    }
    auto defs = rules::ImportDmn(xml);
    if (!defs) {
        const auto where = Where(xml, doc, defs.error().message);
        return Fail(InvalidDmn("invalid_dmn", where.empty() ? defs.error().message
                                                            : fmt::format("{} ({})", defs.error().message, where)));
    }
    if (defs->decisions.empty()) return Fail(InvalidDmn("no_decision", "the document has no decision."));
    auto model = rules::Model::Compile(std::move(*defs));
    if (!model) {
        const auto& msg = model.error().message;
        const auto where = Where(xml, doc, msg);
        const bool feel = msg.find("FEEL syntax error") != std::string::npos;
        return Fail(InvalidDmn(feel ? "feel_syntax" : "invalid_dmn",
                               where.empty() ? msg : fmt::format("{} (in the document: {})", msg, where)));
    }
    return model;
}

namespace {

void Describe(const rules::Model& model, VersionInfo& v) {
    const auto& defs = model.definitions();
    for (const auto& d : defs.decisions) {
        v.decisions.push_back({d.name, d.type_ref, model.DecisionTableOf(d.name) != nullptr});
    }
    for (const auto& i : defs.inputs) v.inputs.push_back({i.name, i.type_ref});
}

}  // namespace

// ---- service ----

RulesetService::RulesetService(storage::Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}

Result<std::shared_ptr<const rules::Model>> RulesetService::ModelOf(std::int64_t version_id, const std::string& dmn) {
    {
        std::lock_guard lock(cache_mutex_);
        if (auto it = cache_.find(version_id); it != cache_.end()) return it->second;
    }
    auto model = ValidateDmn(dmn);
    if (!model) return Fail(Error::Internal("a stored DMN version no longer compiles: " + model.error().message));
    auto shared = std::make_shared<const rules::Model>(std::move(*model));
    std::lock_guard lock(cache_mutex_);
    if (cache_.size() >= kModelCacheSize) cache_.clear();
    cache_.emplace(version_id, shared);
    return shared;
}

Result<VersionInfo> RulesetService::Upload(const core::Principal& actor, std::string_view key, std::string_view dmn,
                                           const std::optional<std::string>& name, const std::string& comment) {
    if (!CanMaintain(actor)) return Fail(MaintainDenied());
    core::FieldErrors errs;
    if (auto k = CheckKey(key); !k) errs.Append(k.error().fields);
    if (name && (name->empty() || name->size() > kMaxNameLength)) {
        errs.Add("/name", "length", fmt::format("1 to {} characters.", kMaxNameLength));
    }
    if (comment.size() > kMaxCommentLength) {
        errs.Add("/comment", "length", fmt::format("At most {} characters.", kMaxCommentLength));
    }
    auto model = ValidateDmn(dmn);
    if (!model) errs.Append(model.error().fields);
    if (!errs.empty()) {
        auto e = Error::InvalidArgument(model ? "The upload has invalid fields." : model.error().message, errs.errors());
        if (!model) e.type = model.error().type;
        return Fail(std::move(e));
    }
    std::string display = name.value_or(model->definitions().name);
    if (display.empty()) display = std::string(key);
    if (display.size() > kMaxNameLength) display.resize(kMaxNameLength);
    const auto now = clock_.Now();
    const auto now_text = core::FormatTimestamp(now);
    auto stored = storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<VersionInfo> {
        auto existing = FindRuleset(tx, key);
        if (!existing) return Fail(std::move(existing.error()));
        std::int64_t ruleset_id = 0;
        if (*existing) {
            ruleset_id = **existing;
            if (auto t = tx.Execute(kTouchRuleset, {now_text, ruleset_id}); !t) return Fail(std::move(t.error()));
        } else {
            auto row = tx.QueryOne(kInsertRuleset, {std::string(key), display, now_text});
            if (!row) return Fail(std::move(row.error()));
            ruleset_id = (*row)->GetInt(0);
        }
        auto next = tx.QueryOne(kNextVersion, {ruleset_id});
        if (!next) return Fail(std::move(next.error()));
        const std::int64_t version = (*next)->GetInt(0);
        auto row = tx.QueryOne(kInsertVersion, {ruleset_id, version, std::string(dmn), comment,
                                                actor.user.valid() ? storage::Param(actor.user.value()) : storage::Null(),
                                                actor.username, now_text});
        if (!row) return Fail(std::move(row.error()));
        VersionInfo v;
        v.id = (*row)->GetInt(0);
        v.key = std::string(key);
        v.version = version;
        v.comment = comment;
        if (actor.user.valid()) v.author_id = actor.user.value();
        v.author = actor.username;
        v.created_at = now;
        v.dmn_bytes = dmn.size();
        history::ChangeRecord rec{"ruleset_version", v.id, std::nullopt, history::ChangeAction::kCreate,
                                  history::AllFields(HistoryRecord(v), false)};
        if (auto h = history::RecordChange(tx, actor, now, rec); !h) return Fail(std::move(h.error()));
        return v;
    });
    if (!stored) {
        if (stored.error().code == core::ErrorCode::kAlreadyExists) {
            return Fail(Error::Conflict("Another upload to this rule set happened at the same time; try again.")
                            .WithType("concurrent-upload"));
        }
        return stored;
    }
    Describe(*model, *stored);
    std::lock_guard lock(cache_mutex_);
    if (cache_.size() >= kModelCacheSize) cache_.clear();
    cache_.emplace(stored->id, std::make_shared<const rules::Model>(std::move(*model)));
    return stored;
}

Result<std::vector<RulesetSummary>> RulesetService::List(const core::Principal& actor) {
    if (!CanRead(actor)) return Fail(ReadDenied());
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<std::vector<RulesetSummary>> {
        auto rows = tx.Query(std::string(kListRulesets) + " ORDER BY r.ruleset_key");
        if (!rows) return Fail(std::move(rows.error()));
        std::vector<RulesetSummary> out;
        for (const auto& r : rows->rows) {
            out.push_back({r.GetInt(0), r.GetText(1), r.GetText(2), Time(r, 3), Time(r, 4), r.GetInt(5),
                           r.GetOptInt(6)});
        }
        return out;
    });
}

Result<RulesetSummary> RulesetService::Get(const core::Principal& actor, std::string_view key) {
    if (!CanRead(actor)) return Fail(ReadDenied());
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<RulesetSummary> {
        auto row = tx.QueryOne(std::string(kListRulesets) + " WHERE r.ruleset_key = $1", {std::string(key)});
        if (!row) return Fail(std::move(row.error()));
        if (!*row) return Fail(RulesetNotFound(key));
        const auto& r = **row;
        return RulesetSummary{r.GetInt(0), r.GetText(1), r.GetText(2), Time(r, 3), Time(r, 4), r.GetInt(5),
                              r.GetOptInt(6)};
    });
}

Result<std::vector<VersionInfo>> RulesetService::Versions(const core::Principal& actor, std::string_view key) {
    if (!CanRead(actor)) return Fail(ReadDenied());
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<std::vector<VersionInfo>> {
        auto id = RequireRuleset(tx, key);
        if (!id) return Fail(std::move(id.error()));
        auto rows = tx.Query(fmt::format("SELECT {} FROM ruleset_versions v JOIN rulesets r ON r.id = v.ruleset_id "
                                         "WHERE v.ruleset_id = $1 ORDER BY v.version DESC",
                                         kVersionColumns),
                             {*id});
        if (!rows) return Fail(std::move(rows.error()));
        std::vector<VersionInfo> out;
        for (const auto& r : rows->rows) out.push_back(VersionFromRow(r));
        return out;
    });
}

Result<VersionInfo> RulesetService::GetVersion(const core::Principal& actor, std::string_view key,
                                               std::int64_t version) {
    if (!CanRead(actor)) return Fail(ReadDenied());
    auto loaded = storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<std::pair<VersionInfo, std::string>> {
        auto v = LoadVersion(tx, key, version);
        if (!v) return Fail(std::move(v.error()));
        auto dmn = tx.QueryOne(kVersionDmn, {std::string(key), version});
        if (!dmn) return Fail(std::move(dmn.error()));
        return std::make_pair(std::move(*v), (*dmn) ? (*dmn)->GetText(1) : std::string());
    });
    if (!loaded) return Fail(std::move(loaded.error()));
    auto model = ModelOf(loaded->first.id, loaded->second);
    if (!model) return Fail(std::move(model.error()));
    Describe(**model, loaded->first);
    return std::move(loaded->first);
}

Result<std::string> RulesetService::GetDmn(const core::Principal& actor, std::string_view key, std::int64_t version) {
    if (!CanRead(actor)) return Fail(ReadDenied());
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<std::string> {
        auto row = tx.QueryOne(kVersionDmn, {std::string(key), version});
        if (!row) return Fail(std::move(row.error()));
        if (!*row) return Fail(VersionNotFound(key, version));
        return (*row)->GetText(1);
    });
}

Result<VersionInfo> RulesetService::Apply(const core::Principal& actor, std::string_view key, std::int64_t version,
                                          Transition transition) {
    if (!CanMaintain(actor)) return Fail(MaintainDenied());
    const auto now = clock_.Now();
    const auto now_text = core::FormatTimestamp(now);
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<VersionInfo> {
        auto current = LoadVersion(tx, key, version);
        if (!current) return Fail(std::move(current.error()));
        const VersionState from = current->state;
        std::vector<VersionState> allowed_from;
        VersionState to = from;
        std::string set;  // columns to set besides the state
        switch (transition) {
            case Transition::kSubmit:
                allowed_from = {VersionState::kDraft};
                to = VersionState::kInReview;
                set = "submitted_by = $4, submitted_at = $5";
                break;
            case Transition::kReject:
                allowed_from = {VersionState::kInReview};
                to = VersionState::kDraft;
                set = "submitted_by = NULL, submitted_at = NULL";
                break;
            case Transition::kApprove:
                allowed_from = {VersionState::kInReview};
                to = VersionState::kApproved;
                set = "approved_by = $4, approved_at = $5";
                break;
            case Transition::kActivate:
                allowed_from = {VersionState::kApproved};
                to = VersionState::kActive;
                set = "activated_by = $4, activated_at = $5";
                break;
            case Transition::kRetire:
                allowed_from = {VersionState::kDraft, VersionState::kInReview, VersionState::kApproved,
                                VersionState::kActive};
                to = VersionState::kRetired;
                set = "retired_by = $4, retired_at = $5";
                break;
        }
        if (std::find(allowed_from.begin(), allowed_from.end(), from) == allowed_from.end()) {
            std::string froms;
            for (auto s : allowed_from) froms += (froms.empty() ? "" : ", ") + std::string(StateName(s));
            return Fail(Error::Conflict(fmt::format("Version {} of '{}' is {}; '{}' needs a version that is {}.",
                                                    version, key, StateName(from), TransitionName(transition), froms))
                            .WithType("illegal-transition"));
        }
        if (transition == Transition::kApprove) {
            // Four eyes: someone other than the author approves.
            const bool same_user = (current->author_id && actor.user.valid() && *current->author_id == actor.user.value()) ||
                                   current->author == actor.username;
            if (same_user) {
                return Fail(Error::PermissionDenied(fmt::format(
                                "You wrote version {} of '{}'; another risk analyst or administrator must approve it.",
                                version, key))
                                .WithType("four-eyes"));
            }
            auto ruleset_id = RequireRuleset(tx, key);
            if (!ruleset_id) return Fail(std::move(ruleset_id.error()));
            auto tests = LoadTests(tx, *ruleset_id);
            if (!tests) return Fail(std::move(tests.error()));
            if (tests->empty()) {
                return Fail(Error::Conflict(fmt::format("Rule set '{}' has no saved test cases; add at least one "
                                                        "before approval.",
                                                        key))
                                .WithType("no-test-cases"));
            }
            auto dmn = tx.QueryOne(kVersionDmn, {std::string(key), version});
            if (!dmn) return Fail(std::move(dmn.error()));
            auto model = ModelOf(current->id, (*dmn)->GetText(1));
            if (!model) return Fail(std::move(model.error()));
            std::vector<core::FieldError> failures;
            for (const auto& t : *tests) {
                auto r = RunCase(**model, t);
                if (r.passed) continue;
                failures.push_back({fmt::format("/tests/{}", t.id), "failed",
                                    fmt::format("Test case '{}' expected {} but got {}{}", t.name,
                                                boost::json::serialize(t.expected), r.actual_json,
                                                r.errors.empty() ? "" : " (" + r.errors.front() + ")")});
            }
            if (!failures.empty()) {
                Error e = Error::Conflict(fmt::format("{} of {} saved test cases fail on version {}; approval refused.",
                                                      failures.size(), tests->size(), version))
                              .WithType("test-cases-failed");
                e.fields = std::move(failures);
                return Fail(std::move(e));
            }
        }
        const auto before = HistoryRecord(*current);
        if (transition == Transition::kActivate) {
            // Retire the currently active version first (at most one active per rule set).
            auto ruleset_id = RequireRuleset(tx, key);
            if (!ruleset_id) return Fail(std::move(ruleset_id.error()));
            auto active = tx.QueryOne(kActiveOfRuleset, {*ruleset_id});
            if (!active) return Fail(std::move(active.error()));
            if (*active) {
                auto old = LoadVersion(tx, key, (*active)->GetInt(1));
                if (!old) return Fail(std::move(old.error()));
                const auto old_before = HistoryRecord(*old);
                auto n = tx.Execute("UPDATE ruleset_versions SET state = 'retired', retired_by = $1, retired_at = $2 "
                                    "WHERE id = $3 AND state = 'active'",
                                    {actor.username, now_text, old->id});
                if (!n) return Fail(std::move(n.error()));
                old->state = VersionState::kRetired;
                old->retired_by = actor.username;
                old->retired_at = now;
                history::ChangeRecord rec{"ruleset_version", old->id, std::nullopt, history::ChangeAction::kUpdate,
                                          history::Diff(old_before, HistoryRecord(*old))};
                if (auto h = history::RecordChange(tx, actor, now, rec); !h) return Fail(std::move(h.error()));
            }
        }
        std::vector<storage::Param> params{std::string(StateName(to)), current->id, std::string(StateName(from))};
        if (set.find("$4") != std::string::npos) {
            params.emplace_back(actor.username);
            params.emplace_back(now_text);
        }
        const std::string full =
            fmt::format("UPDATE ruleset_versions SET state = $1, {} WHERE id = $2 AND state = $3", set);
        auto n = tx.Execute(full, params);
        if (!n) return Fail(std::move(n.error()));
        if (*n != 1) {
            return Fail(Error::Conflict("The version changed meanwhile; reload and try again.")
                            .WithType("illegal-transition"));
        }
        if (auto t = tx.Execute(kTouchRulesetByKey, {now_text, std::string(key)}); !t) return Fail(std::move(t.error()));
        current->state = to;
        switch (transition) {
            case Transition::kSubmit:
                current->submitted_by = actor.username;
                current->submitted_at = now;
                break;
            case Transition::kReject:
                current->submitted_by.reset();
                current->submitted_at.reset();
                break;
            case Transition::kApprove:
                current->approved_by = actor.username;
                current->approved_at = now;
                break;
            case Transition::kActivate:
                current->activated_by = actor.username;
                current->activated_at = now;
                break;
            case Transition::kRetire:
                current->retired_by = actor.username;
                current->retired_at = now;
                break;
        }
        history::ChangeRecord rec{"ruleset_version", current->id, std::nullopt, history::ChangeAction::kUpdate,
                                  history::Diff(before, HistoryRecord(*current))};
        if (auto h = history::RecordChange(tx, actor, now, rec); !h) return Fail(std::move(h.error()));
        return std::move(*current);
    });
}

Result<history::ChangePage> RulesetService::History(const core::Principal& actor, std::string_view key,
                                                    std::int64_t version, std::int64_t before_id, int limit) {
    if (!CanRead(actor)) return Fail(ReadDenied());
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<history::ChangePage> {
        auto v = LoadVersion(tx, key, version);
        if (!v) return Fail(std::move(v.error()));
        return history::ListChanges(tx, "ruleset_version", v->id, before_id, limit);
    });
}

Result<std::vector<TestCase>> RulesetService::ListTests(const core::Principal& actor, std::string_view key) {
    if (!CanRead(actor)) return Fail(ReadDenied());
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<std::vector<TestCase>> {
        auto id = RequireRuleset(tx, key);
        if (!id) return Fail(std::move(id.error()));
        return LoadTests(tx, *id);
    });
}

Result<TestCase> RulesetService::AddTest(const core::Principal& actor, std::string_view key,
                                         const boost::json::object& body) {
    if (!CanMaintain(actor)) return Fail(MaintainDenied());
    core::FieldErrors errs;
    core::ObjectReader r(body, errs);
    TestCase t;
    t.name = r.String("name", true, kMaxNameLength).value_or("");
    t.decision = r.String("decision", true, kMaxNameLength).value_or("");
    if (const auto* in = r.Object("inputs", true)) {
        t.inputs = *in;
        if (boost::json::serialize(*in).size() > kMaxTestCaseJsonBytes) {
            errs.Add("/inputs", "too_large", fmt::format("At most {} bytes of JSON.", kMaxTestCaseJsonBytes));
        }
    }
    if (const auto* ex = body.if_contains("expected")) {
        t.expected = *ex;
        if (boost::json::serialize(*ex).size() > kMaxTestCaseJsonBytes) {
            errs.Add("/expected", "too_large", fmt::format("At most {} bytes of JSON.", kMaxTestCaseJsonBytes));
        }
    } else {
        errs.Add("/expected", "required", "The expected result is required (any JSON value, null included).");
    }
    if (t.name.empty() && !r.Has("name")) {
        // already reported as required
    } else if (t.name.empty()) {
        errs.Add("/name", "required", "A name is required.");
    }
    r.RejectUnknown({"name", "decision", "inputs", "expected"});
    if (auto ok = errs.ToResult(); !ok) return Fail(std::move(ok.error()));
    const auto now = clock_.Now();
    t.created_by = actor.username;
    t.created_at = now;
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<TestCase> {
        auto id = RequireRuleset(tx, key);
        if (!id) return Fail(std::move(id.error()));
        auto count = tx.QueryOne(kCountTests, {*id});
        if (!count) return Fail(std::move(count.error()));
        if (static_cast<std::size_t>((*count)->GetInt(0)) >= kMaxTestCases) {
            return Fail(Error::Conflict(fmt::format("A rule set has at most {} test cases.", kMaxTestCases))
                            .WithType("too-many-test-cases"));
        }
        auto row = tx.QueryOne(kInsertTest, {*id, t.name, t.decision, boost::json::serialize(t.inputs),
                                             boost::json::serialize(t.expected), t.created_by,
                                             core::FormatTimestamp(now)});
        if (!row) {
            if (row.error().code == core::ErrorCode::kAlreadyExists) {
                return Fail(Error::AlreadyExists("A test case with this name exists in the rule set.",
                                                 {{"/name", "duplicate", "Choose another name."}})
                                .WithType("duplicate-test-case"));
            }
            return Fail(std::move(row.error()));
        }
        t.id = (*row)->GetInt(0);
        auto record = ToJson(t);
        record["ruleset"] = std::string(key);
        history::ChangeRecord rec{"ruleset_test_case", t.id, std::nullopt, history::ChangeAction::kCreate,
                                  history::AllFields(record, false, {"id", "created_at", "created_by"})};
        if (auto h = history::RecordChange(tx, actor, now, rec); !h) return Fail(std::move(h.error()));
        return t;
    });
}

Result<void> RulesetService::DeleteTest(const core::Principal& actor, std::string_view key, std::int64_t test_id) {
    if (!CanMaintain(actor)) return Fail(MaintainDenied());
    const auto now = clock_.Now();
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<void> {
        auto id = RequireRuleset(tx, key);
        if (!id) return Fail(std::move(id.error()));
        auto row = tx.QueryOne(
            fmt::format("SELECT {} FROM ruleset_test_cases WHERE id = $1 AND ruleset_id = $2", kTestColumns),
            {test_id, *id});
        if (!row) return Fail(std::move(row.error()));
        if (!*row) return Fail(Error::NotFound(fmt::format("Rule set '{}' has no test case {}.", key, test_id)));
        auto record = ToJson(TestFromRow(**row));
        record["ruleset"] = std::string(key);
        if (auto n = tx.Execute(kDeleteTest, {test_id, *id}); !n) return Fail(std::move(n.error()));
        history::ChangeRecord rec{"ruleset_test_case", test_id, std::nullopt, history::ChangeAction::kDelete,
                                  history::AllFields(record, true, {"id", "created_at", "created_by"})};
        return history::RecordChange(tx, actor, now, rec);
    });
}

Result<TestRun> RulesetService::RunTests(const core::Principal& actor, std::string_view key, std::int64_t version) {
    if (!CanRead(actor)) return Fail(ReadDenied());
    struct Loaded {
        std::int64_t version_id = 0;
        std::string dmn;
        std::vector<TestCase> tests;
    };
    auto loaded = storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<Loaded> {
        auto id = RequireRuleset(tx, key);
        if (!id) return Fail(std::move(id.error()));
        auto row = tx.QueryOne(kVersionDmn, {std::string(key), version});
        if (!row) return Fail(std::move(row.error()));
        if (!*row) return Fail(VersionNotFound(key, version));
        auto tests = LoadTests(tx, *id);
        if (!tests) return Fail(std::move(tests.error()));
        return Loaded{(*row)->GetInt(0), (*row)->GetText(1), std::move(*tests)};
    });
    if (!loaded) return Fail(std::move(loaded.error()));
    auto model = ModelOf(loaded->version_id, loaded->dmn);
    if (!model) return Fail(std::move(model.error()));
    TestRun run;
    run.key = std::string(key);
    run.version = version;
    for (const auto& t : loaded->tests) {
        run.results.push_back(RunCase(**model, t));
        (run.results.back().passed ? run.passed : run.failed) += 1;
    }
    return run;
}

Result<Evaluation> RulesetService::Evaluate(const core::Principal& actor, std::string_view key,
                                            std::optional<std::int64_t> version, const boost::json::object& body) {
    if (!CanRead(actor)) return Fail(ReadDenied());
    core::FieldErrors errs;
    core::ObjectReader r(body, errs);
    auto decision = r.String("decision", false, kMaxNameLength);
    const boost::json::object* inputs = r.Object("inputs", true);
    r.RejectUnknown({"decision", "inputs"});
    if (auto ok = errs.ToResult(); !ok) return Fail(std::move(ok.error()));
    struct Loaded {
        std::int64_t number = 0;
        std::int64_t version_id = 0;
        VersionState state = VersionState::kDraft;
        std::string dmn;
    };
    auto loaded = storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<Loaded> {
        auto id = RequireRuleset(tx, key);
        if (!id) return Fail(std::move(id.error()));
        std::int64_t number = 0;
        if (version) {
            number = *version;
        } else {
            auto active = tx.QueryOne(kActiveVersionNumber, {std::string(key)});
            if (!active) return Fail(std::move(active.error()));
            if (!*active) {
                return Fail(Error::FailedPrecondition(fmt::format("Rule set '{}' has no active version; name one "
                                                                  "with ?version=N.",
                                                                  key))
                                .WithType("no-active-version"));
            }
            number = (*active)->GetInt(0);
        }
        auto v = LoadVersion(tx, key, number);
        if (!v) return Fail(std::move(v.error()));
        auto row = tx.QueryOne(kVersionDmn, {std::string(key), number});
        if (!row) return Fail(std::move(row.error()));
        return Loaded{number, v->id, v->state, (*row)->GetText(1)};
    });
    if (!loaded) return Fail(std::move(loaded.error()));
    auto model = ModelOf(loaded->version_id, loaded->dmn);
    if (!model) return Fail(std::move(model.error()));
    const auto& decisions = (*model)->definitions().decisions;
    if (!decision) {
        if (decisions.size() != 1) {
            return Fail(Error::InvalidArgument("Name the decision to evaluate.",
                                               {{"/decision", "required", "The model has several decisions."}}));
        }
        decision = decisions.front().name;
    }
    auto run = RunDecision(**model, *decision, *inputs, true);
    if (!run) return Fail(std::move(run.error()));
    Evaluation e;
    e.key = std::string(key);
    e.version = loaded->number;
    e.state = loaded->state;
    e.decision = *decision;
    e.result_json = rules::ToJson(run->result);
    e.explanation_json = std::move(run->explanation_json);
    e.errors = std::move(run->errors);
    return e;
}

Result<std::optional<RulesetService::ActiveModel>> RulesetService::ActiveModelOf(std::string_view key) {
    struct Loaded {
        std::int64_t id = 0;
        std::int64_t number = 0;
        std::string dmn;
    };
    auto loaded = storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<std::optional<Loaded>> {
        auto row = tx.QueryOne(
            "SELECT v.id, v.version, v.dmn FROM ruleset_versions v JOIN rulesets r ON r.id = v.ruleset_id "
            "WHERE r.ruleset_key = $1 AND v.state = 'active'",
            {std::string(key)});
        if (!row) return Fail(std::move(row.error()));
        if (!*row) return std::optional<Loaded>();
        return std::optional<Loaded>(Loaded{(*row)->GetInt(0), (*row)->GetInt(1), (*row)->GetText(2)});
    });
    if (!loaded) return Fail(std::move(loaded.error()));
    if (!*loaded) return std::optional<ActiveModel>();
    auto model = ModelOf((*loaded)->id, (*loaded)->dmn);
    if (!model) return Fail(std::move(model.error()));
    return std::optional<ActiveModel>(ActiveModel{(*loaded)->number, std::move(*model)});
}

Result<std::optional<RulesetService::ActiveModel>> RulesetService::ActiveModelOf(storage::Transaction& tx,
                                                                                  std::string_view key) {
    auto row = tx.QueryOne(
        "SELECT v.id, v.version, v.dmn FROM ruleset_versions v JOIN rulesets r ON r.id = v.ruleset_id "
        "WHERE r.ruleset_key = $1 AND v.state = 'active'",
        {std::string(key)});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<ActiveModel>{};
    const std::int64_t version_id = (*row)->GetInt(0);
    {
        std::lock_guard lock(cache_mutex_);
        if (auto it = cache_.find(version_id); it != cache_.end()) {
            return std::optional<ActiveModel>(ActiveModel{(*row)->GetInt(1), it->second});
        }
    }
    auto model = ModelOf(version_id, (*row)->GetText(2));
    if (!model) return Fail(std::move(model.error()));
    return std::optional<ActiveModel>(ActiveModel{(*row)->GetInt(1), std::move(*model)});
}

Result<bool> RulesetService::InstallDefault(std::string_view key, std::string_view name, std::string_view dmn,
                                            const std::vector<TestCase>& tests) {
    if (auto k = CheckKey(key); !k) return Fail(std::move(k.error()));
    auto model = ValidateDmn(dmn);
    if (!model) return Fail(std::move(model.error()));
    const core::Principal system = core::Principal::System();
    const auto now = clock_.Now();
    const auto now_text = core::FormatTimestamp(now);
    auto installed = storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<bool> {
        auto existing = FindRuleset(tx, key);
        if (!existing) return Fail(std::move(existing.error()));
        if (*existing) return false;
        auto rs = tx.QueryOne(kInsertRuleset, {std::string(key), std::string(name), now_text});
        if (!rs) return Fail(std::move(rs.error()));
        const std::int64_t ruleset_id = (*rs)->GetInt(0);
        auto row = tx.QueryOne(
            "INSERT INTO ruleset_versions (ruleset_id, version, state, dmn, comment, author_id, author_name, "
            "created_at, submitted_by, submitted_at, approved_by, approved_at, activated_by, activated_at) "
            "VALUES ($1, 1, 'active', $2, 'shipped default', NULL, $3, $4, $3, $4, $3, $4, $3, $4) RETURNING id",
            {ruleset_id, std::string(dmn), system.username, now_text});
        if (!row) return Fail(std::move(row.error()));
        VersionInfo v;
        v.id = (*row)->GetInt(0);
        v.key = std::string(key);
        v.version = 1;
        v.state = VersionState::kActive;
        v.comment = "shipped default";
        v.author = system.username;
        v.created_at = now;
        v.submitted_by = v.approved_by = v.activated_by = system.username;
        v.submitted_at = v.approved_at = v.activated_at = now;
        v.dmn_bytes = dmn.size();
        history::ChangeRecord rec{"ruleset_version", v.id, std::nullopt, history::ChangeAction::kCreate,
                                  history::AllFields(HistoryRecord(v), false)};
        if (auto h = history::RecordChange(tx, system, now, rec); !h) return Fail(std::move(h.error()));
        for (const auto& t : tests) {
            auto tr = tx.QueryOne(kInsertTest, {ruleset_id, t.name, t.decision, boost::json::serialize(t.inputs),
                                                boost::json::serialize(t.expected), system.username, now_text});
            if (!tr) return Fail(std::move(tr.error()));
            boost::json::object rec_json{{"name", t.name}, {"decision", t.decision}, {"inputs", t.inputs},
                                         {"expected", t.expected}};
            history::ChangeRecord trec{"ruleset_test_case", (*tr)->GetInt(0), std::nullopt,
                                       history::ChangeAction::kCreate, history::AllFields(rec_json, false)};
            if (auto h = history::RecordChange(tx, system, now, trec); !h) return Fail(std::move(h.error()));
        }
        return true;
    });
    // Another process installed it at the same time: that is the same outcome.
    if (!installed && installed.error().code == core::ErrorCode::kAlreadyExists) return false;
    return installed;
}

}  // namespace customsdesk::ruleset
