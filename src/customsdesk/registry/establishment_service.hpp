// Establishment use cases: create under an organisation, read, update (merge-patch, If-Match),
// soft delete, list per organisation (keyset by id), history.
//
// Data-scoped like organisations (accounts::ScopedSql on establishments.organisation_id): a
// trader user sees the establishments of their own organisation and nothing else (404). Writes
// need a registry-maintaining staff role. Each write runs in one transaction with its change
// history entry and its search index entry. Thread-safe.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "customsdesk/core/clock.hpp"
#include "customsdesk/core/principal.hpp"
#include "customsdesk/history/change_history.hpp"
#include "customsdesk/registry/establishment.hpp"
#include "customsdesk/storage/database.hpp"

namespace customsdesk::registry {

struct EstablishmentPage {
    std::vector<Establishment> items;
    std::optional<std::string> next_cursor;
};

// Row mapping shared with import/export.
std::string_view EstablishmentColumns();  // for "SELECT <columns> FROM establishments"
Establishment EstablishmentFromRow(const storage::Row& r);

class EstablishmentService {
public:
    EstablishmentService(storage::Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}

    core::Result<Establishment> Create(const core::Principal& actor, core::OrganisationId organisation,
                                       const boost::json::object& body);
    core::Result<Establishment> Get(const core::Principal& actor, EstablishmentId id);
    core::Result<Establishment> Update(const core::Principal& actor, EstablishmentId id,
                                       const boost::json::object& patch, std::optional<std::int64_t> expected_version);
    core::Result<void> Delete(const core::Principal& actor, EstablishmentId id);
    // `limit` 1..kMaxPageSize; `cursor` from a previous page.
    core::Result<EstablishmentPage> List(const core::Principal& actor, core::OrganisationId organisation, int limit,
                                         const std::optional<std::string>& cursor);
    core::Result<history::ChangePage> History(const core::Principal& actor, EstablishmentId id,
                                              std::int64_t before_id, int limit);

private:
    storage::Database& db_;
    const core::Clock& clock_;
};

}  // namespace customsdesk::registry
