#include "customsdesk/servicedesk/store.hpp"

#include <fmt/format.h>

#include "customsdesk/accounts/data_scope.hpp"
#include "customsdesk/core/json.hpp"

namespace customsdesk::servicedesk {
namespace detail {

using core::Fail;
using core::Result;

namespace {

core::Timestamp ParseTs(const std::string& s) { return core::ParseTimestamp(s).value_or(core::Timestamp{}); }
std::optional<core::Timestamp> OptTs(const std::optional<std::string>& s) {
    if (!s) return std::nullopt;
    return core::ParseTimestamp(*s);
}
boost::json::object ObjectOf(const std::string& text) {
    auto v = core::ParseJsonObject(text);
    return v ? std::move(*v) : boost::json::object{};
}

}  // namespace

ServiceRequest RequestFromRow(const storage::Row& r) {
    ServiceRequest s;
    s.id = RequestId(r.GetInt(0));
    s.number = r.GetText(1);
    s.organisation = core::OrganisationId(r.GetInt(2));
    s.organisation_name = r.GetText(3);
    s.requester_contact_id = r.GetOptInt(4);
    s.requester_user_id = r.GetOptInt(5);
    s.requester_name = r.GetText(6);
    s.requester_email = r.GetOptText(7);
    s.type = r.GetText(8);
    s.form_version = r.GetInt(9);
    s.priority = ParsePriority(r.GetText(10)).value_or(Priority::kNormal);
    s.channel = ParseChannel(r.GetText(11)).value_or(Channel::kPortal);
    s.language = r.GetText(12);
    s.subject = r.GetText(13);
    s.body = r.GetText(14);
    s.form = ObjectOf(r.GetText(15));
    s.status = ParseStatus(r.GetText(16)).value_or(Status::kNew);
    s.tier = ParseTier(r.GetText(17)).value_or(Tier::kCustomerService);
    s.group = r.GetOptText(18);
    s.assignee_id = r.GetOptInt(19);
    s.assignee_name = r.GetText(20);
    auto tags = core::ParseJson(r.GetText(21));
    if (tags && tags->is_array())
        for (const auto& t : tags->as_array())
            if (t.is_string()) s.tags.emplace_back(t.as_string());
    s.routing = ObjectOf(r.GetText(22));
    if (auto m = r.GetOptInt(23)) s.merged_into = RequestId(*m);
    s.due_at = r.GetText(24);
    s.version = r.GetInt(25);
    s.created_at = ParseTs(r.GetText(26));
    s.updated_at = ParseTs(r.GetText(27));
    s.first_response_at = OptTs(r.GetOptText(28));
    s.resolved_at = OptTs(r.GetOptText(29));
    s.closed_at = OptTs(r.GetOptText(30));
    s.sla_policy_id = r.GetOptInt(31);
    s.sla_state = r.GetOptText(32);
    s.sla_json = r.GetOptText(33);
    s.sla_events = r.GetText(34);
    s.sla_raised = r.GetText(35);
    s.sla_next_check = r.GetOptText(36);
    return s;
}

Result<std::optional<ServiceRequest>> LoadRequest(storage::Transaction& tx, const core::AccessScope& scope,
                                                  RequestId id) {
    accounts::ScopedSql q(scope, std::string(kRequestSelect), "r.organisation_id");
    q.And("r.id = ", id.value());
    auto row = tx.QueryOne(q.sql(), q.params());
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<ServiceRequest>{};
    return std::optional<ServiceRequest>(RequestFromRow(**row));
}

Result<std::vector<RequestType>> LoadTypes(storage::Transaction& tx, const std::optional<std::string>& key) {
    std::string sql =
        "SELECT t.id, t.type_key, t.names, t.form_version, f.definition, t.active FROM sd_request_types t "
        "JOIN sd_form_versions f ON f.type_id = t.id AND f.version = t.form_version";
    std::vector<storage::Param> params;
    if (key) {
        sql += " WHERE t.type_key = $1";
        params.emplace_back(*key);
    }
    sql += " ORDER BY t.sort_order, t.id";
    auto rows = tx.Query(sql, params);
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<RequestType> out;
    for (const auto& r : rows->rows) {
        RequestType t;
        t.id = r.GetInt(0);
        t.key = r.GetText(1);
        t.names = ObjectOf(r.GetText(2));
        t.form_version = r.GetInt(3);
        t.form = ObjectOf(r.GetText(4));
        t.active = r.GetBool(5);
        out.push_back(std::move(t));
    }
    return out;
}

Result<std::vector<ServiceGroup>> LoadGroups(storage::Transaction& tx) {
    auto rows = tx.Query(
        "SELECT id, group_key, names, tier, tier_default FROM sd_service_groups WHERE active = 1 "
        "ORDER BY sort_order, id");
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<ServiceGroup> out;
    for (const auto& r : rows->rows) {
        ServiceGroup g;
        g.id = r.GetInt(0);
        g.key = r.GetText(1);
        g.names = ObjectOf(r.GetText(2));
        g.tier = ParseTier(r.GetText(3)).value_or(Tier::kCustomerService);
        g.tier_default = r.GetBool(4);
        out.push_back(std::move(g));
    }
    return out;
}

Result<std::vector<Message>> LoadMessages(storage::Transaction& tx, RequestId id, bool with_notes) {
    std::string sql =
        "SELECT id, request_id, kind, direction, channel, author_user_id, author_contact_id, author_name, body, "
        "message_id, in_reply_to, created_at FROM sd_messages WHERE request_id = $1";
    if (!with_notes) sql += " AND kind = 'reply'";
    sql += " ORDER BY created_at, id";
    auto rows = tx.Query(sql, {id.value()});
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<Message> out;
    for (const auto& r : rows->rows) {
        Message m;
        m.id = r.GetInt(0);
        m.request = RequestId(r.GetInt(1));
        m.note = r.GetText(2) == "note";
        m.from_customer = r.GetText(3) == "customer";
        m.channel = ParseChannel(r.GetText(4)).value_or(Channel::kPortal);
        m.author_user_id = r.GetOptInt(5);
        m.author_contact_id = r.GetOptInt(6);
        m.author_name = r.GetText(7);
        m.body = r.GetText(8);
        m.message_id = r.GetOptText(9);
        m.in_reply_to = r.GetOptText(10);
        m.created_at = ParseTs(r.GetText(11));
        out.push_back(std::move(m));
    }
    return out;
}

Result<std::vector<Attachment>> LoadAttachments(storage::Transaction& tx, RequestId id, bool with_internal,
                                                std::optional<std::int64_t> only) {
    std::string sql =
        "SELECT id, request_id, message_id, internal, filename, content_type, size, sha256, uploaded_by, created_at "
        "FROM sd_attachments WHERE request_id = $1";
    std::vector<storage::Param> params = {id.value()};
    if (!with_internal) sql += " AND internal = 0";
    if (only) {
        sql += " AND id = $2";
        params.emplace_back(*only);
    }
    sql += " ORDER BY id";
    auto rows = tx.Query(sql, params);
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<Attachment> out;
    for (const auto& r : rows->rows) {
        Attachment a;
        a.id = r.GetInt(0);
        a.request = RequestId(r.GetInt(1));
        a.message = r.GetOptInt(2);
        a.internal = r.GetBool(3);
        a.filename = r.GetText(4);
        a.content_type = r.GetText(5);
        a.size = r.GetInt(6);
        a.sha256 = r.GetText(7);
        a.uploaded_by = r.GetText(8);
        a.created_at = ParseTs(r.GetText(9));
        out.push_back(std::move(a));
    }
    return out;
}

Result<std::vector<Link>> LoadLinks(storage::Transaction& tx, const core::AccessScope& scope, RequestId id) {
    std::vector<Link> out;
    for (bool outgoing : {true, false}) {
        accounts::ScopedSql q(
            scope,
            fmt::format("SELECT l.id, l.from_request_id, l.to_request_id, o.number, l.kind, l.created_by, l.created_at "
                        "FROM sd_links l JOIN sd_requests o ON o.id = l.{} WHERE TRUE",
                        outgoing ? "to_request_id" : "from_request_id"),
            "o.organisation_id");
        q.And(outgoing ? "l.from_request_id = " : "l.to_request_id = ", id.value());
        q.Raw(" ORDER BY l.id");
        auto rows = tx.Query(q.sql(), q.params());
        if (!rows) return Fail(std::move(rows.error()));
        for (const auto& r : rows->rows) {
            Link l;
            l.id = r.GetInt(0);
            l.from = RequestId(r.GetInt(1));
            l.to = RequestId(r.GetInt(2));
            l.to_number = r.GetText(3);
            l.kind = ParseLinkKind(r.GetText(4)).value_or(LinkKind::kRelated);
            l.outgoing = outgoing;
            l.created_by = r.GetText(5);
            l.created_at = ParseTs(r.GetText(6));
            out.push_back(std::move(l));
        }
    }
    return out;
}

Result<std::vector<CannedResponse>> LoadCanned(storage::Transaction& tx, std::optional<std::int64_t> id,
                                               const std::optional<std::string>& language) {
    std::string sql =
        "SELECT c.id, c.name, c.language, c.body, g.group_key, c.version, c.created_by, c.created_at, c.updated_at "
        "FROM sd_canned_responses c LEFT JOIN sd_service_groups g ON g.id = c.group_id WHERE c.deleted_at IS NULL";
    std::vector<storage::Param> params;
    if (id) {
        params.emplace_back(*id);
        sql += " AND c.id = $" + std::to_string(params.size());
    }
    if (language) {
        params.emplace_back(*language);
        sql += " AND c.language = $" + std::to_string(params.size());
    }
    sql += " ORDER BY c.name, c.language, c.id";
    auto rows = tx.Query(sql, params);
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<CannedResponse> out;
    for (const auto& r : rows->rows) {
        CannedResponse c;
        c.id = r.GetInt(0);
        c.name = r.GetText(1);
        c.language = r.GetText(2);
        c.body = r.GetText(3);
        c.group = r.GetOptText(4);
        c.version = r.GetInt(5);
        c.created_by = r.GetText(6);
        c.created_at = ParseTs(r.GetText(7));
        c.updated_at = ParseTs(r.GetText(8));
        out.push_back(std::move(c));
    }
    return out;
}

}  // namespace detail

// ---- JSON forms ----

namespace {
boost::json::value OptInt(const std::optional<std::int64_t>& v) { return v ? boost::json::value(*v) : nullptr; }
boost::json::value OptText(const std::optional<std::string>& v) { return v ? boost::json::value(*v) : nullptr; }
}  // namespace

boost::json::object ToJson(const ServiceRequest& r, bool staff, boost::json::storage_ptr sp) {
    // Built in `sp` throughout (a list answer passes a monotonic resource: no per-node malloc/free).
    auto text = [&sp](std::string_view v) { return boost::json::value(boost::json::string(v, sp)); };
    auto opt_text = [&](const std::optional<std::string>& v) { return v ? text(*v) : boost::json::value(nullptr); };
    auto opt_time = [&](const std::optional<core::Timestamp>& t) {
        return t ? text(core::FormatTimestamp(*t)) : boost::json::value(nullptr);
    };
    boost::json::object o(sp);
    o.reserve(32);
    o.emplace("id", r.id.value());
    o.emplace("number", text(r.number));
    o.emplace("organisation_id", r.organisation.value());
    o.emplace("organisation_name", text(r.organisation_name));
    boost::json::object requester(sp);
    requester.reserve(4);
    requester.emplace("contact_id", OptInt(r.requester_contact_id));
    requester.emplace("user_id", OptInt(r.requester_user_id));
    requester.emplace("name", text(r.requester_name));
    requester.emplace("email", opt_text(r.requester_email));
    o.emplace("requester", std::move(requester));
    o.emplace("type", text(r.type));
    o.emplace("form_version", r.form_version);
    o.emplace("priority", text(PriorityName(r.priority)));
    o.emplace("channel", text(ChannelName(r.channel)));
    o.emplace("language", text(r.language));
    o.emplace("subject", text(r.subject));
    o.emplace("body", text(r.body));
    o.emplace("form", boost::json::value(r.form, sp));
    o.emplace("status", text(StatusName(r.status)));
    o.emplace("tier", text(TierName(r.tier)));
    o.emplace("group", opt_text(r.group));
    o.emplace("assignee_id", OptInt(r.assignee_id));
    o.emplace("assignee_name", r.assignee_id ? text(r.assignee_name) : boost::json::value(nullptr));
    boost::json::array tags(sp);
    for (const auto& t : r.tags) tags.push_back(text(t));
    o.emplace("tags", std::move(tags));
    o.emplace("merged_into_id", r.merged_into ? boost::json::value(r.merged_into->value()) : nullptr);
    o.emplace("due_at", r.due_at == kNoDue ? boost::json::value(nullptr) : text(r.due_at));
    o.emplace("version", r.version);
    o.emplace("created_at", text(core::FormatTimestamp(r.created_at)));
    o.emplace("updated_at", text(core::FormatTimestamp(r.updated_at)));
    o.emplace("first_response_at", opt_time(r.first_response_at));
    o.emplace("resolved_at", opt_time(r.resolved_at));
    o.emplace("closed_at", opt_time(r.closed_at));
    boost::json::array allowed(sp);
    for (auto s : AllowedTransitions(r.status)) allowed.push_back(text(StatusName(s)));
    o.emplace("allowed_transitions", std::move(allowed));
    if (staff) o.emplace("routing", boost::json::value(r.routing, sp));
    if (r.reply_count || r.attachment_count) {
        boost::json::object counts(sp);
        counts.emplace("replies", OptInt(r.reply_count));
        counts.emplace("attachments", OptInt(r.attachment_count));
        if (staff) counts.emplace("notes", OptInt(r.note_count));
        o.emplace("counts", std::move(counts));
    }
    for (const auto& kv : r.extra) o[kv.key()] = boost::json::value(kv.value(), sp);
    return o;
}

boost::json::object ToJson(const RequestType& t) {
    return {{"key", t.key}, {"names", t.names}, {"form_version", t.form_version}, {"form", t.form}, {"active", t.active}};
}

boost::json::object ToJson(const FormVersion& v) {
    return {{"version", v.version},
            {"definition", v.definition},
            {"comment", v.comment},
            {"created_by", v.created_by},
            {"created_at", core::FormatTimestamp(v.created_at)}};
}

boost::json::object ToJson(const ServiceGroup& g) {
    return {{"key", g.key}, {"names", g.names}, {"tier", TierName(g.tier)}, {"tier_default", g.tier_default}};
}

boost::json::object ToJson(const Message& m) {
    return {{"id", m.id},
            {"request_id", m.request.value()},
            {"kind", m.note ? "note" : "reply"},
            {"direction", m.from_customer ? "customer" : "agent"},
            {"channel", ChannelName(m.channel)},
            {"author_user_id", OptInt(m.author_user_id)},
            {"author_contact_id", OptInt(m.author_contact_id)},
            {"author_name", m.author_name},
            {"body", m.body},
            {"message_id", OptText(m.message_id)},
            {"in_reply_to", OptText(m.in_reply_to)},
            {"created_at", core::FormatTimestamp(m.created_at)}};
}

boost::json::object ToJson(const Attachment& a) {
    return {{"id", a.id},
            {"request_id", a.request.value()},
            {"internal", a.internal},
            {"filename", a.filename},
            {"content_type", a.content_type},
            {"size", a.size},
            {"sha256", a.sha256},
            {"uploaded_by", a.uploaded_by},
            {"created_at", core::FormatTimestamp(a.created_at)},
            {"href", fmt::format("/api/v1/servicedesk/requests/{}/attachments/{}", a.request.value(), a.id)}};
}

boost::json::object ToJson(const Link& l) {
    return {{"id", l.id},
            {"from_id", l.from.value()},
            {"to_id", l.to.value()},
            {"other_number", l.to_number},
            {"kind", LinkKindName(l.kind)},
            {"direction", l.outgoing ? "outgoing" : "incoming"},
            {"created_by", l.created_by},
            {"created_at", core::FormatTimestamp(l.created_at)}};
}

boost::json::object ToJson(const CannedResponse& c) {
    return {{"id", c.id},
            {"name", c.name},
            {"language", c.language},
            {"body", c.body},
            {"group", OptText(c.group)},
            {"version", c.version},
            {"created_by", c.created_by},
            {"created_at", core::FormatTimestamp(c.created_at)},
            {"updated_at", core::FormatTimestamp(c.updated_at)}};
}

}  // namespace customsdesk::servicedesk
