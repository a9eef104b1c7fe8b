#include "customsdesk/core/principal.hpp"

#include <algorithm>

namespace customsdesk::core {

std::string_view RoleName(Role r) {
    switch (r) {
        case Role::kTrader: return "trader";
        case Role::kAgent: return "agent";
        case Role::kSpecialist: return "specialist";
        case Role::kKam: return "kam";
        case Role::kSegmentManager: return "segment_manager";
        case Role::kRiskAnalyst: return "risk_analyst";
        case Role::kOfficer: return "officer";
        case Role::kAuditor: return "auditor";
        case Role::kAdmin: return "admin";
    }
    return "trader";
}

std::optional<Role> ParseRole(std::string_view name) {
    for (Role r : kAllRoles) {
        if (RoleName(r) == name) return r;
    }
    return std::nullopt;
}

bool Principal::Has(Role r) const { return std::find(roles.begin(), roles.end(), r) != roles.end(); }

bool Principal::IsStaff() const {
    if (organisation) return false;
    return std::any_of(roles.begin(), roles.end(), [](Role r) { return r != Role::kTrader; });
}

AccessScope Principal::Scope() const {
    if (organisation) return AccessScope{organisation};
    if (IsStaff()) return AccessScope{};
    // A principal with neither staff roles nor an organisation sees nothing: scope it to an
    // organisation id that never exists.
    return AccessScope{OrganisationId(-1)};
}

Principal Principal::System() {
    Principal p;
    p.username = "system";
    p.display_name = "System";
    p.roles = {Role::kAdmin};
    p.method = AuthMethod::kSystem;
    return p;
}

}  // namespace customsdesk::core
