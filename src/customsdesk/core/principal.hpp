// Who is calling, what they may do, and which data they may see.
//
// Every request is served on behalf of a Principal. Data scoping is not an afterthought of
// each endpoint: stores take the Principal's `AccessScope` as a required argument and filter
// every query by it (see storage/scope.hpp), so an endpoint cannot forget it.
// A trader user is scoped to exactly one organisation; staff roles see all traders' data.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "customsdesk/core/ids.hpp"

namespace customsdesk::core {

// The roles of SPEC §1.
enum class Role {
    kTrader,
    kAgent,           // service agent, tier 1
    kSpecialist,      // support specialist, tier 2
    kKam,             // key account manager
    kSegmentManager,
    kRiskAnalyst,
    kOfficer,         // customs officer
    kAuditor,
    kAdmin,
};

inline constexpr Role kAllRoles[] = {Role::kTrader,         Role::kAgent,       Role::kSpecialist,
                                     Role::kKam,            Role::kSegmentManager, Role::kRiskAnalyst,
                                     Role::kOfficer,        Role::kAuditor,     Role::kAdmin};

std::string_view RoleName(Role r);  // "trader", "agent", "specialist", "kam", "segment_manager", ...
std::optional<Role> ParseRole(std::string_view name);

// The data a principal may see. `organisation` set means: only rows of that organisation
// (and later, organisations that authorised it as representative). Unset means all traders.
struct AccessScope {
    std::optional<OrganisationId> organisation;
    [[nodiscard]] bool unrestricted() const { return !organisation.has_value(); }
    [[nodiscard]] bool Allows(OrganisationId org) const { return !organisation || *organisation == org; }
};

enum class AuthMethod { kNone, kSession, kToken, kSystem };

struct Principal {
    UserId user;
    std::string username;
    std::string display_name;
    std::vector<Role> roles;
    std::optional<OrganisationId> organisation;  // set for trader users
    AuthMethod method = AuthMethod::kNone;

    [[nodiscard]] bool Has(Role r) const;
    [[nodiscard]] bool IsStaff() const;  // any role other than trader
    // Trader users are confined to their organisation even if they carry other roles by mistake.
    [[nodiscard]] AccessScope Scope() const;

    // The command-line tools act as this principal (audited as "system").
    static Principal System();
};

}  // namespace customsdesk::core
