// Contact person use cases: create under an organisation, read, update (merge-patch, If-Match),
// soft delete, list per organisation, history, and the data-subject rights of SPEC §2:
//  - PersonalData(): everything held on one contact as one JSON document (the record, its
//    organisation and establishment, and every history entry about it);
//  - Erase(): removes the personal fields (names become "[erased]", e-mail and phone are
//    cleared, consent withdrawn), redacts those fields in every history entry, records an
//    "erase" entry, and drops the search entry; the row, its links (organisation, establishment)
//    and the history entries stay, so nothing that refers to the contact breaks. Erased contacts
//    cannot be edited.
// Data-scoped through accounts::ScopedSql on contacts.organisation_id (anything outside the
// caller's scope is "not found"). Create, update and delete need a registry-maintaining staff
// role, or a trader user acting on their own organisation's contacts; the personal-data export
// needs a staff role and erasure a registry-maintaining one (traders never). Every write records
// history and updates the search index in the same transaction. An e-mail is unique within an organisation (kAlreadyExists with a
// pointer to the existing contact). Thread-safe.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "customsdesk/core/clock.hpp"
#include "customsdesk/core/principal.hpp"
#include "customsdesk/history/change_history.hpp"
#include "customsdesk/registry/contact.hpp"
#include "customsdesk/storage/database.hpp"

namespace customsdesk::registry {

struct ContactPage {
    std::vector<Contact> items;
    std::optional<std::string> next_cursor;
};

std::string_view ContactColumns();
Contact ContactFromRow(const storage::Row& r);

class ContactService {
public:
    ContactService(storage::Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}

    core::Result<Contact> Create(const core::Principal& actor, core::OrganisationId organisation,
                                 const boost::json::object& body);
    core::Result<Contact> Get(const core::Principal& actor, ContactId id);
    core::Result<Contact> Update(const core::Principal& actor, ContactId id, const boost::json::object& patch,
                                 std::optional<std::int64_t> expected_version);
    core::Result<void> Delete(const core::Principal& actor, ContactId id);
    core::Result<ContactPage> List(const core::Principal& actor, core::OrganisationId organisation, int limit,
                                   const std::optional<std::string>& cursor);
    core::Result<history::ChangePage> History(const core::Principal& actor, ContactId id, std::int64_t before_id,
                                              int limit);
    core::Result<boost::json::object> PersonalData(const core::Principal& actor, ContactId id);
    core::Result<Contact> Erase(const core::Principal& actor, ContactId id);

private:
    storage::Database& db_;
    const core::Clock& clock_;
};

}  // namespace customsdesk::registry
