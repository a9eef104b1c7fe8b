// Internal helpers shared by the registry services (not part of the module's interface).
//
// CanMaintain(): the staff roles that maintain the registry (admin, agent, KAM, segment
// manager). OrganisationVisible(): whether the organisation exists (not deleted) and is in the
// principal's scope, checked through accounts::ScopedSql. Id cursors for keyset paging by id.
#pragma once

#include <optional>
#include <string>

#include "customsdesk/core/error.hpp"
#include "customsdesk/core/principal.hpp"
#include "customsdesk/storage/database.hpp"

namespace customsdesk::registry {

bool CanMaintain(const core::Principal& p);

core::Result<bool> OrganisationVisible(storage::Transaction& tx, const core::AccessScope& scope,
                                       core::OrganisationId id);

std::string EncodeIdCursor(std::int64_t id);
std::optional<std::int64_t> DecodeIdCursor(const std::string& cursor);

// The If-Match check: kFailedPrecondition typed "precondition-failed" when the versions differ.
core::Result<void> CheckVersion(std::string_view what, std::optional<std::int64_t> expected, std::int64_t current);

}  // namespace customsdesk::registry
