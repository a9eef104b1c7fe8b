#include "customsdesk/history/change_history.hpp"

#include <algorithm>

#include "customsdesk/core/json.hpp"

namespace customsdesk::history {
namespace {

constexpr std::string_view kInsertChange =
    "INSERT INTO change_history (entity_type, entity_id, organisation_id, action, actor_id, actor_name, changed_at, "
    "changes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
constexpr std::string_view kSelectChanges =
    "SELECT id, entity_type, entity_id, organisation_id, action, actor_id, actor_name, changed_at, changes "
    "FROM change_history WHERE entity_type = $1 AND entity_id = $2 AND ($3 = 0 OR id < $3) ORDER BY id DESC LIMIT $4";
constexpr std::string_view kSelectForRedact =
    "SELECT id, changes FROM change_history WHERE entity_type = $1 AND entity_id = $2";
constexpr std::string_view kUpdateChanges = "UPDATE change_history SET changes = $1 WHERE id = $2";

bool Ignored(const std::vector<std::string>& ignore, std::string_view key) {
    return std::find(ignore.begin(), ignore.end(), key) != ignore.end();
}

ChangeAction ParseAction(std::string_view s) {
    if (s == "create") return ChangeAction::kCreate;
    if (s == "delete") return ChangeAction::kDelete;
    if (s == "erase") return ChangeAction::kErase;
    return ChangeAction::kUpdate;
}

boost::json::array ChangesToJson(const std::vector<FieldChange>& changes) {
    boost::json::array arr;
    for (const auto& c : changes) {
        arr.push_back(boost::json::object{{"field", c.field}, {"old", c.before}, {"new", c.after}});
    }
    return arr;
}

std::vector<FieldChange> ChangesFromJson(const std::string& text) {
    std::vector<FieldChange> out;
    auto v = core::ParseJson(text);
    if (!v || !v->is_array()) return out;
    for (const auto& item : v->as_array()) {
        if (!item.is_object()) continue;
        const auto& o = item.as_object();
        FieldChange c;
        if (const auto* f = o.if_contains("field"); f && f->is_string()) c.field = std::string(f->as_string());
        if (const auto* b = o.if_contains("old")) c.before = *b;
        if (const auto* a = o.if_contains("new")) c.after = *a;
        out.push_back(std::move(c));
    }
    return out;
}

}  // namespace

std::string_view ActionName(ChangeAction a) {
    switch (a) {
        case ChangeAction::kCreate: return "create";
        case ChangeAction::kUpdate: return "update";
        case ChangeAction::kDelete: return "delete";
        case ChangeAction::kErase: return "erase";
    }
    return "update";
}

std::vector<FieldChange> Diff(const boost::json::object& before, const boost::json::object& after,
                              const std::vector<std::string>& ignore) {
    std::vector<FieldChange> out;
    for (const auto& kv : after) {
        if (Ignored(ignore, kv.key())) continue;
        const auto* old = before.if_contains(kv.key());
        const boost::json::value old_value = old ? *old : boost::json::value(nullptr);
        if (old_value != kv.value()) out.push_back({std::string(kv.key()), old_value, kv.value()});
    }
    for (const auto& kv : before) {
        if (Ignored(ignore, kv.key()) || after.contains(kv.key())) continue;
        if (!kv.value().is_null()) out.push_back({std::string(kv.key()), kv.value(), nullptr});
    }
    return out;
}

std::vector<FieldChange> AllFields(const boost::json::object& record, bool as_before,
                                   const std::vector<std::string>& ignore) {
    std::vector<FieldChange> out;
    for (const auto& kv : record) {
        if (Ignored(ignore, kv.key()) || kv.value().is_null()) continue;
        if (as_before) out.push_back({std::string(kv.key()), kv.value(), nullptr});
        else out.push_back({std::string(kv.key()), nullptr, kv.value()});
    }
    return out;
}

core::Result<void> RecordChange(storage::Transaction& tx, const core::Principal& actor, core::Timestamp now,
                                const ChangeRecord& record) {
    if (record.action == ChangeAction::kUpdate && record.changes.empty()) return {};
    const std::string changes = boost::json::serialize(ChangesToJson(record.changes));
    std::vector<storage::Param> params{
        record.entity_type,
        record.entity_id,
        record.organisation_id ? storage::Param(*record.organisation_id) : storage::Null(),
        std::string(ActionName(record.action)),
        actor.user.valid() ? storage::Param(actor.user.value()) : storage::Null(),
        actor.username,
        core::FormatTimestamp(now),
        changes};
    auto r = tx.Execute(kInsertChange, params);
    if (!r) return core::Fail(std::move(r.error()));
    return {};
}

namespace {

// COPY on PostgreSQL, prepared single-row INSERTs on SQLite (storage::Transaction::CopyRows).
constexpr std::string_view kChangeColumns[kChangeRowColumns] = {
    "entity_type", "entity_id", "organisation_id", "action", "actor_id", "actor_name", "changed_at", "changes"};

}  // namespace

bool AppendChangeRow(std::vector<storage::Param>& rows, const core::Principal& actor, const std::string& timestamp,
                     const ChangeRecord& record) {
    if (record.action == ChangeAction::kUpdate && record.changes.empty()) return false;
    rows.insert(rows.end(), {record.entity_type, record.entity_id,
                             record.organisation_id ? storage::Param(*record.organisation_id) : storage::Null(),
                             std::string(ActionName(record.action)),
                             actor.user.valid() ? storage::Param(actor.user.value()) : storage::Null(), actor.username,
                             timestamp, boost::json::serialize(ChangesToJson(record.changes))});
    return true;
}

void AppendChangeRow(std::vector<storage::Param>& rows, const core::Principal& actor, const std::string& timestamp,
                     std::string_view entity_type, std::int64_t entity_id, std::optional<std::int64_t> organisation_id,
                     ChangeAction action, std::string changes_text) {
    rows.insert(rows.end(), {std::string(entity_type), entity_id,
                             organisation_id ? storage::Param(*organisation_id) : storage::Null(),
                             std::string(ActionName(action)),
                             actor.user.valid() ? storage::Param(actor.user.value()) : storage::Null(), actor.username,
                             timestamp, std::move(changes_text)});
}

std::string ChangesText(const std::vector<FieldChange>& changes) { return boost::json::serialize(ChangesToJson(changes)); }

core::Result<void> CopyChangeRows(storage::Transaction& tx, std::span<const storage::Param> rows) {
    return tx.CopyRows("change_history", kChangeColumns, rows);
}

core::Result<void> RecordChanges(storage::Transaction& tx, const core::Principal& actor, core::Timestamp now,
                                 const std::vector<ChangeRecord>& records) {
    constexpr std::size_t kBatch = 2000;  // rows per CopyRows call: bounds the parameter vector
    const std::string ts = core::FormatTimestamp(now);
    std::vector<storage::Param> rows;
    rows.reserve(std::min(records.size(), kBatch) * kChangeRowColumns);
    for (std::size_t i = 0; i < records.size(); ++i) {
        AppendChangeRow(rows, actor, ts, records[i]);
        if (rows.size() >= kBatch * kChangeRowColumns || i + 1 == records.size()) {
            if (auto r = CopyChangeRows(tx, rows); !r) return r;
            rows.clear();
        }
    }
    return {};
}

core::Result<ChangePage> ListChanges(storage::Transaction& tx, std::string_view entity_type, std::int64_t entity_id,
                                     std::int64_t before_id, int limit) {
    limit = std::clamp(limit, 1, kMaxHistoryPage);
    std::vector<storage::Param> params{std::string(entity_type), entity_id, before_id,
                                       static_cast<std::int64_t>(limit + 1)};
    auto rows = tx.Query(kSelectChanges, params);
    if (!rows) return core::Fail(std::move(rows.error()));
    ChangePage page;
    for (const auto& row : rows->rows) {
        if (static_cast<int>(page.entries.size()) == limit) {
            page.next_before = page.entries.back().id;
            break;
        }
        ChangeEntry e;
        e.id = row.GetInt(0);
        e.entity_type = row.GetText(1);
        e.entity_id = row.GetInt(2);
        e.organisation_id = row.GetOptInt(3);
        e.action = ParseAction(row.GetText(4));
        e.actor_id = row.GetOptInt(5);
        e.actor_name = row.GetText(6);
        e.changed_at = core::ParseTimestamp(row.GetText(7)).value_or(core::Timestamp{});
        e.changes = ChangesFromJson(row.GetText(8));
        page.entries.push_back(std::move(e));
    }
    return page;
}

core::Result<void> Redact(storage::Transaction& tx, std::string_view entity_type, std::int64_t entity_id,
                          const std::vector<std::string>& fields) {
    auto rows = tx.Query(kSelectForRedact, {std::string(entity_type), entity_id});
    if (!rows) return core::Fail(std::move(rows.error()));
    for (const auto& row : rows->rows) {
        auto changes = ChangesFromJson(row.GetText(1));
        bool touched = false;
        for (auto& c : changes) {
            if (!Ignored(fields, c.field)) continue;
            if (!c.before.is_null()) c.before = "[redacted]";
            if (!c.after.is_null()) c.after = "[redacted]";
            touched = true;
        }
        if (!touched) continue;
        auto r = tx.Execute(kUpdateChanges, {boost::json::serialize(ChangesToJson(changes)), row.GetInt(0)});
        if (!r) return core::Fail(std::move(r.error()));
    }
    return {};
}

boost::json::object ToJson(const ChangeEntry& e) {
    boost::json::object o;
    o["id"] = e.id;
    o["entity_type"] = e.entity_type;
    o["entity_id"] = e.entity_id;
    o["action"] = ActionName(e.action);
    o["actor"] = boost::json::object{{"id", e.actor_id ? boost::json::value(*e.actor_id) : boost::json::value(nullptr)},
                                     {"name", e.actor_name}};
    o["changed_at"] = core::FormatTimestamp(e.changed_at);
    o["changes"] = ChangesToJson(e.changes);
    return o;
}

}  // namespace customsdesk::history
