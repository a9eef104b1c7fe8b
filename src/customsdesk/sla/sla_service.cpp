#include "customsdesk/sla/sla_service.hpp"

#include <algorithm>
#include <atomic>

#include <fmt/format.h>

#include "customsdesk/core/json.hpp"
#include "customsdesk/history/change_history.hpp"
#include "customsdesk/sla/json_forms.hpp"

namespace customsdesk::sla {

namespace {

using core::Error;
using core::Fail;
using core::Result;
using storage::Param;

constexpr std::string_view kCalendarColumns =
    "id, name, time_zone, holiday_rule_set, weekly_hours, extra_holidays, closures, version, created_at, updated_at";
constexpr std::string_view kPolicyColumns =
    "id, name, customer_group, request_type, priority, calendar_id, first_response_minutes, next_response_minutes, "
    "resolution_minutes, warning_kind, warning_value, escalations, version, created_at, updated_at";

constexpr std::string_view kInsertCalendar =
    "INSERT INTO sla_calendars (name, time_zone, holiday_rule_set, weekly_hours, extra_holidays, closures, "
    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id";
constexpr std::string_view kUpdateCalendar =
    "UPDATE sla_calendars SET name = $2, time_zone = $3, holiday_rule_set = $4, weekly_hours = $5, "
    "extra_holidays = $6, closures = $7, updated_at = $8, version = version + 1 WHERE id = $1 AND version = $9";
constexpr std::string_view kInsertPolicy =
    "INSERT INTO sla_policies (name, customer_group, request_type, priority, calendar_id, first_response_minutes, "
    "next_response_minutes, resolution_minutes, warning_kind, warning_value, escalations, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id";
constexpr std::string_view kUpdatePolicy =
    "UPDATE sla_policies SET name = $2, customer_group = $3, request_type = $4, priority = $5, calendar_id = $6, "
    "first_response_minutes = $7, next_response_minutes = $8, resolution_minutes = $9, warning_kind = $10, "
    "warning_value = $11, escalations = $12, updated_at = $13, version = version + 1 WHERE id = $1 AND version = $14";
constexpr std::string_view kSelectorTaken =
    "SELECT id FROM sla_policies WHERE COALESCE(customer_group, '*') = $1 AND COALESCE(request_type, '*') = $2 "
    "AND COALESCE(priority, '*') = $3 AND id <> $4";
constexpr std::string_view kMatchingPolicies =
    "SELECT {} FROM sla_policies WHERE (customer_group IS NULL OR customer_group = $1) "
    "AND (request_type IS NULL OR request_type = $2) AND (priority IS NULL OR priority = $3)";

const std::vector<std::string> kHistoryIgnore{"id", "version", "created_at", "updated_at"};
constexpr std::string_view kCalendarEditable[] = {"name", "time_zone", "holiday_rule_set", "weekly_hours",
                                                  "extra_holidays", "closures"};
constexpr std::string_view kPolicyEditable[] = {"name", "customer_group", "request_type", "priority", "calendar_id",
                                                "first_response_minutes", "next_response_minutes",
                                                "resolution_minutes", "warning", "escalations"};
constexpr std::string_view kEscalationOn[] = {"warning", "breach"};
constexpr std::string_view kEscalationMetric[] = {"first_response", "next_response", "resolution", "any"};
constexpr std::string_view kEscalationAction[] = {"notify", "raise_priority", "move_tier", "move_group"};

template <std::size_t N>
bool OneOf(std::string_view v, const std::string_view (&list)[N]) {
    return std::find(std::begin(list), std::end(list), v) != std::end(list);
}

// Bumped after every committed change of a calendar or policy in this process, so a PolicyCache
// reloads at its next use even when the database stamp could not tell (see PolicyCache).
std::atomic<std::uint64_t> g_generation{0};

template <class R>
R Changed(R result) {
    if (result) g_generation.fetch_add(1, std::memory_order_acq_rel);
    return result;
}

template <std::size_t N>
std::string Listed(const std::string_view (&list)[N]) {
    std::string out;
    for (auto v : list) out += (out.empty() ? "" : ", ") + std::string(v);
    return out;
}

Result<void> CheckRead(const core::Principal& p) {
    if (!p.IsStaff() || p.organisation) return Fail(Error::PermissionDenied("SLA settings are for staff only."));
    return {};
}

Result<void> CheckWrite(const core::Principal& p) {
    if (auto ok = CheckRead(p); !ok) return ok;
    if (!p.Has(core::Role::kAdmin)) return Fail(Error::PermissionDenied("Only administrators change SLA settings."));
    return {};
}

core::Timestamp ParseTs(const std::string& text) { return core::ParseTimestamp(text).value_or(core::Timestamp{}); }

bool IsSlug(std::string_view s) {
    if (s.empty() || s.size() > kMaxSelectorLength) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
    return true;
}

// ---- calendars ----

struct CalendarInput {
    std::string name;
    CalendarSpec spec;
};

// Reads a full calendar JSON form (create body, or current form with a patch applied).
Result<CalendarInput> ReadCalendar(const boost::json::object& body) {
    core::FieldErrors errors;
    core::ObjectReader r(body, errors);
    CalendarInput in;
    in.name = r.String("name", true, kMaxNameLength).value_or("");
    if (r.Has("name") && in.name.empty() && !r.IsNull("name") && body.at("name").is_string())
        errors.Add("/name", "required", "A name is required.");
    in.spec.time_zone = r.String("time_zone", true, 100).value_or("");
    in.spec.holiday_rule_set = r.String("holiday_rule_set", false, 16).value_or("");
    if (const auto* v = body.if_contains("weekly_hours"))
        in.spec.weekly_hours = WeeklyHoursFromJson(*v, errors, "/weekly_hours");
    else
        errors.Add("/weekly_hours", "required", "Weekly opening hours are required.");
    if (const auto* v = body.if_contains("extra_holidays"); v != nullptr && !v->is_null())
        in.spec.extra_holidays = DatesFromJson(*v, errors, "/extra_holidays");
    if (const auto* v = body.if_contains("closures"); v != nullptr && !v->is_null())
        in.spec.closures = ClosuresFromJson(*v, errors, "/closures");
    r.RejectUnknown({"name", "time_zone", "holiday_rule_set", "weekly_hours", "extra_holidays", "closures"});
    if (auto ok = ValidateCalendarSpec(in.spec); !ok) {
        // Add the rule violations that are not about a member already reported as malformed.
        const auto reported = errors.errors();
        for (const auto& f : ok.error().fields) {
            const bool related = std::any_of(reported.begin(), reported.end(), [&](const core::FieldError& r) {
                return r.pointer.starts_with(f.pointer) || f.pointer.starts_with(r.pointer);
            });
            if (!related) errors.Add(f.pointer, f.code, f.message);
        }
    }
    if (auto ok = errors.ToResult("The calendar has invalid fields."); !ok) return Fail(ok.error());
    return in;
}

boost::json::object EditableCalendarJson(const CalendarRecord& c) {
    auto o = ToJson(c);
    for (const auto& k : kHistoryIgnore) o.erase(k);
    return o;
}

Result<CalendarRecord> CalendarFromRow(const storage::Row& row) {
    CalendarRecord c;
    c.id = CalendarId(row.GetInt(0));
    c.name = row.GetText(1);
    boost::json::object form{{"name", c.name},
                             {"time_zone", row.GetText(2)},
                             {"holiday_rule_set", row.GetText(3)}};
    for (std::size_t i = 4; i <= 6; ++i) {
        auto v = core::ParseJson(row.GetText(i));
        if (!v) return Fail(Error::Internal(fmt::format("sla_calendars {} holds malformed JSON", c.id.value())));
        form[i == 4 ? "weekly_hours" : i == 5 ? "extra_holidays" : "closures"] = std::move(*v);
    }
    core::FieldErrors errors;
    c.spec.time_zone = row.GetText(2);
    c.spec.holiday_rule_set = row.GetText(3);
    c.spec.weekly_hours = WeeklyHoursFromJson(form["weekly_hours"], errors, "/weekly_hours");
    c.spec.extra_holidays = DatesFromJson(form["extra_holidays"], errors, "/extra_holidays");
    c.spec.closures = ClosuresFromJson(form["closures"], errors, "/closures");
    if (!errors.empty())
        return Fail(Error::Internal(fmt::format("sla_calendars {} holds an invalid calendar", c.id.value())));
    c.version = row.GetInt(7);
    c.created_at = ParseTs(row.GetText(8));
    c.updated_at = ParseTs(row.GetText(9));
    return c;
}

Result<std::optional<CalendarRecord>> FindCalendar(storage::Transaction& tx, CalendarId id) {
    auto row = tx.QueryOne(fmt::format("SELECT {} FROM sla_calendars WHERE id = $1", kCalendarColumns),
                           {Param(id.value())});
    if (!row) return Fail(row.error());
    if (!*row) return std::optional<CalendarRecord>{};
    auto c = CalendarFromRow(**row);
    if (!c) return Fail(c.error());
    return std::optional<CalendarRecord>{std::move(*c)};
}

Result<void> CheckCalendarName(storage::Transaction& tx, const std::string& name, std::int64_t except_id) {
    auto taken = tx.QueryOne("SELECT id FROM sla_calendars WHERE name = $1 AND id <> $2", {name, except_id});
    if (!taken) return Fail(taken.error());
    if (*taken)
        return Fail(Error::AlreadyExists("A calendar with this name exists.",
                                         {{"/name", "duplicate", "Another calendar has this name."}}));
    return {};
}

std::vector<Param> CalendarParams(const CalendarInput& in) {
    return {in.name,
            in.spec.time_zone,
            in.spec.holiday_rule_set,
            boost::json::serialize(WeeklyHoursToJson(in.spec.weekly_hours)),
            boost::json::serialize(DatesToJson(in.spec.extra_holidays)),
            boost::json::serialize(ClosuresToJson(in.spec.closures))};
}

// ---- policies ----

struct PolicyInput {
    std::string name;
    std::optional<std::string> customer_group, request_type, priority;
    CalendarId calendar_id;
    SlaTargets targets;
    std::vector<Escalation> escalations;
};

std::vector<Escalation> EscalationsFromJson(const boost::json::value& v, core::FieldErrors& errors) {
    std::vector<Escalation> out;
    if (!v.is_array()) {
        errors.Add("/escalations", "type", "Expected an array of {on, metric, action, target}.");
        return out;
    }
    const auto& arr = v.as_array();
    if (arr.size() > kMaxEscalations) {
        errors.Add("/escalations", "too_many", fmt::format("At most {} escalations.", kMaxEscalations));
        return out;
    }
    for (std::size_t i = 0; i < arr.size(); ++i) {
        const std::string p = fmt::format("/escalations/{}", i);
        if (!arr[i].is_object()) {
            errors.Add(p, "type", "Expected {\"on\", \"metric\", \"action\", \"target\"}.");
            continue;
        }
        core::ObjectReader r(arr[i].as_object(), errors, p);
        Escalation e;
        e.on = r.String("on", true, 32).value_or("");
        e.metric = r.String("metric", false, 32).value_or("any");
        e.action = r.String("action", true, 32).value_or("");
        e.target = r.String("target", false, 100).value_or("");
        r.RejectUnknown({"on", "metric", "action", "target"});
        if (r.Has("on") && !e.on.empty() && !OneOf(e.on, kEscalationOn))
            errors.Add(p + "/on", "invalid", "Expected one of: " + Listed(kEscalationOn) + ".");
        if (!OneOf(e.metric, kEscalationMetric))
            errors.Add(p + "/metric", "invalid", "Expected one of: " + Listed(kEscalationMetric) + ".");
        if (r.Has("action") && !e.action.empty() && !OneOf(e.action, kEscalationAction))
            errors.Add(p + "/action", "invalid", "Expected one of: " + Listed(kEscalationAction) + ".");
        if ((e.action == "move_tier" || e.action == "move_group") && e.target.empty())
            errors.Add(p + "/target", "required", "Moving needs a target tier or group.");
        out.push_back(std::move(e));
    }
    return out;
}

boost::json::array EscalationsToJson(const std::vector<Escalation>& list) {
    boost::json::array out;
    for (const auto& e : list)
        out.push_back({{"on", e.on}, {"metric", e.metric}, {"action", e.action}, {"target", e.target}});
    return out;
}

std::optional<std::int64_t> OptionalMinutes(core::ObjectReader& r, const boost::json::object& body,
                                            std::string_view key) {
    if (!body.contains(key) || body.at(key).is_null()) return std::nullopt;
    return r.Int(key);
}

Result<PolicyInput> ReadPolicy(storage::Transaction& tx, const boost::json::object& body) {
    core::FieldErrors errors;
    core::ObjectReader r(body, errors);
    PolicyInput in;
    in.name = r.String("name", true, kMaxNameLength).value_or("");
    in.customer_group = r.String("customer_group", false, 32);
    if (in.customer_group && !OneOf(*in.customer_group, kCustomerGroups))
        errors.Add("/customer_group", "invalid", "Expected partnership, key, small, or null for any.");
    in.request_type = r.String("request_type", false, kMaxSelectorLength);
    if (in.request_type && !IsSlug(*in.request_type))
        errors.Add("/request_type", "format", "A request type key: a-z, 0-9, '_' or '-' (or null for any).");
    in.priority = r.String("priority", false, kMaxSelectorLength);
    if (in.priority && !IsSlug(*in.priority))
        errors.Add("/priority", "format", "A priority key: a-z, 0-9, '_' or '-' (or null for any).");
    auto calendar = r.Int("calendar_id", true);
    in.targets.first_response_minutes = OptionalMinutes(r, body, "first_response_minutes");
    in.targets.next_response_minutes = OptionalMinutes(r, body, "next_response_minutes");
    in.targets.resolution_minutes = OptionalMinutes(r, body, "resolution_minutes");
    if (const auto* w = body.if_contains("warning"); w != nullptr && !w->is_null()) {
        if (auto parsed = WarningFromJson(*w, errors, "/warning")) in.targets.warning = *parsed;
    }
    if (const auto* e = body.if_contains("escalations"); e != nullptr && !e->is_null())
        in.escalations = EscalationsFromJson(*e, errors);
    r.RejectUnknown({"name", "customer_group", "request_type", "priority", "calendar_id", "first_response_minutes",
                     "next_response_minutes", "resolution_minutes", "warning", "escalations"});
    if (auto ok = ValidateTargets(in.targets); !ok) errors.Append(ok.error().fields);
    if (calendar) {
        in.calendar_id = CalendarId(*calendar);
        auto exists = tx.QueryOne("SELECT id FROM sla_calendars WHERE id = $1", {*calendar});
        if (!exists) return Fail(exists.error());
        if (!*exists) errors.Add("/calendar_id", "not_found", "There is no calendar with this id.");
    }
    if (auto ok = errors.ToResult("The policy has invalid fields."); !ok) return Fail(ok.error());
    return in;
}

Result<PolicyRecord> PolicyFromRow(const storage::Row& row) {
    PolicyRecord p;
    p.id = PolicyId(row.GetInt(0));
    p.name = row.GetText(1);
    p.customer_group = row.GetOptText(2);
    p.request_type = row.GetOptText(3);
    p.priority = row.GetOptText(4);
    p.calendar_id = CalendarId(row.GetInt(5));
    p.targets.first_response_minutes = row.GetOptInt(6);
    p.targets.next_response_minutes = row.GetOptInt(7);
    p.targets.resolution_minutes = row.GetOptInt(8);
    auto kind = ParseWarningKind(row.GetText(9));
    if (!kind) return Fail(Error::Internal(fmt::format("sla_policies {} has an unknown warning kind", p.id.value())));
    p.targets.warning = {*kind, row.GetInt(10)};
    auto esc = core::ParseJson(row.GetText(11));
    core::FieldErrors errors;
    if (esc) p.escalations = EscalationsFromJson(*esc, errors);
    if (!esc || !errors.empty())
        return Fail(Error::Internal(fmt::format("sla_policies {} holds invalid escalations", p.id.value())));
    p.version = row.GetInt(12);
    p.created_at = ParseTs(row.GetText(13));
    p.updated_at = ParseTs(row.GetText(14));
    return p;
}

Result<std::optional<PolicyRecord>> FindPolicy(storage::Transaction& tx, PolicyId id) {
    auto row =
        tx.QueryOne(fmt::format("SELECT {} FROM sla_policies WHERE id = $1", kPolicyColumns), {Param(id.value())});
    if (!row) return Fail(row.error());
    if (!*row) return std::optional<PolicyRecord>{};
    auto p = PolicyFromRow(**row);
    if (!p) return Fail(p.error());
    return std::optional<PolicyRecord>{std::move(*p)};
}

Result<void> CheckPolicyUnique(storage::Transaction& tx, const PolicyInput& in, std::int64_t except_id) {
    auto name = tx.QueryOne("SELECT id FROM sla_policies WHERE name = $1 AND id <> $2", {in.name, except_id});
    if (!name) return Fail(name.error());
    if (*name)
        return Fail(Error::AlreadyExists("A policy with this name exists.",
                                         {{"/name", "duplicate", "Another policy has this name."}}));
    auto sel = tx.QueryOne(kSelectorTaken, {in.customer_group.value_or("*"), in.request_type.value_or("*"),
                                            in.priority.value_or("*"), except_id});
    if (!sel) return Fail(sel.error());
    if (*sel)
        return Fail(Error::AlreadyExists(
            fmt::format("Policy {} already applies to this customer group, request type and priority.",
                        (**sel).GetInt(0)),
            {{"/customer_group", "duplicate_selector",
              "Another policy has the same customer group, request type and priority."}}));
    return {};
}

std::vector<Param> PolicyParams(const PolicyInput& in) {
    return {in.name,
            storage::Opt(in.customer_group),
            storage::Opt(in.request_type),
            storage::Opt(in.priority),
            in.calendar_id.value(),
            storage::Opt(in.targets.first_response_minutes),
            storage::Opt(in.targets.next_response_minutes),
            storage::Opt(in.targets.resolution_minutes),
            std::string(WarningKindName(in.targets.warning.kind)),
            in.targets.warning.value,
            boost::json::serialize(EscalationsToJson(in.escalations))};
}

boost::json::object EditablePolicyJson(const PolicyRecord& p) {
    auto o = ToJson(p);
    for (const auto& k : kHistoryIgnore) o.erase(k);
    return o;
}

// Patch members must be editable ones; the result is the full JSON form to read.
template <std::size_t N>
Result<boost::json::object> Patched(boost::json::object current, const boost::json::object& patch,
                                    const std::string_view (&editable)[N]) {
    core::FieldErrors errors;
    for (const auto& kv : patch)
        if (!OneOf(std::string_view(kv.key()), editable))
            errors.Add("/" + core::JsonPointerEscape(kv.key()), "unknown_field", "This member cannot be changed.");
    if (auto ok = errors.ToResult(); !ok) return Fail(ok.error());
    ApplyMergePatch(current, patch);
    return current;
}

Result<void> CheckVersion(std::int64_t actual, std::optional<std::int64_t> expected) {
    if (expected && *expected != actual)
        return Fail(Error::FailedPrecondition(
                        fmt::format("The record is at version {}, not {}: reload and try again.", actual, *expected))
                        .WithType("precondition-failed"));
    return {};
}

int Specificity(const PolicyRecord& p) {
    return (p.customer_group ? 4 : 0) + (p.request_type ? 2 : 0) + (p.priority ? 1 : 0);
}

int SelectorCount(const PolicyRecord& p) {
    return (p.customer_group ? 1 : 0) + (p.request_type ? 1 : 0) + (p.priority ? 1 : 0);
}

}  // namespace

boost::json::object ToJson(const CalendarRecord& c) {
    return {{"id", c.id.value()},
            {"name", c.name},
            {"time_zone", c.spec.time_zone},
            {"holiday_rule_set", c.spec.holiday_rule_set},
            {"weekly_hours", WeeklyHoursToJson(c.spec.weekly_hours)},
            {"extra_holidays", DatesToJson(c.spec.extra_holidays)},
            {"closures", ClosuresToJson(c.spec.closures)},
            {"version", c.version},
            {"created_at", core::FormatTimestamp(c.created_at)},
            {"updated_at", core::FormatTimestamp(c.updated_at)}};
}

boost::json::object ToJson(const PolicyRecord& p) {
    auto opt_s = [](const std::optional<std::string>& v) { return v ? boost::json::value(*v) : nullptr; };
    auto opt_i = [](const std::optional<std::int64_t>& v) { return v ? boost::json::value(*v) : nullptr; };
    return {{"id", p.id.value()},
            {"name", p.name},
            {"customer_group", opt_s(p.customer_group)},
            {"request_type", opt_s(p.request_type)},
            {"priority", opt_s(p.priority)},
            {"calendar_id", p.calendar_id.value()},
            {"first_response_minutes", opt_i(p.targets.first_response_minutes)},
            {"next_response_minutes", opt_i(p.targets.next_response_minutes)},
            {"resolution_minutes", opt_i(p.targets.resolution_minutes)},
            {"warning", WarningToJson(p.targets.warning)},
            {"escalations", EscalationsToJson(p.escalations)},
            {"version", p.version},
            {"created_at", core::FormatTimestamp(p.created_at)},
            {"updated_at", core::FormatTimestamp(p.updated_at)}};
}

boost::json::object ToJson(const Holiday& h) {
    const date::weekday wd{date::sys_days{h.date}};
    return {{"date", FormatIsoDate(h.date)},
            {"key", h.key},
            {"name_fi", h.name_fi},
            {"name_en", h.name_en},
            {"weekday", kWeekdayKeys[wd.iso_encoding() - 1]}};
}

const PolicyRecord* SelectPolicyAmong(std::span<const PolicyRecord> policies, std::string_view customer_group,
                                      std::string_view request_type, std::string_view priority) {
    const PolicyRecord* best = nullptr;
    for (const auto& p : policies) {
        if (p.customer_group && *p.customer_group != customer_group) continue;
        if (p.request_type && *p.request_type != request_type) continue;
        if (p.priority && *p.priority != priority) continue;
        if (best == nullptr ||
            std::pair(SelectorCount(p), Specificity(p)) > std::pair(SelectorCount(*best), Specificity(*best)))
            best = &p;
    }
    return best;
}

Result<std::optional<PolicyRecord>> SelectPolicy(storage::Transaction& tx, std::string_view customer_group,
                                                 std::string_view request_type, std::string_view priority) {
    auto rows = tx.Query(fmt::format(kMatchingPolicies, kPolicyColumns),
                         {std::string(customer_group), std::string(request_type), std::string(priority)});
    if (!rows) return Fail(rows.error());
    std::vector<PolicyRecord> matching;
    for (const auto& row : rows->rows) {
        auto p = PolicyFromRow(row);
        if (!p) return Fail(p.error());
        matching.push_back(std::move(*p));
    }
    const PolicyRecord* best = SelectPolicyAmong(matching, customer_group, request_type, priority);
    if (best == nullptr) return std::optional<PolicyRecord>{};
    return std::optional<PolicyRecord>{*best};
}

const PolicyRecord* PolicySnapshot::Policy(PolicyId id) const {
    for (const auto& p : policies)
        if (p.id == id) return &p;
    return nullptr;
}

Result<const BusinessCalendar*> PolicySnapshot::Calendar(CalendarId id) const {
    if (auto it = calendars.find(id.value()); it != calendars.end()) return it->second.get();
    if (auto it = broken_calendars.find(id.value()); it != broken_calendars.end()) return Fail(it->second);
    return Fail(Error::NotFound(fmt::format("There is no SLA calendar {}.", id.value())));
}

Result<std::shared_ptr<const PolicySnapshot>> PolicyCache::Current(storage::Transaction& tx) {
    const std::uint64_t generation = g_generation.load(std::memory_order_acquire);
    auto row = tx.QueryOne(
        "SELECT (SELECT COUNT(*) FROM sla_policies), (SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM "
        "sla_policies), (SELECT CAST(COALESCE(SUM(id), 0) AS BIGINT) FROM sla_policies), (SELECT "
        "COALESCE(MAX(updated_at), '') FROM sla_policies), (SELECT COUNT(*) FROM sla_calendars), (SELECT "
        "CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM sla_calendars), (SELECT COALESCE(MAX(updated_at), '') FROM "
        "sla_calendars)");
    if (!row) return Fail(row.error());
    const auto& r = **row;
    std::string stamp = fmt::format("{}|{}|{}|{}|{}|{}|{}|{}", generation, r.GetInt(0), r.GetInt(1), r.GetInt(2),
                                    r.GetText(3), r.GetInt(4), r.GetInt(5), r.GetText(6));
    {
        std::lock_guard lock(mutex_);
        if (snapshot_ && stamp == stamp_) return snapshot_;
    }
    auto snapshot = std::make_shared<PolicySnapshot>();
    auto policies = tx.Query(fmt::format("SELECT {} FROM sla_policies ORDER BY id", kPolicyColumns));
    if (!policies) return Fail(policies.error());
    for (const auto& p : policies->rows) {
        auto record = PolicyFromRow(p);
        if (!record) return Fail(record.error());
        snapshot->policies.push_back(std::move(*record));
    }
    auto calendars = tx.Query(fmt::format("SELECT {} FROM sla_calendars ORDER BY id", kCalendarColumns));
    if (!calendars) return Fail(calendars.error());
    for (const auto& c : calendars->rows) {
        const std::int64_t id = c.GetInt(0);
        auto record = CalendarFromRow(c);
        if (!record) {
            snapshot->broken_calendars.emplace(id, record.error());
            continue;
        }
        auto calendar = BusinessCalendar::Create(record->spec);
        if (!calendar) {
            snapshot->broken_calendars.emplace(id, calendar.error());
            continue;
        }
        snapshot->calendars.emplace(id, std::make_shared<const BusinessCalendar>(std::move(*calendar)));
    }
    std::shared_ptr<const PolicySnapshot> out = std::move(snapshot);
    std::lock_guard lock(mutex_);
    stamp_ = std::move(stamp);
    snapshot_ = out;
    ++loads_;
    return out;
}

std::uint64_t PolicyCache::Loads() const {
    std::lock_guard lock(mutex_);
    return loads_;
}

Result<BusinessCalendar> LoadCalendar(storage::Transaction& tx, CalendarId id) {
    auto c = FindCalendar(tx, id);
    if (!c) return Fail(c.error());
    if (!*c) return Fail(Error::NotFound(fmt::format("There is no SLA calendar {}.", id.value())));
    return BusinessCalendar::Create((*c)->spec);
}

Result<PolicyRecord> LoadPolicy(storage::Transaction& tx, PolicyId id) {
    auto p = FindPolicy(tx, id);
    if (!p) return Fail(p.error());
    if (!*p) return Fail(Error::NotFound(fmt::format("There is no SLA policy {}.", id.value())));
    return std::move(**p);
}

SlaService::SlaService(storage::Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}

Result<std::vector<CalendarRecord>> SlaService::ListCalendars(const core::Principal& actor) {
    if (auto ok = CheckRead(actor); !ok) return Fail(ok.error());
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<std::vector<CalendarRecord>> {
        auto rows = tx.Query(fmt::format("SELECT {} FROM sla_calendars ORDER BY name, id LIMIT {}", kCalendarColumns,
                                         kMaxListSize));
        if (!rows) return Fail(rows.error());
        std::vector<CalendarRecord> out;
        for (const auto& row : rows->rows) {
            auto c = CalendarFromRow(row);
            if (!c) return Fail(c.error());
            out.push_back(std::move(*c));
        }
        return out;
    });
}

Result<CalendarRecord> SlaService::GetCalendar(const core::Principal& actor, CalendarId id) {
    if (auto ok = CheckRead(actor); !ok) return Fail(ok.error());
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<CalendarRecord> {
        auto c = FindCalendar(tx, id);
        if (!c) return Fail(c.error());
        if (!*c) return Fail(Error::NotFound("There is no such calendar."));
        return std::move(**c);
    });
}

Result<CalendarRecord> SlaService::CreateCalendar(const core::Principal& actor, const boost::json::object& body) {
    if (auto ok = CheckWrite(actor); !ok) return Fail(ok.error());
    auto in = ReadCalendar(body);
    if (!in) return Fail(in.error());
    const auto now = clock_.Now();
    return Changed(storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<CalendarRecord> {
        if (auto ok = CheckCalendarName(tx, in->name, 0); !ok) return Fail(ok.error());
        auto params = CalendarParams(*in);
        params.push_back(core::FormatTimestamp(now));
        auto row = tx.QueryOne(kInsertCalendar, params);
        if (!row) return Fail(row.error());
        auto c = FindCalendar(tx, CalendarId((**row).GetInt(0)));
        if (!c) return Fail(c.error());
        if (auto h = history::RecordChange(tx, actor, now,
                                           {"sla_calendar", (*c)->id.value(), std::nullopt, history::ChangeAction::kCreate,
                                            history::AllFields(EditableCalendarJson(**c), false)});
            !h)
            return Fail(h.error());
        return std::move(**c);
    }));
}

Result<CalendarRecord> SlaService::UpdateCalendar(const core::Principal& actor, CalendarId id,
                                                  const boost::json::object& patch,
                                                  std::optional<std::int64_t> expected_version) {
    if (auto ok = CheckWrite(actor); !ok) return Fail(ok.error());
    const auto now = clock_.Now();
    return Changed(storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<CalendarRecord> {
        auto current = FindCalendar(tx, id);
        if (!current) return Fail(current.error());
        if (!*current) return Fail(Error::NotFound("There is no such calendar."));
        if (auto ok = CheckVersion((*current)->version, expected_version); !ok) return Fail(ok.error());
        const auto before = EditableCalendarJson(**current);
        auto merged = Patched(before, patch, kCalendarEditable);
        if (!merged) return Fail(merged.error());
        auto in = ReadCalendar(*merged);
        if (!in) return Fail(in.error());
        if (auto ok = CheckCalendarName(tx, in->name, id.value()); !ok) return Fail(ok.error());
        auto params = CalendarParams(*in);
        params.insert(params.begin(), id.value());
        params.push_back(core::FormatTimestamp(now));
        params.push_back((*current)->version);
        auto n = tx.Execute(kUpdateCalendar, params);
        if (!n) return Fail(n.error());
        if (*n != 1) return Fail(Error::Conflict("The calendar changed meanwhile: reload and try again."));
        auto after = FindCalendar(tx, id);
        if (!after) return Fail(after.error());
        if (auto h = history::RecordChange(tx, actor, now,
                                           {"sla_calendar", id.value(), std::nullopt, history::ChangeAction::kUpdate,
                                            history::Diff(before, EditableCalendarJson(**after))});
            !h)
            return Fail(h.error());
        return std::move(**after);
    }));
}

Result<std::vector<Holiday>> SlaService::CalendarHolidays(const core::Principal& actor, CalendarId id, int year) {
    if (year < kMinHolidayYear || year > kMaxHolidayYear)
        return Fail(Error::InvalidArgument(
            "The year is out of range.",
            {{"/query/year", "out_of_range", fmt::format("A year {}..{}.", kMinHolidayYear, kMaxHolidayYear)}}));
    auto c = GetCalendar(actor, id);
    if (!c) return Fail(c.error());
    auto cal = BusinessCalendar::Create(c->spec);
    if (!cal) return Fail(cal.error());
    return cal->HolidaysInYear(year);
}

Result<std::vector<PolicyRecord>> SlaService::ListPolicies(const core::Principal& actor) {
    if (auto ok = CheckRead(actor); !ok) return Fail(ok.error());
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<std::vector<PolicyRecord>> {
        auto rows = tx.Query(
            fmt::format("SELECT {} FROM sla_policies ORDER BY name, id LIMIT {}", kPolicyColumns, kMaxListSize));
        if (!rows) return Fail(rows.error());
        std::vector<PolicyRecord> out;
        for (const auto& row : rows->rows) {
            auto p = PolicyFromRow(row);
            if (!p) return Fail(p.error());
            out.push_back(std::move(*p));
        }
        return out;
    });
}

Result<PolicyRecord> SlaService::GetPolicy(const core::Principal& actor, PolicyId id) {
    if (auto ok = CheckRead(actor); !ok) return Fail(ok.error());
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<PolicyRecord> {
        auto p = FindPolicy(tx, id);
        if (!p) return Fail(p.error());
        if (!*p) return Fail(Error::NotFound("There is no such policy."));
        return std::move(**p);
    });
}

Result<PolicyRecord> SlaService::CreatePolicy(const core::Principal& actor, const boost::json::object& body) {
    if (auto ok = CheckWrite(actor); !ok) return Fail(ok.error());
    const auto now = clock_.Now();
    return Changed(storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<PolicyRecord> {
        auto in = ReadPolicy(tx, body);
        if (!in) return Fail(in.error());
        if (auto ok = CheckPolicyUnique(tx, *in, 0); !ok) return Fail(ok.error());
        auto params = PolicyParams(*in);
        params.push_back(core::FormatTimestamp(now));
        auto row = tx.QueryOne(kInsertPolicy, params);
        if (!row) return Fail(row.error());
        auto p = FindPolicy(tx, PolicyId((**row).GetInt(0)));
        if (!p) return Fail(p.error());
        if (auto h = history::RecordChange(tx, actor, now,
                                           {"sla_policy", (*p)->id.value(), std::nullopt, history::ChangeAction::kCreate,
                                            history::AllFields(EditablePolicyJson(**p), false)});
            !h)
            return Fail(h.error());
        return std::move(**p);
    }));
}

Result<PolicyRecord> SlaService::UpdatePolicy(const core::Principal& actor, PolicyId id,
                                              const boost::json::object& patch,
                                              std::optional<std::int64_t> expected_version) {
    if (auto ok = CheckWrite(actor); !ok) return Fail(ok.error());
    const auto now = clock_.Now();
    return Changed(storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<PolicyRecord> {
        auto current = FindPolicy(tx, id);
        if (!current) return Fail(current.error());
        if (!*current) return Fail(Error::NotFound("There is no such policy."));
        if (auto ok = CheckVersion((*current)->version, expected_version); !ok) return Fail(ok.error());
        const auto before = EditablePolicyJson(**current);
        auto merged = Patched(before, patch, kPolicyEditable);
        if (!merged) return Fail(merged.error());
        auto in = ReadPolicy(tx, *merged);
        if (!in) return Fail(in.error());
        if (auto ok = CheckPolicyUnique(tx, *in, id.value()); !ok) return Fail(ok.error());
        auto params = PolicyParams(*in);
        params.insert(params.begin(), id.value());
        params.push_back(core::FormatTimestamp(now));
        params.push_back((*current)->version);
        auto n = tx.Execute(kUpdatePolicy, params);
        if (!n) return Fail(n.error());
        if (*n != 1) return Fail(Error::Conflict("The policy changed meanwhile: reload and try again."));
        auto after = FindPolicy(tx, id);
        if (!after) return Fail(after.error());
        if (auto h = history::RecordChange(tx, actor, now,
                                           {"sla_policy", id.value(), std::nullopt, history::ChangeAction::kUpdate,
                                            history::Diff(before, EditablePolicyJson(**after))});
            !h)
            return Fail(h.error());
        return std::move(**after);
    }));
}

Result<void> SlaService::DeletePolicy(const core::Principal& actor, PolicyId id,
                                      std::optional<std::int64_t> expected_version) {
    if (auto ok = CheckWrite(actor); !ok) return Fail(ok.error());
    const auto now = clock_.Now();
    return Changed(storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<void> {
        auto current = FindPolicy(tx, id);
        if (!current) return Fail(current.error());
        if (!*current) return Fail(Error::NotFound("There is no such policy."));
        if (auto ok = CheckVersion((*current)->version, expected_version); !ok) return Fail(ok.error());
        auto n = tx.Execute("DELETE FROM sla_policies WHERE id = $1", {id.value()});
        if (!n) return Fail(n.error());
        return history::RecordChange(tx, actor, now,
                                     {"sla_policy", id.value(), std::nullopt, history::ChangeAction::kDelete,
                                      history::AllFields(EditablePolicyJson(**current), true)});
    }));
}

}  // namespace customsdesk::sla
