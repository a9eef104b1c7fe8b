// Field-level change history of domain records: who, when, which fields, old and new values.
//
// Every service that creates, updates or deletes a domain record calls RecordChange() IN THE
// SAME TRANSACTION as the change, so history and data commit or roll back together. Records are
// described as JSON objects; Diff() computes the changed top-level fields, so any record type
// gets history without its own code. Entries are append-only (no update or delete API), except
// Redact() which blanks personal values when a contact is erased while keeping who/when/which.
// Reading is by (entity_type, entity_id), newest first, with keyset paging by entry id. The
// caller checks that the principal may see the record before listing its history.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "customsdesk/core/clock.hpp"
#include "customsdesk/core/error.hpp"
#include "customsdesk/core/principal.hpp"
#include "customsdesk/storage/database.hpp"

namespace customsdesk::history {

enum class ChangeAction { kCreate, kUpdate, kDelete, kErase };
std::string_view ActionName(ChangeAction a);

struct FieldChange {
    std::string field;
    boost::json::value before;  // null when the field had no value (or on create)
    boost::json::value after;   // null when the field has no value (or on delete)
};

struct ChangeEntry {
    std::int64_t id = 0;
    std::string entity_type;
    std::int64_t entity_id = 0;
    std::optional<std::int64_t> organisation_id;
    ChangeAction action = ChangeAction::kUpdate;
    std::optional<std::int64_t> actor_id;
    std::string actor_name;
    core::Timestamp changed_at;
    std::vector<FieldChange> changes;
};

// Changed top-level members of two objects, in the order of `after` then removed keys of
// `before`; members named in `ignore` (e.g. "updated_at", "version") are skipped.
std::vector<FieldChange> Diff(const boost::json::object& before, const boost::json::object& after,
                              const std::vector<std::string>& ignore = {});
// Every member of `record` as a change from null (create) or to null (delete).
std::vector<FieldChange> AllFields(const boost::json::object& record, bool as_before,
                                   const std::vector<std::string>& ignore = {});

struct ChangeRecord {
    std::string entity_type;  // "organisation", "user", ...
    std::int64_t entity_id = 0;
    std::optional<std::int64_t> organisation_id;  // owning organisation, for data scoping
    ChangeAction action = ChangeAction::kUpdate;
    std::vector<FieldChange> changes;
};

// Appends one entry. An update with no changed field records nothing.
core::Result<void> RecordChange(storage::Transaction& tx, const core::Principal& actor, core::Timestamp now,
                                const ChangeRecord& record);

// Appends many entries with storage CopyRows (imports); same rules as RecordChange.
core::Result<void> RecordChanges(storage::Transaction& tx, const core::Principal& actor, core::Timestamp now,
                                 const std::vector<ChangeRecord>& records);

// The same in two steps, for an import that builds its rows on another thread than the writer's:
// AppendChangeRow() adds one entry's kChangeRowColumns values to `rows` (nothing for an update
// without changes; returns whether it added), with `timestamp` = core::FormatTimestamp(now);
// the entity id is at kChangeRowEntityId within the row, for a caller that learns it later.
// CopyChangeRows() writes whole rows.
inline constexpr std::size_t kChangeRowColumns = 8;
inline constexpr std::size_t kChangeRowEntityId = 1;
bool AppendChangeRow(std::vector<storage::Param>& rows, const core::Principal& actor, const std::string& timestamp,
                     const ChangeRecord& record);
// The same with the changes already as stored text (ChangesText), for a caller that writes many
// entries with the same shape of changes (an import: "source": "CSV import, line N").
void AppendChangeRow(std::vector<storage::Param>& rows, const core::Principal& actor, const std::string& timestamp,
                     std::string_view entity_type, std::int64_t entity_id, std::optional<std::int64_t> organisation_id,
                     ChangeAction action, std::string changes_text);
// `changes` as the text stored in an entry.
std::string ChangesText(const std::vector<FieldChange>& changes);
core::Result<void> CopyChangeRows(storage::Transaction& tx, std::span<const storage::Param> rows);

struct ChangePage {
    std::vector<ChangeEntry> entries;
    std::optional<std::int64_t> next_before;  // pass as `before_id` for the next (older) page
};
inline constexpr int kMaxHistoryPage = 200;
// Newest first; `before_id` 0 = from the newest. `limit` is clamped to 1..kMaxHistoryPage.
core::Result<ChangePage> ListChanges(storage::Transaction& tx, std::string_view entity_type, std::int64_t entity_id,
                                     std::int64_t before_id, int limit);

// Replaces the before/after values of the named fields with "[redacted]" in every entry of the
// entity (personal-data erasure).
core::Result<void> Redact(storage::Transaction& tx, std::string_view entity_type, std::int64_t entity_id,
                          const std::vector<std::string>& fields);

boost::json::object ToJson(const ChangeEntry& e);

}  // namespace customsdesk::history
