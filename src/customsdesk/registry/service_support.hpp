// Internal helpers shared by the registry services (not part of the module's interface).
//
// CanMaintain(): the staff roles that maintain the registry (admin, agent, KAM, segment
// manager). OrganisationVisible(): whether the organisation exists (not deleted) and is in the
// principal's scope, checked through accounts::ScopedSql. Id cursors for keyset paging by id.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "customsdesk/core/error.hpp"
#include "customsdesk/core/principal.hpp"
#include "customsdesk/storage/database.hpp"

namespace customsdesk::registry {

bool CanMaintain(const core::Principal& p);

core::Result<bool> OrganisationVisible(storage::Transaction& tx, const core::AccessScope& scope,
                                       core::OrganisationId id);

std::string EncodeIdCursor(std::int64_t id);
std::optional<std::int64_t> DecodeIdCursor(const std::string& cursor);

// A keyset page from rows fetched with `LIMIT limit + 1`: at most `limit` items made by `from_row`,
// and `next_cursor` (the last item's id) when the extra row shows there is more.
template <typename Page, typename FromRow>
Page TakeIdPage(const std::vector<storage::Row>& rows, int limit, FromRow&& from_row) {
    Page page;
    for (const auto& r : rows) {
        if (static_cast<int>(page.items.size()) == limit) {
            page.next_cursor = EncodeIdCursor(page.items.back().id.value());
            break;
        }
        page.items.push_back(from_row(r));
    }
    return page;
}

// The If-Match check: kFailedPrecondition typed "precondition-failed" when the versions differ.
core::Result<void> CheckVersion(std::string_view what, std::optional<std::int64_t> expected, std::int64_t current);

}  // namespace customsdesk::registry
