// Internal to the servicedesk module: the SQL of its reads, shared by the service and the SLA
// integration. Every request read goes through LoadRequest/kRequestSelect with the caller's scope
// (accounts::ScopedSql on r.organisation_id), so scoping cannot be forgotten.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "customsdesk/core/principal.hpp"
#include "customsdesk/servicedesk/service_desk.hpp"
#include "customsdesk/storage/database.hpp"

namespace customsdesk::servicedesk::detail {

// SELECT of a request with its organisation's name, type key, group key and assignee's name,
// ending in "WHERE TRUE" for ScopedSql.
inline constexpr std::string_view kRequestSelect =
    "SELECT r.id, r.number, r.organisation_id, o.name, r.requester_contact_id, r.requester_user_id, "
    "r.requester_name, r.requester_email, t.type_key, r.form_version, r.priority, r.channel, r.language, r.subject, "
    "r.body, r.form_data, r.status, r.tier, g.group_key, r.assignee_id, u.display_name, r.tags, r.routing, "
    "r.merged_into_id, r.due_at, r.version, r.created_at, r.updated_at, r.first_response_at, r.resolved_at, "
    "r.closed_at, r.sla_policy_id, r.sla_state, r.sla_json, r.sla_events, r.sla_raised, r.sla_next_check "
    "FROM sd_requests r JOIN organisations o ON o.id = r.organisation_id "
    "JOIN sd_request_types t ON t.id = r.type_id LEFT JOIN sd_service_groups g ON g.id = r.group_id "
    "LEFT JOIN users u ON u.id = r.assignee_id WHERE TRUE";

ServiceRequest RequestFromRow(const storage::Row& r);
core::Result<std::optional<ServiceRequest>> LoadRequest(storage::Transaction& tx, const core::AccessScope& scope,
                                                        RequestId id);
// All types, or the one with `key`.
core::Result<std::vector<RequestType>> LoadTypes(storage::Transaction& tx, const std::optional<std::string>& key);
core::Result<std::vector<ServiceGroup>> LoadGroups(storage::Transaction& tx);
core::Result<std::vector<Message>> LoadMessages(storage::Transaction& tx, RequestId id, bool with_notes);
core::Result<std::vector<Attachment>> LoadAttachments(storage::Transaction& tx, RequestId id, bool with_internal,
                                                      std::optional<std::int64_t> only);
// Links from and to the request whose other end is in `scope`.
core::Result<std::vector<Link>> LoadLinks(storage::Transaction& tx, const core::AccessScope& scope, RequestId id);
core::Result<std::vector<CannedResponse>> LoadCanned(storage::Transaction& tx, std::optional<std::int64_t> id,
                                                     const std::optional<std::string>& language);

}  // namespace customsdesk::servicedesk::detail
