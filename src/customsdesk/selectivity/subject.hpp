// What selectivity looks at: a neutral description of one declaration, its items and its trader.
//
// `Subject` is filled by the declarations module (declaration and item attributes) and by
// `SelectivityService::LoadTraderAttributes` (trader attributes from the registry and the
// compliance history). Selectivity never reads declaration tables itself, so this struct is the
// whole contract between the two modules.
//
// Conventions: country codes are ISO 3166-1 alpha-2 ("CN"), commodity codes are digits only (the
// first 2 are the chapter, the first 4 the heading), offices and locations are free codes
// (customs office reference number, UN/LOCODE). Money is an exact decimal in EUR (never a
// double); mass in kilograms. Unset optionals are FEEL null in the profiles.
// Plain values; copyable; no shared state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "customsdesk/core/clock.hpp"
#include "customsdesk/core/ids.hpp"
#include "customsdesk/rules/decimal.hpp"

namespace customsdesk::selectivity {

using rules::Decimal;

// Control lanes, from least to most strict (the numeric order is the strictness order).
enum class Lane : std::uint8_t { kGreen = 0, kBlue = 1, kYellow = 2, kRed = 3 };
std::string_view LaneName(Lane lane);  // "green", "blue", "yellow", "red"
std::optional<Lane> ParseLane(std::string_view name);
inline Lane Stricter(Lane a, Lane b) { return a > b ? a : b; }

struct ItemAttributes {
    std::string commodity_code;             // digits, e.g. "93040000"
    std::optional<std::string> origin;      // country of origin of the item
    std::optional<Decimal> value;           // item value, EUR
    std::optional<Decimal> net_mass;        // kg
};

struct TraderAttributes {
    std::optional<std::string> customer_group;   // registry: "partnership", "key", "small"
    std::optional<std::string> aeo_type;         // "AEOC", "AEOS", "AEOF"; unset = no AEO authorisation
    std::int64_t controls = 0;                   // controls recorded for this trader
    std::int64_t findings = 0;                   // non-compliant outcomes among them
    std::int64_t declaration_count = 0;          // declarations assessed before this one
    std::optional<core::Timestamp> first_declaration_at;
    std::optional<core::Timestamp> last_finding_at;
};

struct Subject {
    // Identity: the declarations module's id and reference (MRN or LRN); the random sample is
    // drawn from a keyed hash of `identity` (see sampler.hpp), so it must be stable per declaration.
    std::int64_t declaration_id = 0;
    std::string identity;
    core::OrganisationId organisation;
    core::Timestamp assessed_at;  // "now" for age computations (days since first declaration)

    std::string declaration_type;  // "H1", "H7", "B1" (export)
    std::optional<std::string> office;
    std::optional<std::string> dispatch_country;
    std::optional<std::string> origin_country;       // declaration-level country of origin
    std::optional<std::string> destination_country;
    std::optional<Decimal> total_value;              // EUR
    std::optional<std::int64_t> transport_mode;      // UCC transport mode code (1 sea ... 9)
    std::optional<std::string> route;                // itinerary, e.g. "CN-KZ-RU-FI"
    std::optional<std::string> location;             // location of goods (UN/LOCODE)

    std::vector<ItemAttributes> items;
    TraderAttributes trader;
};

}  // namespace customsdesk::selectivity
