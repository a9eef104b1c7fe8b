// Organisation use cases: create, read, update (merge-patch), soft delete, list, history.
//
// Every method takes the calling Principal. Reads and writes are data-scoped through
// accounts::ScopedSql: a trader user sees only their own organisation, and anything else is
// "not found". Writes need a staff role that maintains the registry (admin, agent, KAM,
// segment manager); a trader may change only the members in kTraderEditableMembers of their own
// organisation. Each write runs in one transaction together with its change-history entry.
// Updates can be made conditional on the version the client read (If-Match), giving 412 when
// the record moved on. Thread-safe.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "customsdesk/core/clock.hpp"
#include "customsdesk/core/principal.hpp"
#include "customsdesk/history/change_history.hpp"
#include "customsdesk/registry/organisation.hpp"
#include "customsdesk/storage/database.hpp"

namespace customsdesk::registry {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 500;

struct OrganisationQuery {
    std::optional<std::string> name_prefix;  // case-insensitive prefix of the name
    std::optional<OrganisationStatus> status;
    std::optional<std::string> role;
    std::optional<std::string> customer_group;  // one of kCustomerGroups
    std::optional<std::string> value_class;     // one of kValueClasses
    std::optional<core::OrganisationId> parent;
    std::optional<std::string> business_id;
    std::optional<std::string> eori;
    int limit = kDefaultPageSize;
    std::optional<std::string> cursor;  // opaque, from a previous page's next_cursor
};

inline constexpr std::size_t kMaxGroupSize = 5000;

// An account hierarchy: the root (as far up as the caller may see) and everything below it,
// breadth-first, each with its depth below the root (root = 0).
struct OrganisationGroup {
    struct Member {
        Organisation organisation;
        int depth = 0;
    };
    core::OrganisationId root;
    std::vector<Member> members;
    bool truncated = false;  // more than kMaxGroupSize members
};

struct OrganisationPage {
    std::vector<Organisation> items;
    std::optional<std::string> next_cursor;
};

// Row mapping shared with the import/export code of this module.
std::string_view OrganisationColumns();
Organisation OrganisationFromRow(const storage::Row& r);
std::string TeamToJsonText(const std::vector<core::UserId>& team);

class OrganisationService {
public:
    OrganisationService(storage::Database& db, const core::Clock& clock);

    // A near-duplicate name at the same postal address is refused (kConflict, type
    // "possible-duplicate-organisation", pointers to the existing records) unless `allow_similar`.
    core::Result<Organisation> Create(const core::Principal& actor, const boost::json::object& body,
                                      bool allow_similar = false);
    core::Result<Organisation> Get(const core::Principal& actor, core::OrganisationId id);
    // `patch` is an RFC 7396 merge patch of the editable members; `expected_version` from If-Match.
    core::Result<Organisation> Update(const core::Principal& actor, core::OrganisationId id,
                                      const boost::json::object& patch, std::optional<std::int64_t> expected_version);
    core::Result<void> Delete(const core::Principal& actor, core::OrganisationId id);
    core::Result<OrganisationPage> List(const core::Principal& actor, const OrganisationQuery& query);
    // Adds an error for each invalid query member ("/query/<name>"); List() makes the same checks.
    static void CheckQuery(const OrganisationQuery& query, core::FieldErrors& errors);
    core::Result<OrganisationGroup> Group(const core::Principal& actor, core::OrganisationId id);
    core::Result<history::ChangePage> History(const core::Principal& actor, core::OrganisationId id,
                                              std::int64_t before_id, int limit);

private:
    storage::Database& db_;
    const core::Clock& clock_;
};

}  // namespace customsdesk::registry
