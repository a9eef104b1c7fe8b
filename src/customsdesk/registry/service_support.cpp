#include "customsdesk/registry/service_support.hpp"

#include <fmt/format.h>

#include "customsdesk/accounts/data_scope.hpp"
#include "customsdesk/core/base64.hpp"

namespace customsdesk::registry {

bool CanMaintain(const core::Principal& p) {
    if (!p.IsStaff()) return false;
    return p.Has(core::Role::kAdmin) || p.Has(core::Role::kAgent) || p.Has(core::Role::kKam) ||
           p.Has(core::Role::kSegmentManager);
}

core::Result<bool> OrganisationVisible(storage::Transaction& tx, const core::AccessScope& scope,
                                       core::OrganisationId id) {
    accounts::ScopedSql q(scope, "SELECT id FROM organisations WHERE deleted_at IS NULL", "id");
    q.And("id = ", id.value());
    auto row = tx.QueryOne(q.sql(), q.params());
    if (!row) return core::Fail(std::move(row.error()));
    return row->has_value();
}

std::string EncodeIdCursor(std::int64_t id) { return core::Base64UrlEncode("i" + std::to_string(id)); }

std::optional<std::int64_t> DecodeIdCursor(const std::string& cursor) {
    auto raw = core::Base64UrlDecode(cursor);
    if (!raw || raw->size() < 2 || raw->size() > 20 || (*raw)[0] != 'i') return std::nullopt;
    std::int64_t v = 0;
    for (std::size_t i = 1; i < raw->size(); ++i) {
        const char c = (*raw)[i];
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    if (v <= 0) return std::nullopt;
    return v;
}

core::Result<void> CheckVersion(std::string_view what, std::optional<std::int64_t> expected, std::int64_t current) {
    if (!expected || *expected == current) return {};
    return core::Fail(core::Error::FailedPrecondition(fmt::format("The {} has changed since version {}; it is now "
                                                                  "version {}.",
                                                                  what, *expected, current))
                          .WithType("precondition-failed"));
}

}  // namespace customsdesk::registry
