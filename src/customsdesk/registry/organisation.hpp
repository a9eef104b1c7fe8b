// Organisations (SPEC §2): the legal entities customs serves, as values with their validation.
//
// `OrganisationFields` are what a client may set; `Organisation` adds what the system keeps
// (id, version, timestamps). ValidateFields() checks a COMPLETE set of fields given as a JSON
// object (create body, or stored record merged with a PATCH body) and returns every problem
// with its JSON pointer: Business ID check digit, EORI format (and that a Finnish EORI is FI +
// the Business ID), VAT number, code lists (countries, languages, roles, status), lengths,
// unknown and read-only members. Pure: no storage, no clock.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "customsdesk/core/clock.hpp"
#include "customsdesk/core/error.hpp"
#include "customsdesk/core/ids.hpp"

namespace customsdesk::registry {

enum class OrganisationStatus { kProspect, kActive, kNonActive };
std::string_view StatusName(OrganisationStatus s);  // "prospect", "active", "non_active"
std::optional<OrganisationStatus> ParseStatus(std::string_view s);

// Roles toward customs (several at once).
inline constexpr std::string_view kOrganisationRoles[] = {
    "importer", "exporter", "declarant", "customs_representative", "carrier", "warehouse_keeper", "software_provider"};
inline constexpr std::string_view kLanguages[] = {"fi", "sv", "en"};
inline constexpr std::string_view kAddressTypes[] = {"postal", "visiting", "billing", "delivery"};
// Customer groups by risk and need of service, and value classes (SPEC §2).
inline constexpr std::string_view kCustomerGroups[] = {"partnership", "key", "small"};
inline constexpr std::string_view kValueClasses[] = {"strategic", "key",        "big",   "middle",     "small_a",
                                                     "small",     "non_active", "other", "prospective"};
inline constexpr std::size_t kMaxAccountTeam = 20;

struct Address {
    std::string type = "postal";
    std::string street;
    std::string postal_code;
    std::string city;
    std::string country;  // ISO 3166-1 alpha-2

    friend bool operator==(const Address&, const Address&) = default;
};

struct OrganisationFields {
    std::string name;
    std::optional<std::string> business_id;
    std::optional<std::string> foreign_registry_id;
    std::optional<std::string> eori;
    std::optional<std::string> vat_number;
    std::vector<Address> addresses;
    std::vector<std::string> languages;
    std::vector<std::string> roles;
    std::optional<std::string> sector_segment;
    std::optional<core::OrganisationId> parent;
    OrganisationStatus status = OrganisationStatus::kActive;
    std::optional<std::string> customer_group;  // one of kCustomerGroups
    std::optional<std::string> value_class;     // one of kValueClasses (set by hand until it is computed)
    std::optional<core::UserId> kam;            // key account manager: a user with the KAM role
    std::vector<core::UserId> account_team;     // further users with the KAM role
};

struct Organisation {
    core::OrganisationId id;
    OrganisationFields fields;
    // Display names of the KAM and the account team, filled by single-record reads and writes
    // (Get, Create, Update) so that people see names, not user numbers; empty in lists.
    std::optional<std::string> kam_name;
    std::vector<std::pair<core::UserId, std::string>> account_team_names;
    std::int64_t version = 1;
    core::Timestamp created_at;
    core::Timestamp updated_at;
};

// The editable members, as accepted in request bodies.
inline constexpr std::string_view kEditableMembers[] = {
    "name",      "business_id",    "foreign_registry_id", "eori",        "vat_number",  "addresses",
    "languages", "roles",          "sector_segment",      "parent_id",   "status",      "customer_group",
    "value_class", "kam_user_id", "account_team"};
// Members a trader user may change on their own organisation.
inline constexpr std::string_view kTraderEditableMembers[] = {"addresses", "languages"};
// Members the system sets; present in responses, refused in requests.
inline constexpr std::string_view kReadOnlyMembers[] = {"id", "version", "created_at", "updated_at"};

core::Result<OrganisationFields> ValidateFields(const boost::json::object& body);

// The folded postal address ("street|postal code|country") used to find near-duplicate names;
// nullopt without a postal (or else first) address.
std::optional<std::string> AddressKey(const OrganisationFields& f);
// True when two organisation names are near-duplicates: equal after folding and dropping legal
// forms (oy, ab, oyj, ltd, ...), or within a small edit distance of each other.
bool SimilarNames(std::string_view a, std::string_view b);

// The editable members as a JSON object (the form ValidateFields reads and history diffs).
boost::json::object FieldsToJson(const OrganisationFields& f);
// The full API representation.
boost::json::object ToJson(const Organisation& o);

// Address list <-> the JSON text stored in the database.
std::string AddressesToJsonText(const std::vector<Address>& addresses);
std::vector<Address> AddressesFromJsonText(const std::string& text);
std::string StringsToJsonText(const std::vector<std::string>& items);
std::vector<std::string> StringsFromJsonText(const std::string& text);

}  // namespace customsdesk::registry
