// Contact persons (SPEC §2): name, e-mail, phone, language, contact roles, direct-marketing consent.
//
// ValidateContact() checks a COMPLETE set of editable members given as a JSON object and returns
// every problem with its JSON pointer. The e-mail is stored lower-cased; it is unique within the
// organisation (the duplicate key of imports). Contacts are personal data: PersonalFields lists
// the members an erasure removes and history redacts. Pure: no storage, no clock.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "customsdesk/core/clock.hpp"
#include "customsdesk/core/error.hpp"
#include "customsdesk/core/ids.hpp"
#include "customsdesk/registry/establishment.hpp"

namespace customsdesk::registry {

using ContactId = core::Id<struct ContactTag>;

inline constexpr std::string_view kContactRoles[] = {"decision_maker",      "influencer",      "customs_contact",
                                                     "cooperation_partner", "billing_contact", "it_edi_contact"};
inline constexpr std::string_view kContactMembers[] = {"first_name", "last_name",     "email",
                                                       "phone",      "language",      "contact_roles",
                                                       "marketing_consent", "establishment_id"};
// Members removed by erasure (and redacted in history).
inline const std::vector<std::string> kContactPersonalFields = {"first_name", "last_name", "email", "phone"};
inline constexpr std::string_view kErasedName = "[erased]";

struct ContactFields {
    std::string first_name;
    std::string last_name;
    std::optional<std::string> email;
    std::optional<std::string> phone;
    std::optional<std::string> language;
    std::vector<std::string> roles;
    bool marketing_consent = false;
    std::optional<EstablishmentId> establishment;

    friend bool operator==(const ContactFields&, const ContactFields&) = default;
};

struct Contact {
    ContactId id;
    core::OrganisationId organisation;
    ContactFields fields;
    std::int64_t version = 1;
    core::Timestamp created_at;
    core::Timestamp updated_at;
    std::optional<core::Timestamp> erased_at;
};

core::Result<ContactFields> ValidateContact(const boost::json::object& body);
boost::json::object ContactFieldsToJson(const ContactFields& f);
boost::json::object ToJson(const Contact& c);
// A plausible address: one @, a non-empty local part, a domain with a dot, no spaces.
bool PlausibleEmail(std::string_view email);

}  // namespace customsdesk::registry
