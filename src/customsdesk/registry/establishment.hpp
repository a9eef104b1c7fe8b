// Establishments (SPEC §2): the sites of an organisation, with address, UN/LOCODE and type.
//
// ValidateEstablishment() checks a COMPLETE set of editable members given as a JSON object
// (create body, or the stored record merged with a PATCH body) and returns every problem with its
// JSON pointer: required name/city/country, ISO country, Finnish postal code, type code list, and
// the UN/LOCODE against the shipped list (data/reference/unlocode) and against the country.
// `code` is the organisation's own identifier of the site, unique within the organisation; the
// service assigns "E<id>" when none is given. Pure: no storage, no clock.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "customsdesk/core/clock.hpp"
#include "customsdesk/core/error.hpp"
#include "customsdesk/core/ids.hpp"

namespace customsdesk::registry {

using EstablishmentId = core::Id<struct EstablishmentTag>;

inline constexpr std::string_view kEstablishmentTypes[] = {"head_office", "branch",     "warehouse", "terminal",
                                                           "production",  "office",     "customs_warehouse", "other"};
inline constexpr std::string_view kEstablishmentMembers[] = {"code",   "name",        "type",    "street",
                                                             "postal_code", "city", "country", "unlocode"};

struct EstablishmentFields {
    std::optional<std::string> code;
    std::string name;
    std::string type = "branch";
    std::string street;
    std::string postal_code;
    std::string city;
    std::string country;  // ISO 3166-1 alpha-2
    std::optional<std::string> unlocode;

    friend bool operator==(const EstablishmentFields&, const EstablishmentFields&) = default;
};

struct Establishment {
    EstablishmentId id;
    core::OrganisationId organisation;
    EstablishmentFields fields;
    std::int64_t version = 1;
    core::Timestamp created_at;
    core::Timestamp updated_at;
};

core::Result<EstablishmentFields> ValidateEstablishment(const boost::json::object& body);
boost::json::object EstablishmentFieldsToJson(const EstablishmentFields& f);
boost::json::object ToJson(const Establishment& e);

}  // namespace customsdesk::registry
