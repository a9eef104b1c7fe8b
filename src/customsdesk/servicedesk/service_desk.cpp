#include "customsdesk/servicedesk/service_desk.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <random>
#include <set>

#include "customsdesk/accounts/data_scope.hpp"
#include "customsdesk/core/base64.hpp"
#include "customsdesk/core/identifiers.hpp"
#include "customsdesk/core/json.hpp"
#include "customsdesk/rules/json_values.hpp"
#include "customsdesk/servicedesk/store.hpp"

namespace customsdesk::servicedesk {

using core::Error;
using core::Fail;
using core::Result;
using detail::kRequestSelect;

namespace {

Error RequestNotFound(RequestId id) {
    return Error::NotFound(fmt::format("There is no service request {}.", id.value()));
}

bool IsWorker(const core::Principal& p) {
    return p.IsStaff() && (p.Has(core::Role::kAgent) || p.Has(core::Role::kSpecialist) || p.Has(core::Role::kKam) ||
                           p.Has(core::Role::kAdmin));
}

Error WorkerDenied() { return Error::PermissionDenied("Your role may not change service requests."); }

std::string Ts(core::Timestamp t) { return core::FormatTimestamp(t); }
storage::Param OptTs(const std::optional<core::Timestamp>& t) {
    return t ? storage::Param(core::FormatTimestamp(*t)) : storage::Null();
}

std::string TagsJson(const std::vector<std::string>& tags) {
    boost::json::array a;
    for (const auto& t : tags) a.emplace_back(t);
    return boost::json::serialize(a);
}

// The history record of a request: the fields whose changes are tracked.
boost::json::object RecordJson(const ServiceRequest& r) {
    boost::json::array tags;
    for (const auto& t : r.tags) tags.emplace_back(t);
    return {{"number", r.number},
            {"organisation_id", r.organisation.value()},
            {"type", r.type},
            {"priority", PriorityName(r.priority)},
            {"channel", ChannelName(r.channel)},
            {"language", r.language},
            {"subject", r.subject},
            {"body", r.body},
            {"form", r.form},
            {"status", StatusName(r.status)},
            {"tier", TierName(r.tier)},
            {"group", r.group ? boost::json::value(*r.group) : nullptr},
            {"assignee_id", r.assignee_id ? boost::json::value(*r.assignee_id) : nullptr},
            {"tags", tags},
            {"merged_into_id", r.merged_into ? boost::json::value(r.merged_into->value()) : nullptr},
            {"requester_contact_id", r.requester_contact_id ? boost::json::value(*r.requester_contact_id) : nullptr}};
}

Error IllegalTransition(Status from, Status to) {
    return Error::Conflict(fmt::format("A request in status {} cannot move to {}.", StatusName(from), StatusName(to)))
        .WithType("illegal-transition");
}

std::string RandomHex(int bytes) {
    thread_local std::mt19937_64 gen{std::random_device{}()};
    std::string out;
    for (int i = 0; i < bytes; ++i) out += fmt::format("{:02x}", static_cast<unsigned>(gen() & 0xff));
    return out;
}

std::string NormaliseMessageId(std::string_view id) {
    std::string s(core::TrimAscii(id));
    if (s.empty()) return s;
    if (s.front() != '<') s = "<" + s;
    if (s.back() != '>') s += ">";
    return s;
}

std::string Lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Texts of the notifications, by language.
struct NotificationText {
    std::string_view received, replied, resolved, footer;
};
const NotificationText& TextsFor(std::string_view language) {
    static const NotificationText fi{
        "Kiitos yhteydenotostanne. Palvelupyyntönne on vastaanotettu numerolla {number}.",
        "Palvelupyyntöönne {number} on vastattu:",
        "Palvelupyyntönne {number} on ratkaistu. Jos asia ei ratkennut, vastatkaa tähän viestiin {days} päivän "
        "kuluessa.",
        "Vastatkaa tähän viestiin, niin vastauksenne liitetään palvelupyyntöön {number}."};
    static const NotificationText sv{
        "Tack för ert meddelande. Er servicebegäran har tagits emot med nummer {number}.",
        "Er servicebegäran {number} har besvarats:",
        "Er servicebegäran {number} har lösts. Om ärendet inte är löst, svara på detta meddelande inom {days} "
        "dagar.",
        "Svara på detta meddelande så kopplas ert svar till servicebegäran {number}."};
    static const NotificationText en{
        "Thank you for contacting us. Your service request has been received as {number}.",
        "Your service request {number} has been answered:",
        "Your service request {number} has been resolved. If the matter is not settled, reply to this message "
        "within {days} days.",
        "Reply to this message and your answer is added to service request {number}."};
    if (language == "sv") return sv;
    if (language == "en") return en;
    return fi;
}

std::string Fill(std::string_view text, const ServiceRequest& r, int days) {
    std::string out(text);
    auto replace = [&out](std::string_view from, const std::string& to) {
        for (auto pos = out.find(from); pos != std::string::npos; pos = out.find(from, pos + to.size()))
            out.replace(pos, from.size(), to);
    };
    replace("{number}", r.number);
    replace("{days}", std::to_string(days));
    return out;
}

constexpr std::string_view kPlaceholders[] = {"request.number", "request.subject", "requester.name",
                                              "organisation.name", "agent.name", "group.name"};

// Every {{name}} in `body` must be a known placeholder.
void CheckPlaceholders(std::string_view body, core::FieldErrors& errs) {
    for (auto pos = body.find("{{"); pos != std::string_view::npos; pos = body.find("{{", pos + 2)) {
        const auto end = body.find("}}", pos);
        if (end == std::string_view::npos) {
            errs.Add("/body", "placeholder", "A placeholder {{...}} is not closed.");
            return;
        }
        const auto name = core::TrimAscii(body.substr(pos + 2, end - pos - 2));
        if (std::find(std::begin(kPlaceholders), std::end(kPlaceholders), name) == std::end(kPlaceholders)) {
            errs.Add("/body", "unknown_placeholder",
                     fmt::format("Unknown placeholder {{{{{}}}}}; known: request.number, request.subject, "
                                 "requester.name, organisation.name, agent.name, group.name.",
                                 name));
            return;
        }
    }
}

std::optional<std::string> NormaliseTag(std::string_view raw) {
    std::string t = Lower(std::string(core::TrimAscii(raw)));
    if (t.empty() || t.size() > kMaxTagLength) return std::nullopt;
    for (char c : t)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')) return std::nullopt;
    return t;
}

// A display name safe to echo in a Content-Disposition header: the last path segment, control
// characters, quotes and separators replaced, at most 200 bytes; "attachment" if nothing remains.
std::string SanitiseFilename(std::string_view raw) {
    std::string_view name = raw;
    if (auto slash = name.find_last_of("/\\"); slash != std::string_view::npos) name = name.substr(slash + 1);
    std::string out;
    for (char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f || c == '"' || c == '\\' || c == '/' || c == ';' || c == ':' || c == '*' ||
            c == '?' || c == '<' || c == '>' || c == '|')
            out += '_';
        else
            out += c;
    }
    while (!out.empty() && (out.front() == '.' || out.front() == ' ')) out.erase(out.begin());
    if (out.size() > 200) out.resize(200);
    // Do not cut a UTF-8 sequence in half.
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
    if (!out.empty() && (static_cast<unsigned char>(out.back()) & 0x80)) out.pop_back();
    if (out.empty()) out = "attachment";
    return out;
}

// The declared type must agree with the content's signature for the types that have one.
bool ContentMatches(std::string_view type, std::string_view bytes) {
    auto starts = [&](std::string_view magic) { return bytes.substr(0, magic.size()) == magic; };
    if (type == "application/pdf") return starts("%PDF-");
    if (type == "image/png") return starts("\x89PNG\r\n\x1a\n");
    if (type == "image/jpeg") return starts("\xff\xd8\xff");
    if (type == "image/gif") return starts("GIF87a") || starts("GIF89a");
    if (type == "application/zip" || type.starts_with("application/vnd.openxmlformats"))
        return starts(std::string_view("PK\x03\x04", 4));
    if (type.starts_with("text/") || type == "application/json" || type == "application/xml") {
        return bytes.find('\0') == std::string_view::npos;
    }
    return true;
}

std::string Sha256Hex(std::string_view bytes) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    std::string out;
    for (unsigned char b : digest) out += fmt::format("{:02x}", b);
    return out;
}

// Keyset cursor over (due_at, id).
std::string EncodeCursor(const std::string& due, std::int64_t id) {
    return core::Base64UrlEncode(fmt::format("q{}|{}", due, id));
}
std::optional<std::pair<std::string, std::int64_t>> DecodeCursor(const std::string& c) {
    auto raw = core::Base64UrlDecode(c);
    if (!raw || raw->size() < 4 || (*raw)[0] != 'q') return std::nullopt;
    const auto bar = raw->find('|');
    if (bar == std::string::npos || bar != 28) return std::nullopt;
    std::string due = raw->substr(1, bar - 1);
    if (!core::ParseTimestamp(due)) return std::nullopt;
    std::int64_t id = 0;
    for (std::size_t i = bar + 1; i < raw->size(); ++i) {
        const char ch = (*raw)[i];
        if (ch < '0' || ch > '9' || i - bar > 19) return std::nullopt;
        id = id * 10 + (ch - '0');
    }
    if (id <= 0) return std::nullopt;
    return std::pair{due, id};
}

}  // namespace

const std::vector<std::string>& AllowedAttachmentTypes() {
    static const std::vector<std::string> types = {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "text/plain",
        "text/csv",
        "application/xml",
        "text/xml",
        "application/json",
        "application/zip",
        "message/rfc822",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/msword",
        "application/vnd.ms-excel",
    };
    return types;
}

// ---------------------------------------------------------------------------------------------
// Construction, routing

ServiceDeskService::ServiceDeskService(storage::Database& db, const core::Clock& clock,
                                       ruleset::RulesetService& rulesets, ServiceDeskOptions options)
    : db_(db), clock_(clock), rulesets_(rulesets), options_(std::move(options)) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

Result<bool> ServiceDeskService::InstallDefaultRouting() {
    std::vector<ruleset::TestCase> tests;
    auto add = [&tests](std::string name, std::string type, boost::json::value group_of_customer, std::string language,
                        boost::json::object form, std::string group, std::string tier) {
        ruleset::TestCase t;
        t.name = std::move(name);
        t.decision = "Routing";
        t.inputs = {{"requestType", type}, {"customerGroup", group_of_customer}, {"language", language}, {"form", form}};
        t.expected = boost::json::object{{"group", group}, {"tier", tier}};
        tests.push_back(std::move(t));
    };
    add("EDI malfunction to EDI support", "malfunction_report", nullptr, "fi", {{"system", "edi_messages"}},
        "edi_support", "support");
    add("API malfunction to EDI support", "malfunction_report", "small", "en", {{"system", "api"}}, "edi_support",
        "support");
    add("Portal malfunction to customer service", "malfunction_report", nullptr, "fi",
        {{"system", "customs_portal"}}, "customer_service", "customer_service");
    add("Tariff question to tariff classification", "question", nullptr, "sv", {{"topic", "tariff_classification"}},
        "tariff_classification", "support");
    add("Key customer's procedure question to customs procedures", "question", "key", "fi",
        {{"topic", "customs_procedures"}}, "customs_procedures", "support");
    add("Small customer's procedure question to customer service", "question", "small", "fi",
        {{"topic", "customs_procedures"}}, "customer_service", "customer_service");
    add("Change report to customer service", "change_report", "partnership", "fi", {}, "customer_service",
        "customer_service");
    add("Complaint to customer service", "complaint", nullptr, "en", {}, "customer_service", "customer_service");
    return rulesets_.InstallDefault(kRoutingRuleset, "Service desk routing", ShippedRoutingDmn(), tests);
}

boost::json::object DecideRouting(const rules::Model* model, std::int64_t version, const std::string& type,
                                  const std::optional<std::string>& customer_group, const std::string& language,
                                  const boost::json::object& form) {
    boost::json::object out{{"ruleset", kRoutingRuleset}, {"version", nullptr},
                            {"group", "customer_service"}, {"tier", "customer_service"}};
    if (model == nullptr) {
        out["reason"] = "no active routing table";
        return out;
    }
    out["version"] = version;
    rules::Context ctx;
    ctx.Put("requestType", rules::Value::Str(type));
    ctx.Put("customerGroup", customer_group ? rules::Value::Str(*customer_group) : rules::Value());
    ctx.Put("language", rules::Value::Str(language));
    ctx.Put("form", rules::FromJson(boost::json::value(form)));
    rules::EvalLimits limits;
    limits.max_steps = 200'000;
    rules::EvalContext ectx(limits, model->type_resolver());
    const auto& decisions = model->definitions().decisions;
    const std::string decision = decisions.empty() ? "Routing" : decisions.front().name;
    auto v = model->Evaluate(decision, ctx, ectx);
    if (!v) {
        out["reason"] = "routing failed: " + v.error().message;
        return out;
    }
    auto json = core::ParseJson(rules::ToJson(*v));
    if (json && json->is_object()) {
        const auto& o = json->as_object();
        if (const auto* g = o.if_contains("group"); g && g->is_string()) out["group"] = *g;
        if (const auto* t = o.if_contains("tier"); t && t->is_string()) out["tier"] = *t;
    } else {
        out["reason"] = "no rule matched";
    }
    return out;
}

namespace {

boost::json::object Decide(const ruleset::RulesetService::ActiveModel* active, const std::string& type,
                           const std::optional<std::string>& customer_group, const std::string& language,
                           const boost::json::object& form) {
    if (active == nullptr) return DecideRouting(nullptr, 0, type, customer_group, language, form);
    return DecideRouting(active->model.get(), active->version, type, customer_group, language, form);
}

}  // namespace

Result<boost::json::object> ServiceDeskService::Route(const std::string& type,
                                                      const std::optional<std::string>& customer_group,
                                                      const std::string& language, const boost::json::object& form) {
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<boost::json::object> {
        auto active = rulesets_.ActiveModelOf(tx, kRoutingRuleset);
        if (!active) return Fail(std::move(active.error()));
        return Decide(*active ? &**active : nullptr, type, customer_group, language, form);
    });
}

// ---------------------------------------------------------------------------------------------
// Types, forms, groups

Result<std::shared_ptr<const FormDefinition>> ServiceDeskService::FormOf(storage::Transaction& tx,
                                                                         std::int64_t type_id, std::int64_t version) {
    {
        std::lock_guard lock(forms_mutex_);
        if (auto it = forms_.find({type_id, version}); it != forms_.end()) return it->second;
    }
    auto row = tx.QueryOne("SELECT definition FROM sd_form_versions WHERE type_id = $1 AND version = $2",
                           {type_id, version});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return Fail(Error::Internal("a request type's form version is missing"));
    auto json = core::ParseJson((*row)->GetText(0));
    if (!json) return Fail(Error::Internal("a stored form is not JSON"));
    auto def = ParseFormDefinition(*json);
    if (!def) return Fail(Error::Internal("a stored form no longer parses: " + def.error().message));
    auto shared = std::make_shared<const FormDefinition>(std::move(*def));
    std::lock_guard lock(forms_mutex_);
    forms_.emplace(std::pair{type_id, version}, shared);
    return shared;
}

Result<std::vector<RequestType>> ServiceDeskService::ListTypes(const core::Principal&) {
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<std::vector<RequestType>> {
        return detail::LoadTypes(tx, std::nullopt);
    });
}

Result<RequestType> ServiceDeskService::GetType(const core::Principal&, std::string_view key) {
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<RequestType> {
        auto types = detail::LoadTypes(tx, std::string(key));
        if (!types) return Fail(std::move(types.error()));
        if (types->empty()) return Fail(Error::NotFound(fmt::format("There is no request type '{}'.", key)));
        return std::move(types->front());
    });
}

Result<std::vector<FormVersion>> ServiceDeskService::FormVersions(const core::Principal& actor, std::string_view key) {
    auto type = GetType(actor, key);
    if (!type) return Fail(std::move(type.error()));
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<std::vector<FormVersion>> {
        auto rows = tx.Query(
            "SELECT version, definition, comment, created_by, created_at FROM sd_form_versions WHERE type_id = $1 "
            "ORDER BY version DESC",
            {type->id});
        if (!rows) return Fail(std::move(rows.error()));
        std::vector<FormVersion> out;
        for (const auto& r : rows->rows) {
            FormVersion v;
            v.version = r.GetInt(0);
            auto def = core::ParseJsonObject(r.GetText(1));
            if (def) v.definition = std::move(*def);
            v.comment = r.GetText(2);
            v.created_by = r.GetText(3);
            v.created_at = core::ParseTimestamp(r.GetText(4)).value_or(core::Timestamp{});
            out.push_back(std::move(v));
        }
        return out;
    });
}

Result<RequestType> ServiceDeskService::UpdateForm(const core::Principal& actor, std::string_view key,
                                                   const boost::json::object& body) {
    if (!actor.IsStaff() || !actor.Has(core::Role::kAdmin)) {
        return Fail(Error::PermissionDenied("Only administrators may change forms."));
    }
    core::FieldErrors errs;
    core::ObjectReader r(body, errs);
    const auto comment = r.String("comment", false, 2000).value_or("");
    r.Array("fields", true, kMaxFormFields);
    r.RejectUnknown({"fields", "comment"});
    if (auto ok = errs.ToResult(); !ok) return Fail(std::move(ok.error()));
    boost::json::object definition{{"fields", body.at("fields")}};
    if (boost::json::serialize(definition).size() > kMaxFormDefinitionBytes) {
        return Fail(Error::InvalidArgument("The form is too large.", {{"/fields", "max_length", "At most 256 KiB."}}));
    }
    auto parsed = ParseFormDefinition(definition);
    if (!parsed) return Fail(std::move(parsed.error()));
    const auto now = clock_.Now();
    auto updated = storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<RequestType> {
        auto types = detail::LoadTypes(tx, std::string(key));
        if (!types) return Fail(std::move(types.error()));
        if (types->empty()) return Fail(Error::NotFound(fmt::format("There is no request type '{}'.", key)));
        const RequestType before = types->front();
        const std::int64_t next = before.form_version + 1;
        auto ins = tx.Execute(
            "INSERT INTO sd_form_versions (type_id, version, definition, comment, created_by, created_at) "
            "VALUES ($1, $2, $3, $4, $5, $6)",
            {before.id, next, boost::json::serialize(definition), comment, actor.username, Ts(now)});
        if (!ins) {
            if (ins.error().code == core::ErrorCode::kAlreadyExists)
                return Fail(Error::Conflict("The form was changed at the same time; reload and retry."));
            return Fail(std::move(ins.error()));
        }
        auto upd = tx.Execute("UPDATE sd_request_types SET form_version = $1 WHERE id = $2 AND form_version = $3",
                              {next, before.id, before.form_version});
        if (!upd) return Fail(std::move(upd.error()));
        if (*upd != 1) return Fail(Error::Conflict("The form was changed at the same time; reload and retry."));
        history::ChangeRecord rec{"sd_request_type", before.id, std::nullopt, history::ChangeAction::kUpdate,
                                  {{"form_version", before.form_version, next},
                                   {"form", before.form, definition},
                                   {"comment", nullptr, boost::json::value(comment)}}};
        if (auto h = history::RecordChange(tx, actor, now, rec); !h) return Fail(std::move(h.error()));
        RequestType after = before;
        after.form_version = next;
        after.form = definition;
        return after;
    });
    if (updated) catalogue_generation_.fetch_add(1, std::memory_order_acq_rel);  // the catalogue reloads
    return updated;
}

Result<std::vector<ServiceGroup>> ServiceDeskService::ListGroups(const core::Principal&) {
    return storage::InReadTx(db_, [&](storage::Transaction& tx) { return detail::LoadGroups(tx); });
}

// ---------------------------------------------------------------------------------------------
// Requests

Result<void> ServiceDeskService::Fire(storage::Transaction& tx, const ServiceRequest& r, std::string_view event,
                                      core::Timestamp now) {
    if (observer_ == nullptr) return {};
    return observer_->OnEvent(tx, r, event, now);
}

Result<void> ServiceDeskService::DecorateAll(storage::Transaction& tx, std::vector<ServiceRequest*> rs) {
    if (observer_ == nullptr || rs.empty()) return {};
    return observer_->Decorate(tx, std::move(rs));
}

// ---------------------------------------------------------------------------------------------
// Creating requests: the catalogue, the read-only preparation and the writes

struct ServiceDeskService::Catalogue {
    struct Type {
        std::int64_t id = 0;
        std::int64_t form_version = 0;
        bool active = true;
        std::shared_ptr<const FormDefinition> form;
    };
    std::map<std::string, Type, std::less<>> types;  // by key
    std::vector<ServiceGroup> groups;                 // active ones, in display order
    std::optional<ruleset::RulesetService::ActiveModel> routing;

    [[nodiscard]] const Type* TypeOf(std::string_view key) const {
        auto it = types.find(key);
        return it == types.end() ? nullptr : &it->second;
    }
    [[nodiscard]] const ServiceGroup* Group(std::string_view key) const {
        for (const auto& g : groups)
            if (g.key == key) return &g;
        return nullptr;
    }
};

Result<std::shared_ptr<const ServiceDeskService::Catalogue>> ServiceDeskService::CatalogueOf(
    storage::Transaction& tx) {
    const std::uint64_t generation = catalogue_generation_.load(std::memory_order_acquire);
    auto row = tx.QueryOne(
        "SELECT (SELECT v.id FROM ruleset_versions v JOIN rulesets r ON r.id = v.ruleset_id "
        "WHERE r.ruleset_key = $1 AND v.state = 'active'), (SELECT COUNT(*) FROM sd_request_types), "
        "(SELECT CAST(COALESCE(SUM(form_version), 0) AS BIGINT) FROM sd_request_types), "
        "(SELECT CAST(COALESCE(SUM(active), 0) AS BIGINT) FROM sd_request_types), "
        "(SELECT COUNT(*) FROM sd_service_groups), "
        "(SELECT CAST(COALESCE(SUM(active + 2 * tier_default), 0) AS BIGINT) FROM sd_service_groups)",
        {std::string(kRoutingRuleset)});
    if (!row) return Fail(std::move(row.error()));
    const auto& r = **row;
    std::string stamp = fmt::format("{}|{}|{}|{}|{}|{}|{}", generation, r.GetOptInt(0).value_or(0), r.GetInt(1),
                                    r.GetInt(2), r.GetInt(3), r.GetInt(4), r.GetInt(5));
    {
        std::lock_guard lock(catalogue_mutex_);
        if (catalogue_ && stamp == catalogue_stamp_) return catalogue_;
    }
    auto cat = std::make_shared<Catalogue>();
    auto types = detail::LoadTypes(tx, std::nullopt);
    if (!types) return Fail(std::move(types.error()));
    for (auto& t : *types) {
        auto def = ParseFormDefinition(boost::json::value(t.form));
        if (!def) return Fail(Error::Internal("a stored form no longer parses: " + def.error().message));
        cat->types.emplace(t.key, Catalogue::Type{t.id, t.form_version, t.active,
                                                  std::make_shared<const FormDefinition>(std::move(*def))});
    }
    auto groups = detail::LoadGroups(tx);
    if (!groups) return Fail(std::move(groups.error()));
    cat->groups = std::move(*groups);
    auto active = rulesets_.ActiveModelOf(tx, kRoutingRuleset);
    if (!active) return Fail(std::move(active.error()));
    cat->routing = std::move(*active);
    std::shared_ptr<const Catalogue> out = std::move(cat);
    std::lock_guard lock(catalogue_mutex_);
    catalogue_stamp_ = std::move(stamp);
    catalogue_ = out;
    return out;
}

namespace {

struct OrganisationInfo {
    std::string name;
    std::optional<std::string> customer_group;
    bool deleted = false;
};

Result<std::optional<OrganisationInfo>> LoadOrganisationInfo(storage::Transaction& tx, std::int64_t id) {
    auto row = tx.QueryOne("SELECT name, customer_group, deleted_at FROM organisations WHERE id = $1", {id});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<OrganisationInfo>{};
    return std::optional<OrganisationInfo>(
        OrganisationInfo{(*row)->GetText(0), (*row)->GetOptText(1), (*row)->GetOptText(2).has_value()});
}

}  // namespace

Result<void> ServiceDeskService::PrepareNew(storage::Transaction& tx, const Catalogue& catalogue, ServiceRequest& sr,
                                            const std::optional<std::string>& customer_group, core::Timestamp now) {
    // Routing (one contact principle).
    sr.routing = Decide(catalogue.routing ? &*catalogue.routing : nullptr, sr.type, customer_group, sr.language,
                        sr.form);
    const std::string wanted(sr.routing.at("group").as_string());
    const ServiceGroup* group = catalogue.Group(wanted);
    if (group == nullptr) {
        sr.routing["reason"] = fmt::format("unknown group '{}': customer service", wanted);
        group = catalogue.Group("customer_service");
    }
    if (group != nullptr) {
        sr.group = group->key;
        sr.tier = group->tier;
    } else {
        sr.group.reset();
        sr.tier = Tier::kCustomerService;
    }
    sr.created_at = sr.updated_at = now;
    sr.version = 1;
    if (observer_ != nullptr) return observer_->PrepareNew(tx, sr, customer_group, now);
    return {};
}

Result<void> ServiceDeskService::WriteNew(storage::Transaction& tx, const core::Principal& actor, ServiceRequest& sr,
                                          std::int64_t type_id, core::Timestamp now,
                                          const std::optional<std::string>& first_message_id) {
    const int year = static_cast<int>(
        std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(now)).year());
    auto serial = tx.QueryOne(
        "INSERT INTO sd_serials (year, last_serial) VALUES ($1, 1) "
        "ON CONFLICT (year) DO UPDATE SET last_serial = sd_serials.last_serial + 1 RETURNING last_serial",
        {static_cast<std::int64_t>(year)});
    if (!serial) return Fail(std::move(serial.error()));
    sr.number = FormatRequestNumber(year, (*serial)->GetInt(0));
    const std::string now_text = Ts(now);
    std::vector<storage::Param> params = {sr.number,
                                          sr.organisation.value(),
                                          storage::Opt(sr.requester_contact_id),
                                          storage::Opt(sr.requester_user_id),
                                          sr.requester_name,
                                          storage::Opt(sr.requester_email),
                                          type_id,
                                          sr.form_version,
                                          std::string(PriorityName(sr.priority)),
                                          std::string(ChannelName(sr.channel)),
                                          sr.language,
                                          sr.subject,
                                          sr.body,
                                          boost::json::serialize(sr.form),
                                          std::string(StatusName(sr.status)),
                                          std::string(TierName(sr.tier)),
                                          storage::Opt(sr.group),
                                          TagsJson(sr.tags),
                                          boost::json::serialize(sr.routing),
                                          now_text,
                                          sr.due_at,
                                          storage::Opt(sr.sla_policy_id),
                                          sr.sla_events,
                                          storage::Opt(sr.sla_state),
                                          storage::Opt(sr.sla_json),
                                          sr.sla_raised,
                                          storage::Opt(sr.sla_next_check)};
    auto row = tx.QueryOne(
        "INSERT INTO sd_requests (number, organisation_id, requester_contact_id, requester_user_id, requester_name, "
        "requester_email, type_id, form_version, priority, channel, language, subject, body, form_data, status, tier, "
        "group_id, tags, routing, created_at, updated_at, due_at, sla_policy_id, sla_events, sla_state, sla_json, "
        "sla_raised, sla_next_check) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
        "$13, $14, $15, $16, (SELECT id FROM sd_service_groups WHERE group_key = $17), $18, $19, $20, $20, $21, $22, "
        "$23, $24, $25, $26, $27) RETURNING id",
        params);
    if (!row) return Fail(std::move(row.error()));
    sr.id = RequestId((*row)->GetInt(0));
    if (first_message_id) {
        // The sender's mail itself, so later mails that answer it thread to this request.
        auto m = tx.Execute(
            "INSERT INTO sd_messages (request_id, organisation_id, kind, direction, channel, author_contact_id, "
            "author_name, body, message_id, created_at) VALUES ($1, $2, 'reply', 'customer', $3, $4, $5, $6, $7, $8)",
            {sr.id.value(), sr.organisation.value(), std::string(ChannelName(sr.channel)),
             storage::Opt(sr.requester_contact_id), sr.requester_name, sr.body, *first_message_id, now_text});
        if (!m) return Fail(std::move(m.error()));
    }
    history::ChangeRecord rec{"service_request", sr.id.value(), sr.organisation.value(),
                              history::ChangeAction::kCreate, history::AllFields(RecordJson(sr), false)};
    if (auto h = history::RecordChange(tx, actor, now, rec); !h) return Fail(std::move(h.error()));
    const auto& texts = TextsFor(sr.language);
    return Notify(tx, sr, "received", Fill(texts.received, sr, options_.reopen_days), now);
}

Result<ServiceRequest> ServiceDeskService::Insert(storage::Transaction& tx, const core::Principal& actor,
                                                  ServiceRequest sr, std::int64_t type_id, core::Timestamp now,
                                                  std::optional<std::string> first_message_id) {
    auto catalogue = CatalogueOf(tx);
    if (!catalogue) return Fail(std::move(catalogue.error()));
    auto org = LoadOrganisationInfo(tx, sr.organisation.value());
    if (!org) return Fail(std::move(org.error()));
    if (!*org) return Fail(Error::Internal("a request's organisation is missing"));
    sr.organisation_name = (*org)->name;
    if (auto p = PrepareNew(tx, **catalogue, sr, (*org)->customer_group, now); !p) return Fail(std::move(p.error()));
    if (auto w = WriteNew(tx, actor, sr, type_id, now, first_message_id); !w) return Fail(std::move(w.error()));
    if (auto d = DecorateAll(tx, {&sr}); !d) return Fail(std::move(d.error()));
    return sr;
}

Result<ServiceRequest> ServiceDeskService::Create(const core::Principal& actor, const boost::json::object& body) {
    const bool staff = actor.IsStaff();
    if (staff && !IsWorker(actor)) return Fail(WorkerDenied());
    core::FieldErrors errs;
    core::ObjectReader r(body, errs);
    const auto type = r.String("type", true, 64);
    const auto subject = r.String("subject", true, kMaxSubjectLength);
    const auto text = r.String("body", true, kMaxBodyLength, false);
    const boost::json::object* form = r.Object("form");
    const auto priority_text = r.String("priority", false, 20);
    const auto language = r.String("language", false, 2);
    const auto organisation = r.Int("organisation_id");
    const auto contact = r.Int("requester_contact_id");
    const auto channel_text = r.String("channel", false, 20);
    r.RejectUnknown({"type", "subject", "body", "form", "priority", "language", "organisation_id",
                     "requester_contact_id", "channel"});
    if (subject && subject->empty()) errs.Add("/subject", "required", "A subject is required.");
    if (text && core::TrimAscii(*text).empty()) errs.Add("/body", "required", "A description is required.");
    std::optional<Priority> priority = Priority::kNormal;
    if (priority_text) {
        priority = ParsePriority(*priority_text);
        if (!priority) errs.Add("/priority", "option", "One of low, normal, high, urgent.");
    }
    if (language && *language != "fi" && *language != "sv" && *language != "en") {
        errs.Add("/language", "option", "One of fi, sv, en.");
    }
    Channel channel = actor.method == core::AuthMethod::kToken ? Channel::kApi : Channel::kPortal;
    if (channel_text) {
        auto c = ParseChannel(*channel_text);
        if (!c || *c == Channel::kEmail) {
            errs.Add("/channel", "option", "One of portal, api, phone (e-mail arrives through the mail intake).");
        } else if (!staff && *c == Channel::kPhone) {
            errs.Add("/channel", "option", "Phone requests are logged by customer service.");
        } else {
            channel = *c;
        }
    }
    if (staff && channel == Channel::kPhone && !contact) {
        errs.Add("/requester_contact_id", "required", "A phone request is logged for a contact person.");
    }
    if (staff && !organisation && !contact) {
        errs.Add("/organisation_id", "required", "Name the organisation or the contact person.");
    }
    const auto now = clock_.Now();
    struct Prepared {
        ServiceRequest sr;
        std::int64_t type_id = 0;
    };
    // 1. Everything that only reads, outside the write transaction.
    auto prepared = storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<Prepared> {
        Prepared p;
        ServiceRequest& sr = p.sr;
        auto catalogue = CatalogueOf(tx);
        if (!catalogue) return Fail(std::move(catalogue.error()));
        if (type) {
            const auto* t = (*catalogue)->TypeOf(*type);
            if (t == nullptr || !t->active) {
                errs.Add("/type", "option", "Not a request type (GET /api/v1/servicedesk/request-types).");
            } else {
                p.type_id = t->id;
                sr.type = *type;
                sr.form_version = t->form_version;
                auto data = ValidateFormData(*t->form, form ? *form : boost::json::object{});
                if (!data) errs.Append(data.error().fields);
                else sr.form = std::move(*data);
            }
        }
        // Organisation and requester.
        std::optional<core::OrganisationId> org;
        std::optional<OrganisationInfo> info;
        if (!staff) {
            if (!actor.organisation) return Fail(Error::PermissionDenied("Your user belongs to no organisation."));
            if (organisation && *organisation != actor.organisation->value()) {
                return Fail(Error::NotFound(fmt::format("There is no organisation {}.", *organisation)));
            }
            org = *actor.organisation;
            sr.requester_user_id = actor.user.value();
            sr.requester_name = actor.display_name;
        } else if (organisation) {
            auto o = LoadOrganisationInfo(tx, *organisation);
            if (!o) return Fail(std::move(o.error()));
            if (!*o || (*o)->deleted) {
                errs.Add("/organisation_id", "not_found", "No such organisation.");
            } else {
                org = core::OrganisationId(*organisation);
                info = std::move(**o);
            }
        }
        std::optional<std::string> contact_language;
        if (contact) {
            auto c = tx.QueryOne(
                "SELECT organisation_id, first_name, last_name, email, language FROM contacts "
                "WHERE id = $1 AND deleted_at IS NULL AND erased_at IS NULL",
                {*contact});
            if (!c) return Fail(std::move(c.error()));
            if (!*c || (org && (*c)->GetInt(0) != org->value())) {
                errs.Add("/requester_contact_id", "not_found", "No such contact person in the organisation.");
            } else {
                org = core::OrganisationId((*c)->GetInt(0));
                sr.requester_contact_id = *contact;
                sr.requester_name = fmt::format("{} {}", (*c)->GetText(1), (*c)->GetText(2));
                sr.requester_email = (*c)->GetOptText(3);
                contact_language = (*c)->GetOptText(4);
            }
        }
        if (auto ok = errs.ToResult(); !ok) return Fail(std::move(ok.error()));
        if (!info) {
            auto o = LoadOrganisationInfo(tx, org->value());
            if (!o) return Fail(std::move(o.error()));
            if (!*o) return Fail(Error::NotFound(fmt::format("There is no organisation {}.", org->value())));
            info = std::move(**o);
        }
        sr.organisation = *org;
        sr.organisation_name = info->name;
        sr.priority = *priority;
        sr.channel = channel;
        sr.language = language.value_or(contact_language.value_or("fi"));
        if (sr.language != "fi" && sr.language != "sv" && sr.language != "en") sr.language = "fi";
        sr.subject = *subject;
        sr.body = *text;
        sr.status = Status::kNew;
        if (auto pr = PrepareNew(tx, **catalogue, sr, info->customer_group, now); !pr) return Fail(std::move(pr.error()));
        if (auto d = DecorateAll(tx, {&sr}); !d) return Fail(std::move(d.error()));
        return p;
    });
    if (!prepared) return Fail(std::move(prepared.error()));
    // 2. The writes only. Under group commit the work may run more than once (its batch rolled back
    //    and re-run alone): it starts from the prepared request every time.
    ServiceRequest created;
    auto write = [&](storage::Transaction& tx) -> Result<void> {
        created = prepared->sr;
        return WriteNew(tx, actor, created, prepared->type_id, now, std::nullopt);
    };
    auto done = committer_ != nullptr ? committer_->Run(write) : storage::InWriteTx(db_, write);
    if (!done) return Fail(std::move(done.error()));
    return created;
}

Result<ServiceRequest> ServiceDeskService::Get(const core::Principal& actor, RequestId id) {
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<ServiceRequest> {
        auto r = detail::LoadRequest(tx, actor.Scope(), id);
        if (!r) return Fail(std::move(r.error()));
        if (!*r) return Fail(RequestNotFound(id));
        auto& sr = **r;
        auto counts = tx.QueryOne(
            "SELECT (SELECT COUNT(*) FROM sd_messages WHERE request_id = $1 AND kind = 'reply'), "
            "(SELECT COUNT(*) FROM sd_messages WHERE request_id = $1 AND kind = 'note'), "
            "(SELECT COUNT(*) FROM sd_attachments WHERE request_id = $1 AND internal = 0), "
            "(SELECT COUNT(*) FROM sd_attachments WHERE request_id = $1)",
            {id.value()});
        if (!counts) return Fail(std::move(counts.error()));
        sr.reply_count = (*counts)->GetInt(0);
        if (actor.IsStaff()) {
            sr.note_count = (*counts)->GetInt(1);
            sr.attachment_count = (*counts)->GetInt(3);
        } else {
            sr.attachment_count = (*counts)->GetInt(2);
        }
        if (auto d = DecorateAll(tx, {&sr}); !d) return Fail(std::move(d.error()));
        return std::move(sr);
    });
}

Result<RequestPage> ServiceDeskService::List(const core::Principal& actor, const QueueFilter& f) {
    core::FieldErrors errs;
    if (f.limit < 1 || f.limit > kMaxPageSize) errs.Add("/query/limit", "range", "The page size is 1 to 200.");
    std::optional<std::pair<std::string, std::int64_t>> after;
    if (f.cursor) {
        after = DecodeCursor(*f.cursor);
        if (!after) errs.Add("/query/cursor", "format", "Not a cursor this server issued.");
    }
    std::optional<std::string> sla_condition;
    if (f.sla_state) {
        if (observer_ != nullptr) sla_condition = observer_->SlaStateCondition(*f.sla_state);
        if (!sla_condition) errs.Add("/query/sla_state", "option", "One of on_track, warning, breached.");
    }
    if (auto ok = errs.ToResult("The query has invalid parameters."); !ok) return Fail(std::move(ok.error()));
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<RequestPage> {
        accounts::ScopedSql q(actor.Scope(), std::string(kRequestSelect), "r.organisation_id");
        if (!f.statuses.empty()) {
            std::string in;
            for (auto s : f.statuses) in += (in.empty() ? "" : ", ") + q.Bind(std::string(StatusName(s)));
            q.Raw(" AND r.status IN (" + in + ")");
        }
        if (f.group) q.Raw(" AND r.group_id = (SELECT id FROM sd_service_groups WHERE group_key = " + q.Bind(*f.group) + ")");
        if (f.assignee) {
            if (*f.assignee == 0) q.Raw(" AND r.assignee_id IS NULL");
            else q.And("r.assignee_id = ", *f.assignee);
        }
        if (f.tier) q.And("r.tier = ", std::string(TierName(*f.tier)));
        if (!f.priorities.empty()) {
            std::string in;
            for (auto p : f.priorities) in += (in.empty() ? "" : ", ") + q.Bind(std::string(PriorityName(p)));
            q.Raw(" AND r.priority IN (" + in + ")");
        }
        if (f.organisation) q.And("r.organisation_id = ", *f.organisation);
        if (f.type) q.Raw(" AND r.type_id = (SELECT id FROM sd_request_types WHERE type_key = " + q.Bind(*f.type) + ")");
        if (f.text) {
            std::string pattern = "%";
            for (char c : Lower(*f.text)) {
                if (c == '%' || c == '_' || c == '\\') pattern += '\\';
                pattern += c;
            }
            pattern += "%";
            const std::string number_param = q.Bind(*f.text);
            const std::string like_param = q.Bind(pattern);
            q.Raw(" AND (r.number = " + number_param + " OR LOWER(r.subject) LIKE " + like_param + " ESCAPE '\\')");
        }
        if (sla_condition) q.Raw(" AND " + *sla_condition);
        if (after) {
            const std::string d = q.Bind(after->first);
            const std::string i = q.Bind(after->second);
            q.Raw(" AND (r.due_at > " + d + " OR (r.due_at = " + d + " AND r.id > " + i + "))");
        }
        q.Raw(" ORDER BY r.due_at, r.id LIMIT " + q.Bind(static_cast<std::int64_t>(f.limit + 1)));
        auto rows = tx.Query(q.sql(), q.params());
        if (!rows) return Fail(std::move(rows.error()));
        RequestPage page;
        for (const auto& row : rows->rows) {
            if (static_cast<int>(page.items.size()) == f.limit) {
                const auto& last = page.items.back();
                page.next_cursor = EncodeCursor(last.due_at, last.id.value());
                break;
            }
            page.items.push_back(detail::RequestFromRow(row));
        }
        std::vector<ServiceRequest*> ptrs;
        for (auto& i : page.items) ptrs.push_back(&i);
        if (auto d = DecorateAll(tx, std::move(ptrs)); !d) return Fail(std::move(d.error()));
        return page;
    });
}

Result<ServiceRequest> ServiceDeskService::Reload(storage::Transaction& tx, RequestId id) {
    auto r = detail::LoadRequest(tx, core::AccessScope{}, id);
    if (!r) return Fail(std::move(r.error()));
    if (!*r) return Fail(Error::Internal("a request just written is missing"));
    if (auto d = DecorateAll(tx, {&**r}); !d) return Fail(std::move(d.error()));
    return std::move(**r);
}

Result<std::optional<ServiceRequest>> ServiceDeskService::LoadForSystem(storage::Transaction& tx, RequestId id) {
    return detail::LoadRequest(tx, core::AccessScope{}, id);
}

Result<void> ServiceDeskService::SaveForSystem(storage::Transaction& tx, const ServiceRequest& before,
                                               ServiceRequest& after, core::Timestamp now,
                                               const core::Principal& actor) {
    const auto changes = history::Diff(RecordJson(before), RecordJson(after));
    auto n = tx.Execute(
        "UPDATE sd_requests SET priority = $1, language = $2, subject = $3, body = $4, form_data = $5, status = $6, "
        "tier = $7, group_id = (SELECT id FROM sd_service_groups WHERE group_key = $8), assignee_id = $9, tags = $10, "
        "merged_into_id = $11, due_at = $12, type_id = (SELECT id FROM sd_request_types WHERE type_key = $13), "
        "form_version = $14, first_response_at = $15, resolved_at = $16, closed_at = $17, updated_at = $18, "
        "version = version + 1 WHERE id = $19 AND version = $20",
        {std::string(PriorityName(after.priority)), after.language, after.subject, after.body,
         boost::json::serialize(after.form), std::string(StatusName(after.status)), std::string(TierName(after.tier)),
         storage::Opt(after.group), storage::Opt(after.assignee_id), TagsJson(after.tags),
         after.merged_into ? storage::Param(after.merged_into->value()) : storage::Null(), after.due_at, after.type,
         after.form_version, OptTs(after.first_response_at), OptTs(after.resolved_at), OptTs(after.closed_at), Ts(now),
         after.id.value(), before.version});
    if (!n) return Fail(std::move(n.error()));
    if (*n != 1) return Fail(Error::Conflict("The request was changed by someone else; reload and retry."));
    after.version = before.version + 1;
    after.updated_at = now;
    if (!changes.empty()) {
        history::ChangeRecord rec{"service_request", after.id.value(), after.organisation.value(),
                                  history::ChangeAction::kUpdate, changes};
        if (auto h = history::RecordChange(tx, actor, now, rec); !h) return Fail(std::move(h.error()));
    }
    return {};
}

// Loads a request in scope for a write; 404 outside the scope.
#define SD_LOAD(var, tx, actor, id)                                             \
    auto var##_loaded = detail::LoadRequest(tx, (actor).Scope(), id);          \
    if (!var##_loaded) return Fail(std::move(var##_loaded.error()));           \
    if (!*var##_loaded) return Fail(RequestNotFound(id));                      \
    ServiceRequest var = std::move(**var##_loaded)

Result<ServiceRequest> ServiceDeskService::Update(const core::Principal& actor, RequestId id,
                                                  const boost::json::object& patch,
                                                  std::optional<std::int64_t> expected_version) {
    const auto now = clock_.Now();
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<ServiceRequest> {
        SD_LOAD(current, tx, actor, id);
        const bool staff = actor.IsStaff();
        if (staff && !IsWorker(actor)) return Fail(WorkerDenied());
        if (expected_version && *expected_version != current.version) {
            return Fail(Error::FailedPrecondition(fmt::format("The request has changed since version {}; it is now "
                                                              "version {}.",
                                                              *expected_version, current.version))
                            .WithType("precondition-failed"));
        }
        core::FieldErrors errs;
        core::ObjectReader r(patch, errs);
        const auto subject = r.String("subject", false, kMaxSubjectLength);
        const auto text = r.String("body", false, kMaxBodyLength, false);
        const auto priority_text = r.String("priority", false, 20);
        const auto type = r.String("type", false, 64);
        const auto language = r.String("language", false, 2);
        const boost::json::object* form = r.Object("form");
        r.RejectUnknown({"subject", "body", "priority", "type", "form", "language"});
        if (!staff) {
            if (priority_text || type) {
                return Fail(Error::PermissionDenied("Customer service sets the type and the priority."));
            }
            if (current.status != Status::kNew && current.status != Status::kPendingCustomer) {
                return Fail(Error::Conflict("A request can be edited only while it is new or waiting for you.")
                                .WithType("illegal-transition"));
            }
        }
        ServiceRequest next = current;
        if (subject) {
            if (subject->empty()) errs.Add("/subject", "required", "A subject is required.");
            next.subject = *subject;
        }
        if (text) next.body = *text;
        if (priority_text) {
            auto p = ParsePriority(*priority_text);
            if (!p) errs.Add("/priority", "option", "One of low, normal, high, urgent.");
            else next.priority = *p;
        }
        if (language) {
            if (*language != "fi" && *language != "sv" && *language != "en")
                errs.Add("/language", "option", "One of fi, sv, en.");
            else next.language = *language;
        }
        std::int64_t type_id = 0;
        if (type && *type != current.type) {
            auto types = detail::LoadTypes(tx, *type);
            if (!types) return Fail(std::move(types.error()));
            if (types->empty() || !types->front().active) {
                errs.Add("/type", "option", "Not a request type.");
            } else {
                next.type = *type;
                next.form_version = types->front().form_version;
                type_id = types->front().id;
            }
        }
        if (form || (type_id != 0)) {
            if (type_id == 0) {
                auto types = detail::LoadTypes(tx, next.type);
                if (!types) return Fail(std::move(types.error()));
                if (types->empty()) return Fail(Error::Internal("a request's type is missing"));
                type_id = types->front().id;
                next.form_version = types->front().form_version;
            }
            auto def = FormOf(tx, type_id, next.form_version);
            if (!def) return Fail(std::move(def.error()));
            auto data = ValidateFormData(**def, form ? *form : current.form);
            if (!data) errs.Append(data.error().fields);
            else next.form = std::move(*data);
        }
        if (auto ok = errs.ToResult(); !ok) return Fail(std::move(ok.error()));
        if (auto s = SaveForSystem(tx, current, next, now, actor); !s) return Fail(std::move(s.error()));
        if (next.priority != current.priority) {
            if (auto e = Fire(tx, next, "priority", now); !e) return Fail(std::move(e.error()));
        }
        if (next.type != current.type) {
            if (auto e = Fire(tx, next, "type", now); !e) return Fail(std::move(e.error()));
        }
        return Reload(tx, next.id);
    });
}

Result<ServiceRequest> ServiceDeskService::ChangeStatus(const core::Principal& actor, RequestId id,
                                                        const boost::json::object& body) {
    core::FieldErrors errs;
    core::ObjectReader r(body, errs);
    const auto status_text = r.String("status", true, 40);
    const auto comment = r.String("comment", false, kMaxBodyLength, false);
    r.RejectUnknown({"status", "comment"});
    std::optional<Status> to;
    if (status_text) {
        to = ParseStatus(*status_text);
        if (!to) errs.Add("/status", "option", "One of new, open, pending_customer, pending_third_party, resolved, closed.");
    }
    if (auto ok = errs.ToResult(); !ok) return Fail(std::move(ok.error()));
    const auto now = clock_.Now();
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<ServiceRequest> {
        SD_LOAD(current, tx, actor, id);
        if (!actor.IsStaff()) {
            // A customer may only confirm a resolution (close) or say it is not solved (reopen).
            if (current.status != Status::kResolved || (*to != Status::kClosed && *to != Status::kOpen)) {
                return Fail(Error::PermissionDenied("Customer service changes the status of a request."));
            }
        } else if (!IsWorker(actor)) {
            return Fail(WorkerDenied());
        }
        if (!CanTransition(current.status, *to)) return Fail(IllegalTransition(current.status, *to));
        ServiceRequest next = current;
        next.status = *to;
        if (*to == Status::kResolved) next.resolved_at = now;
        if (*to == Status::kClosed) next.closed_at = now;
        if (*to == Status::kOpen && current.status == Status::kResolved) {
            next.resolved_at.reset();
        }
        if (auto s = SaveForSystem(tx, current, next, now, actor); !s) return Fail(std::move(s.error()));
        if (comment && !comment->empty()) {
            // The comment is an internal note: the reason for the change, for colleagues.
            auto m = tx.Execute(
                "INSERT INTO sd_messages (request_id, organisation_id, kind, direction, channel, author_user_id, "
                "author_name, body, created_at) VALUES ($1, $2, $3, $4, 'portal', $5, $6, $7, $8)",
                {id.value(), current.organisation.value(), std::string(actor.IsStaff() ? "note" : "reply"),
                 std::string(actor.IsStaff() ? "agent" : "customer"),
                 actor.user.valid() ? storage::Param(actor.user.value()) : storage::Null(), actor.display_name,
                 *comment, Ts(now)});
            if (!m) return Fail(std::move(m.error()));
        }
        if (*to == Status::kResolved) {
            const auto& texts = TextsFor(next.language);
            if (auto n = Notify(tx, next, "resolved", Fill(texts.resolved, next, options_.reopen_days), now); !n) {
                return Fail(std::move(n.error()));
            }
        }
        if (auto e = Fire(tx, next, "status", now); !e) return Fail(std::move(e.error()));
        return Reload(tx, next.id);
    });
}

Result<ServiceRequest> ServiceDeskService::Assign(const core::Principal& actor, RequestId id,
                                                  const boost::json::object& body) {
    core::FieldErrors errs;
    core::ObjectReader r(body, errs);
    const auto group = r.String("group", false, 64);
    const bool has_assignee = r.Has("assignee_id");
    const auto assignee = r.Int("assignee_id");
    r.RejectUnknown({"group", "assignee_id"});
    if (!group && !has_assignee) errs.Add("/group", "required", "Name a group, an assignee, or both.");
    if (auto ok = errs.ToResult(); !ok) return Fail(std::move(ok.error()));
    const auto now = clock_.Now();
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<ServiceRequest> {
        SD_LOAD(current, tx, actor, id);
        if (!IsWorker(actor)) return Fail(WorkerDenied());
        ServiceRequest next = current;
        if (group) {
            auto groups = detail::LoadGroups(tx);
            if (!groups) return Fail(std::move(groups.error()));
            const ServiceGroup* g = nullptr;
            for (const auto& x : *groups)
                if (x.key == *group) g = &x;
            if (g == nullptr) {
                errs.Add("/group", "option", "Not a service group (GET /api/v1/servicedesk/groups).");
            } else {
                next.group = g->key;
                next.tier = g->tier;
                if (next.group != current.group && !has_assignee) next.assignee_id.reset();
            }
        }
        if (has_assignee) {
            if (!assignee) {
                next.assignee_id.reset();
            } else {
                auto u = tx.QueryOne("SELECT organisation_id, disabled FROM users WHERE id = $1", {*assignee});
                if (!u) return Fail(std::move(u.error()));
                if (!*u || !(*u)->IsNull(0) || (*u)->GetBool(1)) {
                    errs.Add("/assignee_id", "not_found", "No such active staff user.");
                } else {
                    next.assignee_id = *assignee;
                }
            }
        }
        if (auto ok = errs.ToResult(); !ok) return Fail(std::move(ok.error()));
        if (auto s = SaveForSystem(tx, current, next, now, actor); !s) return Fail(std::move(s.error()));
        if (auto e = Fire(tx, next, "assigned", now); !e) return Fail(std::move(e.error()));
        auto reloaded = detail::LoadRequest(tx, core::AccessScope{}, id);
        if (!reloaded) return Fail(std::move(reloaded.error()));
        if (auto d = DecorateAll(tx, {&**reloaded}); !d) return Fail(std::move(d.error()));
        return std::move(**reloaded);
    });
}

Result<ServiceRequest> ServiceDeskService::Escalate(const core::Principal& actor, RequestId id,
                                                    const boost::json::object& body) {
    core::FieldErrors errs;
    core::ObjectReader r(body, errs);
    const auto reason = r.String("reason", true, kMaxBodyLength, false);
    const auto group = r.String("group", false, 64);
    r.RejectUnknown({"reason", "group"});
    if (reason && core::TrimAscii(*reason).empty()) errs.Add("/reason", "required", "Say why it is escalated.");
    if (auto ok = errs.ToResult(); !ok) return Fail(std::move(ok.error()));
    const auto now = clock_.Now();
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<ServiceRequest> {
        SD_LOAD(current, tx, actor, id);
        if (!IsWorker(actor)) return Fail(WorkerDenied());
        if (!IsOpen(current.status)) {
            return Fail(Error::Conflict("Only open requests are escalated.").WithType("illegal-transition"));
        }
        const auto tier = NextTier(current.tier);
        if (!tier) return Fail(Error::Conflict("The request is already at the highest tier.").WithType("top-tier"));
        auto groups = detail::LoadGroups(tx);
        if (!groups) return Fail(std::move(groups.error()));
        const ServiceGroup* target = nullptr;
        for (const auto& g : *groups) {
            if (g.tier != *tier) continue;
            if (group ? g.key == *group : g.tier_default) target = &g;
        }
        if (target == nullptr) {
            if (group) {
                return Fail(Error::InvalidArgument(
                    "The group is not in the next tier.",
                    {{"/group", "option", fmt::format("Name a group of tier {}.", TierName(*tier))}}));
            }
            return Fail(Error::FailedPrecondition(fmt::format("No group serves tier {}.", TierName(*tier))));
        }
        ServiceRequest next = current;
        next.tier = *tier;
        next.group = target->key;
        next.assignee_id.reset();
        if (auto s = SaveForSystem(tx, current, next, now, actor); !s) return Fail(std::move(s.error()));
        auto m = tx.Execute(
            "INSERT INTO sd_messages (request_id, organisation_id, kind, direction, channel, author_user_id, "
            "author_name, body, created_at) VALUES ($1, $2, 'note', 'agent', 'portal', $3, $4, $5, $6)",
            {id.value(), current.organisation.value(),
             actor.user.valid() ? storage::Param(actor.user.value()) : storage::Null(), actor.display_name,
             fmt::format("Escalated to {} ({}): {}", target->key, TierName(*tier), *reason), Ts(now)});
        if (!m) return Fail(std::move(m.error()));
        history::ChangeRecord note{"service_request_note", id.value(), current.organisation.value(),
                                   history::ChangeAction::kUpdate,
                                   {{"escalation_reason", nullptr, boost::json::value(*reason)}}};
        if (auto h = history::RecordChange(tx, actor, now, note); !h) return Fail(std::move(h.error()));
        if (auto e = Fire(tx, next, "escalated", now); !e) return Fail(std::move(e.error()));
        return Reload(tx, next.id);
    });
}

Result<ServiceRequest> ServiceDeskService::UpdateTags(const core::Principal& actor, RequestId id,
                                                      const boost::json::object& body) {
    core::FieldErrors errs;
    core::ObjectReader r(body, errs);
    const auto add = r.StringArray("add", false, kMaxTags, kMaxTagLength + 20);
    const auto remove = r.StringArray("remove", false, kMaxTags, kMaxTagLength + 20);
    r.RejectUnknown({"add", "remove"});
    std::vector<std::string> to_add, to_remove;
    auto norm = [&](const std::optional<std::vector<std::string>>& in, std::vector<std::string>& out,
                    std::string_view member) {
        if (!in) return;
        for (std::size_t i = 0; i < in->size(); ++i) {
            auto t = NormaliseTag((*in)[i]);
            if (!t) {
                errs.Add(fmt::format("/{}/{}", member, i), "format", "A tag is 1 to 40 of a-z, 0-9, '-', '_', '.'.");
            } else {
                out.push_back(*t);
            }
        }
    };
    norm(add, to_add, "add");
    norm(remove, to_remove, "remove");
    if (!add && !remove) errs.Add("/add", "required", "Give tags to add or remove.");
    if (auto ok = errs.ToResult(); !ok) return Fail(std::move(ok.error()));
    const auto now = clock_.Now();
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<ServiceRequest> {
        SD_LOAD(current, tx, actor, id);
        if (!IsWorker(actor)) return Fail(WorkerDenied());
        std::set<std::string> tags(current.tags.begin(), current.tags.end());
        for (const auto& t : to_remove) tags.erase(t);
        for (const auto& t : to_add) tags.insert(t);
        if (tags.size() > kMaxTags) {
            return Fail(Error::InvalidArgument("Too many tags.", {{"/add", "max_items", "At most 20 tags."}}));
        }
        ServiceRequest next = current;
        next.tags.assign(tags.begin(), tags.end());
        if (next.tags == current.tags) return current;
        if (auto s = SaveForSystem(tx, current, next, now, actor); !s) return Fail(std::move(s.error()));
        return Reload(tx, next.id);
    });
}

Result<history::ChangePage> ServiceDeskService::History(const core::Principal& actor, RequestId id,
                                                        std::int64_t before_id, int limit) {
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<history::ChangePage> {
        auto r = detail::LoadRequest(tx, actor.Scope(), id);
        if (!r) return Fail(std::move(r.error()));
        if (!*r) return Fail(RequestNotFound(id));
        auto main = history::ListChanges(tx, "service_request", id.value(), before_id, limit);
        if (!main) return Fail(std::move(main.error()));
        if (!actor.IsStaff()) return main;
        // Staff also see the internal entries, merged newest first.
        auto notes = history::ListChanges(tx, "service_request_note", id.value(), before_id, limit);
        if (!notes) return Fail(std::move(notes.error()));
        history::ChangePage page;
        auto& a = main->entries;
        auto& b = notes->entries;
        std::size_t i = 0, j = 0;
        const auto lim = static_cast<std::size_t>(std::clamp(limit, 1, history::kMaxHistoryPage));
        while (page.entries.size() < lim && (i < a.size() || j < b.size())) {
            if (j >= b.size() || (i < a.size() && a[i].id > b[j].id)) page.entries.push_back(std::move(a[i++]));
            else page.entries.push_back(std::move(b[j++]));
        }
        const bool more = i < a.size() || j < b.size() || main->next_before || notes->next_before;
        if (more && !page.entries.empty()) page.next_before = page.entries.back().id;
        return page;
    });
}

// ---------------------------------------------------------------------------------------------
// Thread

Result<void> ServiceDeskService::Notify(storage::Transaction& tx, const ServiceRequest& request,
                                        std::string_view kind, std::string_view text, core::Timestamp now) {
    if (!request.requester_email || request.requester_email->empty()) return {};
    const auto& texts = TextsFor(request.language);
    std::string body(text);
    body += "\n\n";
    body += Fill(texts.footer, request, options_.reopen_days);
    return NotifyAddress(tx, request, kind, *request.requester_email,
                         fmt::format("[{}] {}", request.number, request.subject), body, now);
}

Result<void> ServiceDeskService::NotifyAddress(storage::Transaction& tx, const ServiceRequest& request,
                                               std::string_view kind, const std::string& recipient,
                                               const std::string& subject, const std::string& text,
                                               core::Timestamp now) {
    // Thread under the customer's latest mail, if there is one.
    auto last = tx.QueryOne(
        "SELECT message_id FROM sd_messages WHERE request_id = $1 AND direction = 'customer' AND message_id IS NOT "
        "NULL ORDER BY id DESC LIMIT 1",
        {request.id.value()});
    if (!last) return Fail(std::move(last.error()));
    std::optional<std::string> in_reply_to;
    if (*last) in_reply_to = (*last)->GetOptText(0);
    const std::string message_id = fmt::format("<{}.{}.{}@{}>", request.number,
                                               now.time_since_epoch().count(), RandomHex(6), options_.mail_domain);
    auto n = tx.Execute(
        "INSERT INTO sd_notifications (request_id, kind, recipient, subject, body, message_id, in_reply_to, "
        "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        {request.id.value(), std::string(kind), recipient, subject, text, message_id, storage::Opt(in_reply_to),
         Ts(now)});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<ReplyOutcome> ServiceDeskService::CustomerReply(storage::Transaction& tx, const core::Principal& actor,
                                                       ServiceRequest current, Channel channel,
                                                       const std::string& text,
                                                       std::optional<std::int64_t> contact_id,
                                                       const std::string& author,
                                                       std::optional<std::string> message_id,
                                                       std::optional<std::string> in_reply_to, core::Timestamp now) {
    ReplyOutcome out;
    ServiceRequest target = current;
    const bool within_window =
        current.status == Status::kResolved && current.resolved_at &&
        now - *current.resolved_at <= std::chrono::days(options_.reopen_days);
    if (current.status == Status::kClosed || (current.status == Status::kResolved && !within_window)) {
        // Too late to reopen: a new request linked to the old one.
        ServiceRequest fresh;
        fresh.organisation = current.organisation;
        fresh.requester_contact_id = contact_id ? contact_id : current.requester_contact_id;
        fresh.requester_user_id = actor.IsStaff() || !actor.user.valid() ? current.requester_user_id
                                                                          : std::optional(actor.user.value());
        fresh.requester_name = author;
        fresh.requester_email = current.requester_email;
        fresh.type = current.type;
        fresh.form_version = current.form_version;
        fresh.form = current.form;
        fresh.priority = current.priority;
        fresh.channel = channel;
        fresh.language = current.language;
        fresh.subject = current.subject;
        fresh.body = text;
        fresh.status = Status::kNew;
        auto type = detail::LoadTypes(tx, current.type);
        if (!type) return Fail(std::move(type.error()));
        if (type->empty()) return Fail(Error::Internal("a request's type is missing"));
        auto created = Insert(tx, actor, std::move(fresh), type->front().id, now, std::nullopt);
        if (!created) return Fail(std::move(created.error()));
        auto link = tx.Execute(
            "INSERT INTO sd_links (from_request_id, to_request_id, kind, created_by, created_at) "
            "VALUES ($1, $2, 'follow_up_of', $3, $4)",
            {created->id.value(), current.id.value(), actor.username, Ts(now)});
        if (!link) return Fail(std::move(link.error()));
        target = std::move(*created);
        out.follow_up = true;
    } else if (current.status == Status::kResolved || current.status == Status::kPendingCustomer) {
        ServiceRequest next = current;
        next.status = Status::kOpen;
        if (current.status == Status::kResolved) next.resolved_at.reset();
        if (auto s = SaveForSystem(tx, current, next, now, actor); !s) return Fail(std::move(s.error()));
        out.reopened = current.status == Status::kResolved;
        target = std::move(next);
        if (auto e = Fire(tx, target, "status", now); !e) return Fail(std::move(e.error()));
    }
    auto row = tx.QueryOne(
        "INSERT INTO sd_messages (request_id, organisation_id, kind, direction, channel, author_user_id, "
        "author_contact_id, author_name, body, message_id, in_reply_to, created_at) "
        "VALUES ($1, $2, 'reply', 'customer', $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        {target.id.value(), target.organisation.value(), std::string(ChannelName(channel)),
         (!actor.IsStaff() && actor.user.valid()) ? storage::Param(actor.user.value()) : storage::Null(),
         storage::Opt(contact_id), author, text, storage::Opt(message_id), storage::Opt(in_reply_to), Ts(now)});
    if (!row) return Fail(std::move(row.error()));
    out.message.id = (*row)->GetInt(0);
    out.message.request = target.id;
    out.message.from_customer = true;
    out.message.channel = channel;
    out.message.author_contact_id = contact_id;
    if (!actor.IsStaff() && actor.user.valid()) out.message.author_user_id = actor.user.value();
    out.message.author_name = author;
    out.message.body = text;
    out.message.message_id = message_id;
    out.message.in_reply_to = in_reply_to;
    out.message.created_at = now;
    history::ChangeRecord rec{"service_request", target.id.value(), target.organisation.value(),
                              history::ChangeAction::kUpdate,
                              {{"reply", nullptr, boost::json::object{{"message_id", out.message.id},
                                                                      {"direction", "customer"}}}}};
    if (auto h = history::RecordChange(tx, actor, now, rec); !h) return Fail(std::move(h.error()));
    if (auto e = Fire(tx, target, "reply_customer", now); !e) return Fail(std::move(e.error()));
    auto reloaded = detail::LoadRequest(tx, core::AccessScope{}, target.id);
    if (!reloaded) return Fail(std::move(reloaded.error()));
    if (auto d = DecorateAll(tx, {&**reloaded}); !d) return Fail(std::move(d.error()));
    out.request = std::move(**reloaded);
    return out;
}

Result<ReplyOutcome> ServiceDeskService::AddReply(const core::Principal& actor, RequestId id,
                                                  const boost::json::object& body) {
    core::FieldErrors errs;
    core::ObjectReader r(body, errs);
    auto text = r.String("body", false, kMaxBodyLength, false);
    const auto canned = r.Int("canned_response_id");
    const auto status_text = r.String("status", false, 40);
    r.RejectUnknown({"body", "canned_response_id", "status"});
    if (!text && !canned) errs.Add("/body", "required", "Write a reply or choose a canned response.");
    if (text && core::TrimAscii(*text).empty()) errs.Add("/body", "required", "The reply is empty.");
    std::optional<Status> wanted;
    if (status_text) {
        wanted = ParseStatus(*status_text);
        if (!wanted) errs.Add("/status", "option", "Not a status.");
    }
    if (auto ok = errs.ToResult(); !ok) return Fail(std::move(ok.error()));
    if (canned && !text) {
        auto rendered = RenderCanned(actor, *canned, id);
        if (!rendered) {
            if (rendered.error().code == core::ErrorCode::kNotFound && rendered.error().message.starts_with("There is no canned")) {
                return Fail(Error::InvalidArgument("No such canned response.",
                                                   {{"/canned_response_id", "not_found", "No such canned response."}}));
            }
            return Fail(std::move(rendered.error()));
        }
        text = std::move(*rendered);
    }
    const auto now = clock_.Now();
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<ReplyOutcome> {
        SD_LOAD(current, tx, actor, id);
        if (!actor.IsStaff()) {
            if (wanted) return Fail(Error::PermissionDenied("Customer service changes the status of a request."));
            if (current.merged_into) {
                return Fail(Error::Conflict(fmt::format("The request was merged into request {}; reply there.",
                                                        current.merged_into->value()))
                                .WithType("merged"));
            }
            return CustomerReply(tx, actor, std::move(current),
                                 actor.method == core::AuthMethod::kToken ? Channel::kApi : Channel::kPortal, *text,
                                 std::nullopt, actor.display_name, std::nullopt, std::nullopt, now);
        }
        if (!IsWorker(actor)) return Fail(WorkerDenied());
        if (current.status == Status::kClosed) {
            return Fail(Error::Conflict("The request is closed.").WithType("illegal-transition"));
        }
        ServiceRequest next = current;
        if (next.status == Status::kNew) next.status = Status::kOpen;
        if (wanted && *wanted != next.status) {
            if (!CanTransition(next.status, *wanted)) return Fail(IllegalTransition(next.status, *wanted));
            next.status = *wanted;
            if (*wanted == Status::kResolved) next.resolved_at = now;
        }
        const bool first = !next.first_response_at.has_value();
        if (first) next.first_response_at = now;
        if (auto s = SaveForSystem(tx, current, next, now, actor); !s) return Fail(std::move(s.error()));
        // The notification's Message-ID is the reply's, so the customer's answer threads back.
        const auto& texts = TextsFor(next.language);
        std::optional<std::string> outbound_id;
        if (next.requester_email && !next.requester_email->empty()) {
            std::string msg = Fill(texts.replied, next, options_.reopen_days) + "\n\n" + *text;
            if (auto n = Notify(tx, next, next.status == Status::kResolved ? "resolved" : "replied", msg, now); !n) {
                return Fail(std::move(n.error()));
            }
            auto mid = tx.QueryOne("SELECT message_id FROM sd_notifications WHERE request_id = $1 ORDER BY id DESC "
                                   "LIMIT 1",
                                   {id.value()});
            if (!mid) return Fail(std::move(mid.error()));
            if (*mid) outbound_id = (*mid)->GetText(0);
        }
        auto row = tx.QueryOne(
            "INSERT INTO sd_messages (request_id, organisation_id, kind, direction, channel, author_user_id, "
            "author_name, body, message_id, created_at) VALUES ($1, $2, 'reply', 'agent', $3, $4, $5, $6, $7, $8) "
            "RETURNING id",
            {id.value(), current.organisation.value(),
             std::string(ChannelName(next.requester_email ? Channel::kEmail : Channel::kPortal)),
             actor.user.valid() ? storage::Param(actor.user.value()) : storage::Null(), actor.display_name, *text,
             storage::Opt(outbound_id), Ts(now)});
        if (!row) return Fail(std::move(row.error()));
        ReplyOutcome out;
        out.message.id = (*row)->GetInt(0);
        out.message.request = id;
        out.message.channel = next.requester_email ? Channel::kEmail : Channel::kPortal;
        if (actor.user.valid()) out.message.author_user_id = actor.user.value();
        out.message.author_name = actor.display_name;
        out.message.body = *text;
        out.message.message_id = outbound_id;
        out.message.created_at = now;
        history::ChangeRecord rec{"service_request", id.value(), current.organisation.value(),
                                  history::ChangeAction::kUpdate,
                                  {{"reply", nullptr, boost::json::object{{"message_id", out.message.id},
                                                                          {"direction", "agent"}}}}};
        if (auto h = history::RecordChange(tx, actor, now, rec); !h) return Fail(std::move(h.error()));
        if (auto e = Fire(tx, next, "reply_agent", now); !e) return Fail(std::move(e.error()));
        if (next.status != current.status) {
            if (auto e = Fire(tx, next, "status", now); !e) return Fail(std::move(e.error()));
        }
        auto reloaded = detail::LoadRequest(tx, core::AccessScope{}, id);
        if (!reloaded) return Fail(std::move(reloaded.error()));
        if (auto d = DecorateAll(tx, {&**reloaded}); !d) return Fail(std::move(d.error()));
        out.request = std::move(**reloaded);
        return out;
    });
}

Result<Message> ServiceDeskService::AddNote(const core::Principal& actor, RequestId id,
                                            const boost::json::object& body) {
    core::FieldErrors errs;
    core::ObjectReader r(body, errs);
    const auto text = r.String("body", true, kMaxBodyLength, false);
    r.RejectUnknown({"body"});
    if (text && core::TrimAscii(*text).empty()) errs.Add("/body", "required", "The note is empty.");
    if (auto ok = errs.ToResult(); !ok) return Fail(std::move(ok.error()));
    const auto now = clock_.Now();
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<Message> {
        SD_LOAD(current, tx, actor, id);
        if (!IsWorker(actor)) return Fail(WorkerDenied());
        auto row = tx.QueryOne(
            "INSERT INTO sd_messages (request_id, organisation_id, kind, direction, channel, author_user_id, "
            "author_name, body, created_at) VALUES ($1, $2, 'note', 'agent', 'portal', $3, $4, $5, $6) RETURNING id",
            {id.value(), current.organisation.value(),
             actor.user.valid() ? storage::Param(actor.user.value()) : storage::Null(), actor.display_name, *text,
             Ts(now)});
        if (!row) return Fail(std::move(row.error()));
        Message m;
        m.id = (*row)->GetInt(0);
        m.request = id;
        m.note = true;
        if (actor.user.valid()) m.author_user_id = actor.user.value();
        m.author_name = actor.display_name;
        m.body = *text;
        m.created_at = now;
        history::ChangeRecord rec{"service_request_note", id.value(), current.organisation.value(),
                                  history::ChangeAction::kUpdate,
                                  {{"note", nullptr, boost::json::object{{"message_id", m.id}}}}};
        if (auto h = history::RecordChange(tx, actor, now, rec); !h) return Fail(std::move(h.error()));
        return m;
    });
}

Result<std::vector<Message>> ServiceDeskService::ListMessages(const core::Principal& actor, RequestId id) {
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<std::vector<Message>> {
        auto r = detail::LoadRequest(tx, actor.Scope(), id);
        if (!r) return Fail(std::move(r.error()));
        if (!*r) return Fail(RequestNotFound(id));
        return detail::LoadMessages(tx, id, actor.IsStaff());
    });
}

// ---------------------------------------------------------------------------------------------
// Attachments

Result<Attachment> ServiceDeskService::AddAttachment(const core::Principal& actor, RequestId id,
                                                     std::string_view filename, std::string_view content_type,
                                                     std::string_view bytes, bool internal) {
    core::FieldErrors errs;
    const std::string type = Lower(std::string(core::TrimAscii(content_type.substr(0, content_type.find(';')))));
    const auto& allowed = AllowedAttachmentTypes();
    if (std::find(allowed.begin(), allowed.end(), type) == allowed.end()) {
        errs.Add("/headers/content-type", "option",
                 "Allowed: PDF, PNG, JPEG, GIF, plain text, CSV, XML, JSON, ZIP, e-mail, Word and Excel files.");
    } else if (!ContentMatches(type, bytes)) {
        errs.Add("/headers/content-type", "content_mismatch", "The file's content is not of the declared type.");
    }
    if (bytes.empty()) errs.Add("/body", "required", "The file is empty.");
    if (bytes.size() > options_.max_attachment_bytes) {
        return Fail(Error::ResourceExhausted(
                        fmt::format("An attachment is at most {} bytes.", options_.max_attachment_bytes))
                        .WithType("attachment-too-large"));
    }
    if (auto ok = errs.ToResult("The attachment is not accepted."); !ok) return Fail(std::move(ok.error()));
    const std::string name = SanitiseFilename(filename);
    const std::string sha = Sha256Hex(bytes);
    const auto now = clock_.Now();
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<Attachment> {
        SD_LOAD(current, tx, actor, id);
        if (actor.IsStaff() && !IsWorker(actor)) return Fail(WorkerDenied());
        if (internal && !actor.IsStaff()) return Fail(Error::PermissionDenied("Only staff attach internal files."));
        if (current.status == Status::kClosed) {
            return Fail(Error::Conflict("The request is closed.").WithType("illegal-transition"));
        }
        auto count = tx.QueryOne("SELECT COUNT(*) FROM sd_attachments WHERE request_id = $1", {id.value()});
        if (!count) return Fail(std::move(count.error()));
        if (static_cast<std::size_t>((*count)->GetInt(0)) >= options_.max_attachments_per_request) {
            return Fail(Error::ResourceExhausted(fmt::format("A request has at most {} attachments.",
                                                             options_.max_attachments_per_request))
                            .WithType("too-many-attachments"));
        }
        auto blob = tx.Execute(
            "INSERT INTO sd_blobs (sha256, size, content) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING",
            {sha, static_cast<std::int64_t>(bytes.size()), core::Base64UrlEncode(bytes)});
        if (!blob) return Fail(std::move(blob.error()));
        auto row = tx.QueryOne(
            "INSERT INTO sd_attachments (request_id, organisation_id, internal, filename, content_type, size, sha256, "
            "uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            {id.value(), current.organisation.value(), static_cast<std::int64_t>(internal ? 1 : 0), name, type,
             static_cast<std::int64_t>(bytes.size()), sha, actor.display_name, Ts(now)});
        if (!row) return Fail(std::move(row.error()));
        Attachment a;
        a.id = (*row)->GetInt(0);
        a.request = id;
        a.internal = internal;
        a.filename = name;
        a.content_type = type;
        a.size = static_cast<std::int64_t>(bytes.size());
        a.sha256 = sha;
        a.uploaded_by = actor.display_name;
        a.created_at = now;
        history::ChangeRecord rec{internal ? "service_request_note" : "service_request", id.value(),
                                  current.organisation.value(), history::ChangeAction::kUpdate,
                                  {{"attachment", nullptr,
                                    boost::json::object{{"id", a.id}, {"filename", name}, {"size", a.size}}}}};
        if (auto h = history::RecordChange(tx, actor, now, rec); !h) return Fail(std::move(h.error()));
        return a;
    });
}

Result<std::vector<Attachment>> ServiceDeskService::ListAttachments(const core::Principal& actor, RequestId id) {
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<std::vector<Attachment>> {
        auto r = detail::LoadRequest(tx, actor.Scope(), id);
        if (!r) return Fail(std::move(r.error()));
        if (!*r) return Fail(RequestNotFound(id));
        return detail::LoadAttachments(tx, id, actor.IsStaff(), std::nullopt);
    });
}

Result<AttachmentContent> ServiceDeskService::GetAttachment(const core::Principal& actor, RequestId id,
                                                            std::int64_t attachment_id) {
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<AttachmentContent> {
        auto r = detail::LoadRequest(tx, actor.Scope(), id);
        if (!r) return Fail(std::move(r.error()));
        if (!*r) return Fail(RequestNotFound(id));
        auto list = detail::LoadAttachments(tx, id, actor.IsStaff(), attachment_id);
        if (!list) return Fail(std::move(list.error()));
        if (list->empty()) return Fail(Error::NotFound(fmt::format("There is no attachment {}.", attachment_id)));
        AttachmentContent out;
        out.meta = std::move(list->front());
        auto blob = tx.QueryOne("SELECT content FROM sd_blobs WHERE sha256 = $1", {out.meta.sha256});
        if (!blob) return Fail(std::move(blob.error()));
        if (!*blob) return Fail(Error::Internal("an attachment's content is missing"));
        auto bytes = core::Base64UrlDecode((*blob)->GetText(0));
        if (!bytes) return Fail(Error::Internal("an attachment's content is damaged"));
        out.bytes = std::move(*bytes);
        return out;
    });
}

// ---------------------------------------------------------------------------------------------
// Links and merging

Result<Link> ServiceDeskService::AddLink(const core::Principal& actor, RequestId id, const boost::json::object& body) {
    core::FieldErrors errs;
    core::ObjectReader r(body, errs);
    const auto target = r.Int("target_id", true);
    const auto kind_text = r.String("kind", true, 40);
    r.RejectUnknown({"target_id", "kind"});
    std::optional<LinkKind> kind;
    if (kind_text) {
        kind = ParseLinkKind(*kind_text);
        if (!kind || *kind == LinkKind::kMergedInto || *kind == LinkKind::kFollowUpOf) {
            errs.Add("/kind", "option", "One of related, duplicate_of, caused_by.");
        }
    }
    if (target && *target == id.value()) errs.Add("/target_id", "self", "A request cannot link to itself.");
    if (auto ok = errs.ToResult(); !ok) return Fail(std::move(ok.error()));
    const auto now = clock_.Now();
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<Link> {
        SD_LOAD(current, tx, actor, id);
        if (!IsWorker(actor)) return Fail(WorkerDenied());
        auto other = detail::LoadRequest(tx, actor.Scope(), RequestId(*target));
        if (!other) return Fail(std::move(other.error()));
        if (!*other) {
            return Fail(Error::InvalidArgument("No such request.", {{"/target_id", "not_found", "No such request."}}));
        }
        auto row = tx.QueryOne(
            "INSERT INTO sd_links (from_request_id, to_request_id, kind, created_by, created_at) "
            "VALUES ($1, $2, $3, $4, $5) RETURNING id",
            {id.value(), *target, std::string(LinkKindName(*kind)), actor.username, Ts(now)});
        if (!row) {
            if (row.error().code == core::ErrorCode::kAlreadyExists) {
                return Fail(Error::AlreadyExists("The requests are already linked so.").WithType("duplicate-link"));
            }
            return Fail(std::move(row.error()));
        }
        Link l;
        l.id = (*row)->GetInt(0);
        l.from = id;
        l.to = RequestId(*target);
        l.to_number = (*other)->number;
        l.kind = *kind;
        l.created_by = actor.username;
        l.created_at = now;
        history::ChangeRecord rec{"service_request", id.value(), current.organisation.value(),
                                  history::ChangeAction::kUpdate,
                                  {{"link", nullptr,
                                    boost::json::object{{"kind", LinkKindName(*kind)}, {"to", l.to_number}}}}};
        if (auto h = history::RecordChange(tx, actor, now, rec); !h) return Fail(std::move(h.error()));
        return l;
    });
}

Result<std::vector<Link>> ServiceDeskService::ListLinks(const core::Principal& actor, RequestId id) {
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<std::vector<Link>> {
        auto r = detail::LoadRequest(tx, actor.Scope(), id);
        if (!r) return Fail(std::move(r.error()));
        if (!*r) return Fail(RequestNotFound(id));
        return detail::LoadLinks(tx, actor.Scope(), id);
    });
}

Result<ServiceRequest> ServiceDeskService::Merge(const core::Principal& actor, RequestId source,
                                                 const boost::json::object& body) {
    core::FieldErrors errs;
    core::ObjectReader r(body, errs);
    const auto target_id = r.Int("target_id", true);
    r.RejectUnknown({"target_id"});
    if (target_id && *target_id == source.value()) errs.Add("/target_id", "self", "A request cannot merge into itself.");
    if (auto ok = errs.ToResult(); !ok) return Fail(std::move(ok.error()));
    const auto now = clock_.Now();
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<ServiceRequest> {
        SD_LOAD(src, tx, actor, source);
        if (!IsWorker(actor)) return Fail(WorkerDenied());
        auto tgt_loaded = detail::LoadRequest(tx, actor.Scope(), RequestId(*target_id));
        if (!tgt_loaded) return Fail(std::move(tgt_loaded.error()));
        if (!*tgt_loaded) {
            return Fail(Error::InvalidArgument("No such request.", {{"/target_id", "not_found", "No such request."}}));
        }
        ServiceRequest tgt = std::move(**tgt_loaded);
        if (src.merged_into) return Fail(Error::Conflict("The request was merged already.").WithType("merged"));
        if (src.status == Status::kClosed) {
            return Fail(Error::Conflict("A closed request cannot be merged.").WithType("illegal-transition"));
        }
        if (tgt.status == Status::kClosed || tgt.merged_into) {
            return Fail(Error::Conflict("The target request is closed.").WithType("illegal-transition"));
        }
        if (tgt.organisation != src.organisation) {
            return Fail(Error::Conflict("Requests of different organisations cannot be merged.")
                            .WithType("different-organisation"));
        }
        for (std::string_view sql : {"UPDATE sd_messages SET request_id = $1 WHERE request_id = $2",
                                     "UPDATE sd_attachments SET request_id = $1 WHERE request_id = $2"}) {
            if (auto u = tx.Execute(sql, {tgt.id.value(), src.id.value()}); !u) return Fail(std::move(u.error()));
        }
        // The source's own description becomes a message of the target, so nothing is lost.
        auto m = tx.Execute(
            "INSERT INTO sd_messages (request_id, organisation_id, kind, direction, channel, author_user_id, "
            "author_contact_id, author_name, body, created_at) VALUES ($1, $2, 'reply', 'customer', $3, $4, $5, $6, "
            "$7, $8)",
            {tgt.id.value(), tgt.organisation.value(), std::string(ChannelName(src.channel)),
             storage::Opt(src.requester_user_id), storage::Opt(src.requester_contact_id), src.requester_name,
             fmt::format("[{}] {}\n\n{}", src.number, src.subject, src.body), Ts(src.created_at)});
        if (!m) return Fail(std::move(m.error()));
        ServiceRequest closed = src;
        closed.status = Status::kClosed;
        closed.closed_at = now;
        closed.merged_into = tgt.id;
        if (auto s = SaveForSystem(tx, src, closed, now, actor); !s) return Fail(std::move(s.error()));
        auto link = tx.Execute(
            "INSERT INTO sd_links (from_request_id, to_request_id, kind, created_by, created_at) "
            "VALUES ($1, $2, 'merged_into', $3, $4)",
            {src.id.value(), tgt.id.value(), actor.username, Ts(now)});
        if (!link) return Fail(std::move(link.error()));
        history::ChangeRecord rec{"service_request", tgt.id.value(), tgt.organisation.value(),
                                  history::ChangeAction::kUpdate,
                                  {{"merged_from", nullptr, boost::json::value(src.number)}}};
        if (auto h = history::RecordChange(tx, actor, now, rec); !h) return Fail(std::move(h.error()));
        if (auto e = Fire(tx, closed, "status", now); !e) return Fail(std::move(e.error()));
        auto reloaded = detail::LoadRequest(tx, core::AccessScope{}, tgt.id);
        if (!reloaded) return Fail(std::move(reloaded.error()));
        if (auto d = DecorateAll(tx, {&**reloaded}); !d) return Fail(std::move(d.error()));
        return std::move(**reloaded);
    });
}

// ---------------------------------------------------------------------------------------------
// Canned responses

Result<std::vector<CannedResponse>> ServiceDeskService::ListCanned(const core::Principal& actor,
                                                                   const std::optional<std::string>& language) {
    if (!actor.IsStaff()) return Fail(Error::PermissionDenied("Canned responses are for customer service."));
    return storage::InReadTx(db_, [&](storage::Transaction& tx) {
        return detail::LoadCanned(tx, std::nullopt, language);
    });
}

namespace {

struct CannedFields {
    std::optional<std::string> name, language, body, group;
    bool group_set = false;
};

CannedFields ReadCanned(const boost::json::object& body, bool create, core::FieldErrors& errs) {
    core::ObjectReader r(body, errs);
    CannedFields f;
    f.name = r.String("name", create, 200);
    f.language = r.String("language", create, 2);
    f.body = r.String("body", create, kMaxBodyLength, false);
    f.group_set = r.Has("group");
    f.group = r.String("group", false, 64);
    r.RejectUnknown({"name", "language", "body", "group"});
    if (f.name && f.name->empty()) errs.Add("/name", "required", "A name is required.");
    if (f.language && *f.language != "fi" && *f.language != "sv" && *f.language != "en")
        errs.Add("/language", "option", "One of fi, sv, en.");
    if (f.body) {
        if (core::TrimAscii(*f.body).empty()) errs.Add("/body", "required", "The text is empty.");
        CheckPlaceholders(*f.body, errs);
    }
    return f;
}

}  // namespace

Result<CannedResponse> ServiceDeskService::CreateCanned(const core::Principal& actor, const boost::json::object& body) {
    if (!IsWorker(actor)) return Fail(WorkerDenied());
    core::FieldErrors errs;
    auto f = ReadCanned(body, true, errs);
    if (auto ok = errs.ToResult(); !ok) return Fail(std::move(ok.error()));
    const auto now = clock_.Now();
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<CannedResponse> {
        if (f.group) {
            auto g = tx.QueryOne("SELECT id FROM sd_service_groups WHERE group_key = $1", {*f.group});
            if (!g) return Fail(std::move(g.error()));
            if (!*g) return Fail(Error::InvalidArgument("No such group.", {{"/group", "option", "Not a service group."}}));
        }
        auto row = tx.QueryOne(
            "INSERT INTO sd_canned_responses (name, language, body, group_id, created_by, created_at, updated_at) "
            "VALUES ($1, $2, $3, (SELECT id FROM sd_service_groups WHERE group_key = $4), $5, $6, $6) RETURNING id",
            {*f.name, *f.language, *f.body, storage::Opt(f.group), actor.username, Ts(now)});
        if (!row) {
            if (row.error().code == core::ErrorCode::kAlreadyExists) {
                return Fail(Error::AlreadyExists("A canned response of this name and language exists.",
                                                 {{"/name", "duplicate", "The name is taken in this language."}}));
            }
            return Fail(std::move(row.error()));
        }
        auto list = detail::LoadCanned(tx, (*row)->GetInt(0), std::nullopt);
        if (!list) return Fail(std::move(list.error()));
        history::ChangeRecord rec{"sd_canned_response", list->front().id, std::nullopt, history::ChangeAction::kCreate,
                                  history::AllFields(ToJson(list->front()), false, {"id", "created_at", "updated_at"})};
        if (auto h = history::RecordChange(tx, actor, now, rec); !h) return Fail(std::move(h.error()));
        return std::move(list->front());
    });
}

Result<CannedResponse> ServiceDeskService::UpdateCanned(const core::Principal& actor, std::int64_t id,
                                                        const boost::json::object& patch) {
    if (!IsWorker(actor)) return Fail(WorkerDenied());
    core::FieldErrors errs;
    auto f = ReadCanned(patch, false, errs);
    if (auto ok = errs.ToResult(); !ok) return Fail(std::move(ok.error()));
    const auto now = clock_.Now();
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<CannedResponse> {
        auto list = detail::LoadCanned(tx, id, std::nullopt);
        if (!list) return Fail(std::move(list.error()));
        if (list->empty()) return Fail(Error::NotFound(fmt::format("There is no canned response {}.", id)));
        const CannedResponse before = list->front();
        CannedResponse after = before;
        if (f.name) after.name = *f.name;
        if (f.language) after.language = *f.language;
        if (f.body) after.body = *f.body;
        if (f.group_set) after.group = f.group;
        auto n = tx.Execute(
            "UPDATE sd_canned_responses SET name = $1, language = $2, body = $3, "
            "group_id = (SELECT id FROM sd_service_groups WHERE group_key = $4), version = version + 1, "
            "updated_at = $5 WHERE id = $6 AND deleted_at IS NULL",
            {after.name, after.language, after.body, storage::Opt(after.group), Ts(now), id});
        if (!n) {
            if (n.error().code == core::ErrorCode::kAlreadyExists) {
                return Fail(Error::AlreadyExists("A canned response of this name and language exists.",
                                                 {{"/name", "duplicate", "The name is taken in this language."}}));
            }
            return Fail(std::move(n.error()));
        }
        after.version += 1;
        after.updated_at = now;
        history::ChangeRecord rec{"sd_canned_response", id, std::nullopt, history::ChangeAction::kUpdate,
                                  history::Diff(ToJson(before), ToJson(after), {"version", "updated_at"})};
        if (auto h = history::RecordChange(tx, actor, now, rec); !h) return Fail(std::move(h.error()));
        return after;
    });
}

Result<void> ServiceDeskService::DeleteCanned(const core::Principal& actor, std::int64_t id) {
    if (!IsWorker(actor)) return Fail(WorkerDenied());
    const auto now = clock_.Now();
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<void> {
        auto n = tx.Execute("UPDATE sd_canned_responses SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL",
                            {Ts(now), id});
        if (!n) return Fail(std::move(n.error()));
        if (*n != 1) return Fail(Error::NotFound(fmt::format("There is no canned response {}.", id)));
        history::ChangeRecord rec{"sd_canned_response", id, std::nullopt, history::ChangeAction::kDelete,
                                  {{"deleted_at", nullptr, boost::json::value(Ts(now))}}};
        return history::RecordChange(tx, actor, now, rec);
    });
}

Result<std::string> ServiceDeskService::RenderCanned(const core::Principal& actor, std::int64_t id,
                                                     RequestId request) {
    if (!actor.IsStaff()) return Fail(Error::PermissionDenied("Canned responses are for customer service."));
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<std::string> {
        auto r = detail::LoadRequest(tx, actor.Scope(), request);
        if (!r) return Fail(std::move(r.error()));
        if (!*r) return Fail(RequestNotFound(request));
        auto list = detail::LoadCanned(tx, id, std::nullopt);
        if (!list) return Fail(std::move(list.error()));
        if (list->empty()) return Fail(Error::NotFound(fmt::format("There is no canned response {}.", id)));
        std::string group_name;
        if ((*r)->group) {
            auto groups = detail::LoadGroups(tx);
            if (!groups) return Fail(std::move(groups.error()));
            for (const auto& g : *groups) {
                if (g.key != *(*r)->group) continue;
                const auto* n = g.names.if_contains(list->front().language);
                if (n && n->is_string()) group_name = std::string(n->as_string());
            }
        }
        const std::pair<std::string_view, std::string> values[] = {
            {"request.number", (*r)->number},         {"request.subject", (*r)->subject},
            {"requester.name", (*r)->requester_name}, {"organisation.name", (*r)->organisation_name},
            {"agent.name", actor.display_name},       {"group.name", group_name}};
        std::string out;
        const std::string& body = list->front().body;
        std::size_t pos = 0;
        while (pos < body.size()) {
            const auto open = body.find("{{", pos);
            if (open == std::string::npos) {
                out.append(body, pos);
                break;
            }
            const auto close = body.find("}}", open);
            if (close == std::string::npos) {
                out.append(body, pos);
                break;
            }
            out.append(body, pos, open - pos);
            const auto name = core::TrimAscii(std::string_view(body).substr(open + 2, close - open - 2));
            bool replaced = false;
            for (const auto& [k, v] : values) {
                if (k == name) {
                    out += v;
                    replaced = true;
                }
            }
            if (!replaced) out.append(body, open, close + 2 - open);
            pos = close + 2;
        }
        return out;
    });
}

// ---------------------------------------------------------------------------------------------
// E-mail

Result<ServiceRequest> ServiceDeskService::CreateFromEmail(const EmailIntake& mail) {
    const core::Principal system = core::Principal::System();
    core::FieldErrors errs;
    const std::string from = Lower(std::string(core::TrimAscii(mail.from_address)));
    if (!IsEmailAddress(from)) errs.Add("/from", "format", "Not an e-mail address.");
    std::string subject(core::TrimAscii(mail.subject));
    if (subject.empty()) subject = "(no subject)";
    if (subject.size() > kMaxSubjectLength) {
        subject.resize(kMaxSubjectLength);
        while (!subject.empty() && (static_cast<unsigned char>(subject.back()) & 0xC0) == 0x80) subject.pop_back();
        if (!subject.empty() && (static_cast<unsigned char>(subject.back()) & 0x80)) subject.pop_back();
    }
    std::string body = mail.body;
    if (body.size() > kMaxBodyLength) body.resize(kMaxBodyLength);
    if (core::TrimAscii(body).empty()) body = "(empty message)";
    if (auto ok = errs.ToResult(); !ok) return Fail(std::move(ok.error()));
    const auto now = clock_.Now();
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<ServiceRequest> {
        auto contact = tx.QueryOne(
            "SELECT id, organisation_id, first_name, last_name, email, language FROM contacts WHERE LOWER(email) = $1 "
            "AND deleted_at IS NULL AND erased_at IS NULL ORDER BY updated_at DESC, id DESC LIMIT 1",
            {from});
        if (!contact) return Fail(std::move(contact.error()));
        if (!*contact) {
            return Fail(Error::NotFound(fmt::format("No contact person has the address {}.", from))
                            .WithType("unknown-sender"));
        }
        auto types = detail::LoadTypes(tx, mail.type);
        if (!types) return Fail(std::move(types.error()));
        if (types->empty()) return Fail(Error::InvalidArgument("Not a request type.", {{"/type", "option", mail.type}}));
        ServiceRequest sr;
        sr.organisation = core::OrganisationId((*contact)->GetInt(1));
        sr.requester_contact_id = (*contact)->GetInt(0);
        sr.requester_name = mail.from_name.empty()
                                ? fmt::format("{} {}", (*contact)->GetText(2), (*contact)->GetText(3))
                                : mail.from_name;
        sr.requester_email = (*contact)->GetOptText(4);
        sr.type = mail.type;
        sr.form_version = types->front().form_version;
        // E-mail carries no form: it is kept empty (the agent completes what the type needs).
        sr.priority = Priority::kNormal;
        sr.channel = Channel::kEmail;
        sr.language = mail.language.value_or((*contact)->GetOptText(5).value_or("fi"));
        if (sr.language != "fi" && sr.language != "sv" && sr.language != "en") sr.language = "fi";
        sr.subject = subject;
        sr.body = body;
        sr.status = Status::kNew;
        std::optional<std::string> mid;
        if (!mail.message_id.empty()) mid = NormaliseMessageId(mail.message_id);
        return Insert(tx, system, std::move(sr), types->front().id, now, mid);
    });
}

Result<ReplyOutcome> ServiceDeskService::AddCustomerEmailReply(RequestId id, std::string_view from_address,
                                                               std::string_view body, std::string_view message_id,
                                                               const std::optional<std::string>& in_reply_to) {
    const core::Principal system = core::Principal::System();
    const std::string from = Lower(std::string(core::TrimAscii(from_address)));
    std::string text(body);
    if (text.size() > kMaxBodyLength) text.resize(kMaxBodyLength);
    if (core::TrimAscii(text).empty()) text = "(empty message)";
    const auto now = clock_.Now();
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<ReplyOutcome> {
        auto current = detail::LoadRequest(tx, core::AccessScope{}, id);
        if (!current) return Fail(std::move(current.error()));
        if (!*current) return Fail(RequestNotFound(id));
        ServiceRequest sr = std::move(**current);
        if (sr.merged_into) {
            auto into = detail::LoadRequest(tx, core::AccessScope{}, *sr.merged_into);
            if (!into) return Fail(std::move(into.error()));
            if (*into) sr = std::move(**into);
        }
        auto contact = tx.QueryOne(
            "SELECT id, first_name, last_name FROM contacts WHERE organisation_id = $1 AND LOWER(email) = $2 "
            "AND deleted_at IS NULL AND erased_at IS NULL ORDER BY id LIMIT 1",
            {sr.organisation.value(), from});
        if (!contact) return Fail(std::move(contact.error()));
        std::optional<std::int64_t> contact_id;
        std::string author = from;
        if (*contact) {
            contact_id = (*contact)->GetInt(0);
            author = fmt::format("{} {}", (*contact)->GetText(1), (*contact)->GetText(2));
        } else if (!sr.requester_email || Lower(*sr.requester_email) != from) {
            return Fail(Error::PermissionDenied(fmt::format("{} is not a contact of the request's organisation.", from))
                            .WithType("unknown-sender"));
        }
        std::optional<std::string> mid;
        if (!message_id.empty()) mid = NormaliseMessageId(message_id);
        std::optional<std::string> irt;
        if (in_reply_to && !in_reply_to->empty()) irt = NormaliseMessageId(*in_reply_to);
        return CustomerReply(tx, system, std::move(sr), Channel::kEmail, text, contact_id, author, mid, irt, now);
    });
}

Result<std::optional<RequestId>> ServiceDeskService::FindByNumber(std::string_view number) {
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<std::optional<RequestId>> {
        auto row = tx.QueryOne("SELECT id FROM sd_requests WHERE number = $1", {std::string(number)});
        if (!row) return Fail(std::move(row.error()));
        if (!*row) return std::optional<RequestId>{};
        return std::optional<RequestId>(RequestId((*row)->GetInt(0)));
    });
}

Result<std::optional<RequestId>> ServiceDeskService::FindByMessageId(std::string_view message_id) {
    const std::string mid = NormaliseMessageId(message_id);
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<std::optional<RequestId>> {
        for (std::string_view sql : {"SELECT request_id FROM sd_messages WHERE message_id = $1 ORDER BY id LIMIT 1",
                                     "SELECT request_id FROM sd_notifications WHERE message_id = $1 LIMIT 1"}) {
            auto row = tx.QueryOne(sql, {mid});
            if (!row) return Fail(std::move(row.error()));
            if (*row) return std::optional<RequestId>(RequestId((*row)->GetInt(0)));
        }
        return std::optional<RequestId>{};
    });
}

Result<std::vector<Notification>> ServiceDeskService::PendingNotifications(int limit, int max_attempts) {
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<std::vector<Notification>> {
        auto rows = tx.Query(
            "SELECT n.id, n.request_id, r.number, n.kind, n.recipient, n.subject, n.body, n.message_id, "
            "n.in_reply_to, n.created_at, n.attempts FROM sd_notifications n JOIN sd_requests r ON r.id = n.request_id "
            "WHERE n.sent_at IS NULL AND n.attempts < $1 ORDER BY n.id LIMIT $2",
            {static_cast<std::int64_t>(max_attempts), static_cast<std::int64_t>(std::clamp(limit, 1, 1000))});
        if (!rows) return Fail(std::move(rows.error()));
        std::vector<Notification> out;
        for (const auto& r : rows->rows) {
            Notification n;
            n.id = r.GetInt(0);
            n.request = RequestId(r.GetInt(1));
            n.request_number = r.GetText(2);
            n.kind = r.GetText(3);
            n.recipient = r.GetText(4);
            n.subject = r.GetText(5);
            n.body = r.GetText(6);
            n.message_id = r.GetText(7);
            n.in_reply_to = r.GetOptText(8);
            n.created_at = core::ParseTimestamp(r.GetText(9)).value_or(core::Timestamp{});
            n.attempts = static_cast<int>(r.GetInt(10));
            out.push_back(std::move(n));
        }
        return out;
    });
}

Result<void> ServiceDeskService::MarkNotificationSent(std::int64_t id) {
    const auto now = clock_.Now();
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<void> {
        auto n = tx.Execute("UPDATE sd_notifications SET sent_at = $1, attempts = attempts + 1, last_error = NULL "
                            "WHERE id = $2 AND sent_at IS NULL",
                            {Ts(now), id});
        if (!n) return Fail(std::move(n.error()));
        return {};
    });
}

Result<void> ServiceDeskService::MarkNotificationFailed(std::int64_t id, std::string_view error) {
    std::string e(error.substr(0, 2000));
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<void> {
        auto n = tx.Execute("UPDATE sd_notifications SET attempts = attempts + 1, last_error = $1 WHERE id = $2",
                            {e, id});
        if (!n) return Fail(std::move(n.error()));
        return {};
    });
}

}  // namespace customsdesk::servicedesk
