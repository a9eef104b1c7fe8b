#include "customsdesk/control/control_service.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "customsdesk/core/json.hpp"
#include "customsdesk/history/change_history.hpp"

namespace customsdesk::control {
namespace {

using core::Error;
using core::Fail;
using core::Result;
using storage::Param;

constexpr std::string_view kCategories[] = {"misclassification", "undervaluation", "origin",
                                            "prohibited_goods",  "quantity",       "documents"};

// The declarations module owns this table; control only reads the columns it needs to scope and
// route (state changes go through DeclarationService::TransitionInTx).
constexpr std::string_view kDeclarationRow =
    "SELECT id, state, declarant_org_id, represented_org_id, declarant_eori, lrn FROM declarations WHERE id = $1";
constexpr std::string_view kQueueSqlite =
    "SELECT id, lrn, mrn, type, state, lane, COALESCE(json_extract(payload, '$.office_of_lodgement'), ''), "
    "declarant_eori, accepted_at FROM declarations WHERE state IN ('under_documentary_control', "
    "'under_physical_control')";
constexpr std::string_view kQueuePostgres =
    "SELECT id, lrn, mrn, type, state, lane, COALESCE(payload::jsonb ->> 'office_of_lodgement', ''), "
    "declarant_eori, accepted_at FROM declarations WHERE state IN ('under_documentary_control', "
    "'under_physical_control')";
constexpr std::string_view kOfficeSqlite = " AND json_extract(payload, '$.office_of_lodgement') = ";
constexpr std::string_view kOfficePostgres = " AND payload::jsonb ->> 'office_of_lodgement' = ";
constexpr std::string_view kRequestColumns =
    "id, declaration_id, required_documents, message, state, decision, decision_note, requested_by, requested_at, "
    "answered_at, decided_by, decided_at, organisation_id, represented_org_id";
constexpr std::string_view kDocumentColumns =
    "id, filename, content_type, size_bytes, sha256, uploaded_by, uploaded_at";
constexpr std::string_view kFindingColumns =
    "id, declaration_id, control_type, outcome, category, note, recorded_by, recorded_at";
constexpr std::string_view kCountControl =
    "INSERT INTO trader_compliance (organisation_id, controls, findings, last_control_at, last_finding_at, "
    "updated_at) VALUES ($1, $2, $3, $4, $5, $4) ON CONFLICT (organisation_id) DO UPDATE SET "
    "controls = trader_compliance.controls + $2, findings = trader_compliance.findings + $3, "
    "last_control_at = $4, last_finding_at = COALESCE($5, trader_compliance.last_finding_at), updated_at = $4";
constexpr std::string_view kDecisiveProfiles =
    "SELECT DISTINCT profile_key, profile_version FROM selectivity_hits WHERE decisive = $2 AND decision_id = "
    "(SELECT MAX(id) FROM selectivity_decisions WHERE declaration_id = $1)";
constexpr std::string_view kCountProfileControl =
    "INSERT INTO selectivity_profile_stats (profile_key, profile_version, controls, findings) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (profile_key, profile_version) DO UPDATE SET "
    "controls = selectivity_profile_stats.controls + $3, findings = selectivity_profile_stats.findings + $4";

bool IsOfficer(const core::Principal& p) {
    return p.IsStaff() && (p.Has(core::Role::kOfficer) || p.Has(core::Role::kAdmin));
}
Error OfficerOnly() { return Error::PermissionDenied("Only customs officers and administrators control declarations."); }
Error DeclarationNotFound(std::int64_t id) { return Error::NotFound(fmt::format("Declaration {} not found.", id)); }
Error RequestNotFound(std::int64_t id) { return Error::NotFound(fmt::format("Document request {} not found.", id)); }

struct DeclRow {
    std::int64_t id = 0;
    std::string state;
    std::optional<std::int64_t> declarant_org;
    std::optional<std::int64_t> represented_org;
    std::string eori;
    std::string lrn;
};

bool Visible(const core::Principal& actor, std::optional<std::int64_t> declarant_org,
             std::optional<std::int64_t> represented_org) {
    const auto scope = actor.Scope();
    if (scope.unrestricted()) return true;
    const auto org = scope.organisation->value();
    return declarant_org == org || represented_org == org;
}

Result<std::optional<DeclRow>> LoadDeclaration(storage::Transaction& tx, std::int64_t id) {
    auto row = tx.QueryOne(kDeclarationRow, {id});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<DeclRow>{};
    const auto& r = **row;
    return std::optional<DeclRow>(DeclRow{r.GetInt(0), r.GetText(1), r.GetOptInt(2), r.GetOptInt(3), r.GetText(4),
                                          r.GetText(5)});
}

// The declaration if `actor` may see it, else NotFound.
Result<DeclRow> VisibleDeclaration(storage::Transaction& tx, const core::Principal& actor, std::int64_t id) {
    auto d = LoadDeclaration(tx, id);
    if (!d) return Fail(std::move(d.error()));
    if (!*d || !Visible(actor, (*d)->declarant_org, (*d)->represented_org)) return Fail(DeclarationNotFound(id));
    return std::move(**d);
}

DocumentRequest RequestFromRow(const storage::Row& r) {
    DocumentRequest q;
    q.id = r.GetInt(0);
    q.declaration_id = r.GetInt(1);
    if (auto docs = core::ParseJson(r.GetText(2)); docs && docs->is_array()) {
        for (const auto& v : docs->as_array())
            if (v.is_string()) q.required_documents.emplace_back(v.as_string());
    }
    q.message = r.GetText(3);
    q.state = r.GetText(4);
    q.decision = r.GetOptText(5);
    q.decision_note = r.GetOptText(6);
    q.requested_by = r.GetText(7);
    q.requested_at = r.GetText(8);
    q.answered_at = r.GetOptText(9);
    q.decided_by = r.GetOptText(10);
    q.decided_at = r.GetOptText(11);
    return q;
}

DocumentInfo DocumentFromRow(const storage::Row& r) {
    return {r.GetInt(0), r.GetText(1), r.GetText(2), r.GetInt(3), r.GetText(4), r.GetText(5), r.GetText(6)};
}

Finding FindingFromRow(const storage::Row& r) {
    return {r.GetInt(0), r.GetInt(1), r.GetText(2), r.GetText(3), r.GetOptText(4),
            r.GetText(5), r.GetText(6), r.GetText(7)};
}

Result<std::vector<DocumentInfo>> LoadDocuments(storage::Transaction& tx, std::int64_t request_id) {
    auto rows = tx.Query(fmt::format("SELECT {} FROM request_documents WHERE request_id = $1 ORDER BY id",
                                     kDocumentColumns),
                         {request_id});
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<DocumentInfo> out;
    for (const auto& r : rows->rows) out.push_back(DocumentFromRow(r));
    return out;
}

// The request (with its documents) if `actor` may see it, else NotFound.
Result<DocumentRequest> VisibleRequest(storage::Transaction& tx, const core::Principal& actor, std::int64_t id) {
    auto row = tx.QueryOne(fmt::format("SELECT {} FROM document_requests WHERE id = $1", kRequestColumns), {id});
    if (!row) return Fail(std::move(row.error()));
    if (!*row || !Visible(actor, (*row)->GetOptInt(12), (*row)->GetOptInt(13))) return Fail(RequestNotFound(id));
    auto q = RequestFromRow(**row);
    auto docs = LoadDocuments(tx, id);
    if (!docs) return Fail(std::move(docs.error()));
    q.documents = std::move(*docs);
    return q;
}

bool IsCategory(std::string_view c) {
    return std::find(std::begin(kCategories), std::end(kCategories), c) != std::end(kCategories);
}

// {"outcome", "category", "note"} or {"decision", "category", "note"}: the category must be from the
// list and is required exactly when the outcome is non-compliant.
std::optional<std::string> ReadCategory(core::ObjectReader& r, bool non_compliant) {
    auto category = r.String("category", false, 40);
    if (category && !IsCategory(*category)) {
        r.errors().Add("/category", "code", "Unknown finding category; see GET /api/v1/control/finding-categories.");
        return std::nullopt;
    }
    if (non_compliant && !category) {
        r.errors().Add("/category", "required", "A non-compliant outcome needs a category.");
    }
    if (!non_compliant && category) {
        r.errors().Add("/category", "not_allowed", "Only a non-compliant outcome has a category.");
        return std::nullopt;
    }
    return category;
}

std::string Sha256Hex(std::string_view bytes) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    std::string hex;
    for (unsigned char c : digest) hex += fmt::format("{:02x}", c);
    return hex;
}

std::optional<std::string> DecodeBase64(std::string_view text) {
    std::string out(text.size() / 4 * 3 + 3, '\0');
    std::size_t len = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(),
                          " \r\n", &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
        return std::nullopt;
    }
    out.resize(len);
    return out;
}

std::string EncodeBase64(std::string_view bytes) {
    std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                      sodium_base64_VARIANT_ORIGINAL);
    out.resize(std::strlen(out.c_str()));
    return out;
}

// Officer and trader actions go to the change history in the same transaction (who, when, what).
Result<void> Record(storage::Transaction& tx, const core::Principal& actor, core::Timestamp now,
                    std::string_view entity, std::int64_t id, std::optional<std::int64_t> org,
                    history::ChangeAction action, std::vector<history::FieldChange> changes) {
    history::ChangeRecord rec;
    rec.entity_type = std::string(entity);
    rec.entity_id = id;
    rec.organisation_id = org;
    rec.action = action;
    rec.changes = std::move(changes);
    return history::RecordChange(tx, actor, now, rec);
}

}  // namespace

std::span<const std::string_view> FindingCategories() { return kCategories; }

ControlService::ControlService(storage::Database& db, const core::Clock& clock,
                               declarations::DeclarationService& declarations)
    : db_(db), clock_(clock), declarations_(declarations) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
}

Result<QueuePage> ControlService::Queue(const core::Principal& actor, const QueueFilter& filter) {
    if (!IsOfficer(actor)) return Fail(OfficerOnly());
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<QueuePage> {
        const bool pg = tx.dialect() == storage::Dialect::kPostgres;
        std::string sql(pg ? kQueuePostgres : kQueueSqlite);
        std::vector<Param> params;
        if (filter.office) {
            params.emplace_back(*filter.office);
            sql += fmt::format("{}${}", pg ? kOfficePostgres : kOfficeSqlite, params.size());
        }
        if (filter.lane) {
            params.emplace_back(*filter.lane);
            sql += fmt::format(" AND lane = ${}", params.size());
        }
        if (filter.before_id > 0) {
            params.emplace_back(filter.before_id);
            sql += fmt::format(" AND id < ${}", params.size());
        }
        sql += fmt::format(" ORDER BY id DESC LIMIT {}", filter.limit + 1);
        auto rows = tx.Query(sql, params);
        if (!rows) return Fail(std::move(rows.error()));
        QueuePage page;
        for (const auto& r : rows->rows) {
            if (static_cast<int>(page.items.size()) == filter.limit) {
                page.next_before = page.items.back().id;
                break;
            }
            page.items.push_back({r.GetInt(0), r.GetText(1), r.GetOptText(2), r.GetText(3), r.GetText(4),
                                  r.GetOptText(5), r.GetText(6), r.GetText(7), r.GetOptText(8)});
        }
        return page;
    });
}

Result<DocumentRequest> ControlService::RequestDocuments(const core::Principal& actor, std::int64_t declaration_id,
                                                         const boost::json::object& body) {
    if (!IsOfficer(actor)) return Fail(OfficerOnly());
    core::FieldErrors errors;
    core::ObjectReader r(body, errors);
    auto docs = r.StringArray("required_documents", true, kMaxRequiredDocuments, kMaxDocumentNameLength);
    if (docs && docs->empty()) errors.Add("/required_documents", "required", "Name at least one document.");
    auto message = r.String("message", true, kMaxMessageLength);
    if (message && message->empty()) errors.Add("/message", "required", "Write a message to the trader.");
    r.RejectUnknown({"required_documents", "message"});
    if (auto ok = errors.ToResult(); !ok) return Fail(std::move(ok.error()));
    const auto now_ts = clock_.Now();
    const auto now = core::FormatTimestamp(now_ts);
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<DocumentRequest> {
        auto d = VisibleDeclaration(tx, actor, declaration_id);
        if (!d) return Fail(std::move(d.error()));
        if (d->state != "under_documentary_control") {
            return Fail(Error::Conflict(fmt::format("Declaration {} is {}; documents are requested under "
                                                    "documentary control.",
                                                    declaration_id, d->state))
                            .WithType("not-under-documentary-control"));
        }
        boost::json::array list;
        for (const auto& s : *docs) list.emplace_back(s);
        auto id = tx.QueryOne(
            "INSERT INTO document_requests (declaration_id, organisation_id, represented_org_id, required_documents, "
            "message, state, requested_by, requested_at) VALUES ($1, $2, $3, $4, $5, 'open', $6, $7) RETURNING id",
            {declaration_id, storage::Opt(d->declarant_org), storage::Opt(d->represented_org),
             boost::json::serialize(list), *message, actor.username, now});
        if (!id) return Fail(std::move(id.error()));
        if (auto h = Record(tx, actor, now_ts, "document_request", (*id)->GetInt(0), d->declarant_org,
                            history::ChangeAction::kCreate,
                            {{"declaration_id", nullptr, declaration_id},
                             {"required_documents", nullptr, list},
                             {"message", nullptr, boost::json::value(*message)},
                             {"state", nullptr, "open"}});
            !h) {
            return Fail(std::move(h.error()));
        }
        return VisibleRequest(tx, actor, (*id)->GetInt(0));
    });
}

Result<std::vector<DocumentRequest>> ControlService::DocumentRequests(const core::Principal& actor,
                                                                      std::int64_t declaration_id) {
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<std::vector<DocumentRequest>> {
        auto d = VisibleDeclaration(tx, actor, declaration_id);
        if (!d) return Fail(std::move(d.error()));
        auto rows = tx.Query(fmt::format("SELECT {} FROM document_requests WHERE declaration_id = $1 ORDER BY id",
                                         kRequestColumns),
                             {declaration_id});
        if (!rows) return Fail(std::move(rows.error()));
        std::vector<DocumentRequest> out;
        for (const auto& row : rows->rows) {
            auto q = RequestFromRow(row);
            auto docs = LoadDocuments(tx, q.id);
            if (!docs) return Fail(std::move(docs.error()));
            q.documents = std::move(*docs);
            out.push_back(std::move(q));
        }
        return out;
    });
}

Result<DocumentRequest> ControlService::GetDocumentRequest(const core::Principal& actor, std::int64_t request_id) {
    return storage::InReadTx(db_, [&](storage::Transaction& tx) { return VisibleRequest(tx, actor, request_id); });
}

Result<DocumentInfo> ControlService::UploadDocument(const core::Principal& actor, std::int64_t request_id,
                                                    const boost::json::object& body) {
    core::FieldErrors errors;
    core::ObjectReader r(body, errors);
    auto filename = r.String("filename", true, 255);
    if (filename && (filename->empty() || filename->find_first_of("/\\") != std::string::npos)) {
        errors.Add("/filename", "format", "A file name without folders.");
    }
    auto content_type = r.String("content_type", true, 100);
    if (content_type && content_type->find('/') == std::string::npos) {
        errors.Add("/content_type", "format", "A media type such as application/pdf.");
    }
    auto content = r.String("content_base64", true, kMaxDocumentBytes / 3 * 4 + 8, false);
    std::optional<std::string> bytes;
    if (content) {
        bytes = DecodeBase64(*content);
        if (!bytes) errors.Add("/content_base64", "base64", "Not valid base64.");
        else if (bytes->empty()) errors.Add("/content_base64", "required", "The document is empty.");
        else if (bytes->size() > kMaxDocumentBytes) errors.Add("/content_base64", "too_large", "At most 4 MiB.");
    }
    r.RejectUnknown({"filename", "content_type", "content_base64"});
    // Visibility first: someone who may not see the request learns nothing, not even about the body.
    auto visible = GetDocumentRequest(actor, request_id);
    if (!visible) return Fail(std::move(visible.error()));
    if (auto ok = errors.ToResult(); !ok) return Fail(std::move(ok.error()));
    if (actor.IsStaff() && !actor.Has(core::Role::kAdmin)) {
        return Fail(Error::PermissionDenied("Documents are uploaded by the trader (or an administrator)."));
    }
    const auto now_ts = clock_.Now();
    const auto now = core::FormatTimestamp(now_ts);
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<DocumentInfo> {
        auto q = VisibleRequest(tx, actor, request_id);
        if (!q) return Fail(std::move(q.error()));
        if (q->state == "decided") {
            return Fail(Error::Conflict(fmt::format("Document request {} is already decided.", request_id))
                            .WithType("request-decided"));
        }
        if (q->documents.size() >= kMaxDocumentsPerRequest) {
            return Fail(Error::ResourceExhausted(
                fmt::format("A document request takes at most {} documents.", kMaxDocumentsPerRequest)));
        }
        auto id = tx.QueryOne(
            "INSERT INTO request_documents (request_id, filename, content_type, size_bytes, sha256, content, "
            "uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            {request_id, *filename, *content_type, static_cast<std::int64_t>(bytes->size()), Sha256Hex(*bytes),
             EncodeBase64(*bytes), actor.username, now});
        if (!id) return Fail(std::move(id.error()));
        auto u = tx.Execute(
            "UPDATE document_requests SET state = 'answered', answered_at = COALESCE(answered_at, $2) WHERE id = $1",
            {request_id, now});
        if (!u) return Fail(std::move(u.error()));
        const std::string sha = Sha256Hex(*bytes);
        if (auto h = Record(tx, actor, now_ts, "request_document", (*id)->GetInt(0), actor.Scope().organisation
                                ? std::optional<std::int64_t>(actor.Scope().organisation->value()) : std::nullopt,
                            history::ChangeAction::kCreate,
                            {{"request_id", nullptr, request_id},
                             {"filename", nullptr, boost::json::value(*filename)},
                             {"size_bytes", nullptr, static_cast<std::int64_t>(bytes->size())},
                             {"sha256", nullptr, boost::json::value(sha)}});
            !h) {
            return Fail(std::move(h.error()));
        }
        return DocumentInfo{(*id)->GetInt(0), *filename, *content_type, static_cast<std::int64_t>(bytes->size()),
                            sha, actor.username, now};
    });
}

Result<DocumentContent> ControlService::GetDocument(const core::Principal& actor, std::int64_t request_id,
                                                    std::int64_t document_id) {
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<DocumentContent> {
        auto q = VisibleRequest(tx, actor, request_id);
        if (!q) return Fail(std::move(q.error()));
        auto row = tx.QueryOne(fmt::format("SELECT {}, content FROM request_documents WHERE id = $1 AND "
                                           "request_id = $2",
                                           kDocumentColumns),
                               {document_id, request_id});
        if (!row) return Fail(std::move(row.error()));
        if (!*row) return Fail(Error::NotFound(fmt::format("Document {} not found.", document_id)));
        DocumentContent c;
        c.info = DocumentFromRow(**row);
        c.bytes = DecodeBase64((*row)->GetText(7)).value_or("");
        return c;
    });
}

Result<Finding> ControlService::InsertFinding(storage::Transaction& tx, const core::Principal& actor,
                                              const declarations::StoredDeclaration& d, std::string control_type,
                                              std::string outcome, std::optional<std::string> category,
                                              std::string note) {
    const auto now_ts = clock_.Now();
    const auto now = core::FormatTimestamp(now_ts);
    const bool non_compliant = outcome == "non_compliant";
    // First outcome of this declaration = one control; first non-compliant one = one finding.
    auto prior = tx.QueryOne(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN outcome = 'non_compliant' THEN 1 ELSE 0 END), 0) "
        "FROM control_findings WHERE declaration_id = $1",
        {d.id});
    if (!prior) return Fail(std::move(prior.error()));
    const std::int64_t new_control = (*prior)->GetInt(0) == 0 ? 1 : 0;
    const std::int64_t new_finding = non_compliant && (*prior)->GetInt(1) == 0 ? 1 : 0;
    auto id = tx.QueryOne(
        "INSERT INTO control_findings (declaration_id, organisation_id, control_type, outcome, category, note, "
        "recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        {d.id, storage::Opt(d.declarant_org_id), control_type, outcome, storage::Opt(category), note, actor.username,
         now});
    if (!id) return Fail(std::move(id.error()));
    if (auto h = Record(tx, actor, now_ts, "control_finding", (*id)->GetInt(0), d.declarant_org_id,
                        history::ChangeAction::kCreate,
                        {{"declaration_id", nullptr, d.id},
                         {"control_type", nullptr, boost::json::value(control_type)},
                         {"outcome", nullptr, boost::json::value(outcome)},
                         {"category", nullptr, category ? boost::json::value(*category) : boost::json::value(nullptr)},
                         {"note", nullptr, boost::json::value(note)}});
        !h) {
        return Fail(std::move(h.error()));
    }
    if (d.declarant_org_id && (new_control || new_finding)) {
        auto c = tx.Execute(kCountControl, {*d.declarant_org_id, new_control, new_finding, now,
                                            new_finding ? Param(now) : storage::Null()});
        if (!c) return Fail(std::move(c.error()));
    }
    if (new_control || new_finding) {
        auto profiles = tx.Query(kDecisiveProfiles, {d.id, true});
        if (!profiles) return Fail(std::move(profiles.error()));
        for (const auto& p : profiles->rows) {
            auto c = tx.Execute(kCountProfileControl, {p.GetText(0), p.GetInt(1), new_control, new_finding});
            if (!c) return Fail(std::move(c.error()));
        }
    }
    return Finding{(*id)->GetInt(0), d.id, std::move(control_type), std::move(outcome), std::move(category),
                   std::move(note), actor.username, now};
}

Result<DocumentRequest> ControlService::DecideDocumentRequest(const core::Principal& actor, std::int64_t request_id,
                                                              const boost::json::object& body) {
    if (!IsOfficer(actor)) return Fail(OfficerOnly());
    core::FieldErrors errors;
    core::ObjectReader r(body, errors);
    auto decision = r.String("decision", true, 40);
    if (decision && *decision != "release" && *decision != "physical_control" && *decision != "refuse") {
        errors.Add("/decision", "code", "The decision is release, physical_control or refuse.");
    }
    auto note = r.String("note", false, kMaxNoteLength).value_or("");
    auto category = ReadCategory(r, decision && *decision == "refuse");
    r.RejectUnknown({"decision", "note", "category"});
    if (auto ok = errors.ToResult(); !ok) return Fail(std::move(ok.error()));
    const auto now_ts = clock_.Now();
    const auto now = core::FormatTimestamp(now_ts);
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<DocumentRequest> {
        auto q = VisibleRequest(tx, actor, request_id);
        if (!q) return Fail(std::move(q.error()));
        if (q->state == "decided") {
            return Fail(Error::Conflict(fmt::format("Document request {} is already decided.", request_id))
                            .WithType("request-decided"));
        }
        const declarations::Action action = *decision == "release"            ? declarations::Action::kRelease
                                            : *decision == "physical_control" ? declarations::Action::kPhysicalControl
                                                                              : declarations::Action::kRefuseRelease;
        auto d = declarations_.TransitionInTx(tx, actor, q->declaration_id, action,
                                              note.empty() ? "documentary control: " + *decision : note);
        if (!d) return Fail(std::move(d.error()));
        if (*decision != "physical_control") {
            auto f = InsertFinding(tx, actor, *d, "documentary", *decision == "release" ? "compliant" : "non_compliant",
                                   category, note);
            if (!f) return Fail(std::move(f.error()));
        }
        auto u = tx.Execute(
            "UPDATE document_requests SET state = 'decided', decision = $2, decision_note = $3, decided_by = $4, "
            "decided_at = $5 WHERE id = $1",
            {request_id, *decision, note, actor.username, now});
        if (!u) return Fail(std::move(u.error()));
        if (auto h = Record(tx, actor, now_ts, "document_request", request_id, d->declarant_org_id,
                            history::ChangeAction::kUpdate,
                            {{"state", boost::json::value(q->state), "decided"},
                             {"decision", nullptr, boost::json::value(*decision)},
                             {"decision_note", nullptr, boost::json::value(note)}});
            !h) {
            return Fail(std::move(h.error()));
        }
        return VisibleRequest(tx, actor, request_id);
    });
}

Result<Finding> ControlService::RecordFinding(const core::Principal& actor, std::int64_t declaration_id,
                                              const boost::json::object& body) {
    if (!IsOfficer(actor)) return Fail(OfficerOnly());
    core::FieldErrors errors;
    core::ObjectReader r(body, errors);
    auto outcome = r.String("outcome", true, 20);
    if (outcome && *outcome != "compliant" && *outcome != "non_compliant") {
        errors.Add("/outcome", "code", "The outcome is compliant or non_compliant.");
    }
    auto category = ReadCategory(r, outcome && *outcome == "non_compliant");
    auto note = r.String("note", false, kMaxNoteLength).value_or("");
    r.RejectUnknown({"outcome", "category", "note"});
    if (auto ok = errors.ToResult(); !ok) return Fail(std::move(ok.error()));
    auto stored = declarations_.Get(actor, declaration_id);
    if (!stored) return Fail(std::move(stored.error()));
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<Finding> {
        auto row = VisibleDeclaration(tx, actor, declaration_id);
        if (!row) return Fail(std::move(row.error()));
        std::string type;
        if (row->state == "under_documentary_control") type = "documentary";
        else if (row->state == "under_physical_control") type = "physical";
        else {
            return Fail(Error::Conflict(fmt::format("Declaration {} is {}; findings are recorded under control.",
                                                    declaration_id, row->state))
                            .WithType("not-under-control"));
        }
        return InsertFinding(tx, actor, *stored, type, *outcome, category, note);
    });
}

Result<std::vector<Finding>> ControlService::Findings(const core::Principal& actor, std::int64_t declaration_id) {
    if (!actor.IsStaff()) return Fail(DeclarationNotFound(declaration_id));
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<std::vector<Finding>> {
        auto d = VisibleDeclaration(tx, actor, declaration_id);
        if (!d) return Fail(std::move(d.error()));
        auto rows = tx.Query(
            fmt::format("SELECT {} FROM control_findings WHERE declaration_id = $1 ORDER BY id", kFindingColumns),
            {declaration_id});
        if (!rows) return Fail(std::move(rows.error()));
        std::vector<Finding> out;
        for (const auto& r : rows->rows) out.push_back(FindingFromRow(r));
        return out;
    });
}

Result<declarations::StoredDeclaration> ControlService::Release(const core::Principal& actor,
                                                                std::int64_t declaration_id,
                                                                const std::string& reason) {
    if (!IsOfficer(actor)) return Fail(OfficerOnly());
    return declarations_.Transition(actor, declaration_id, declarations::Action::kRelease, reason);
}

Result<declarations::StoredDeclaration> ControlService::Refuse(const core::Principal& actor,
                                                               std::int64_t declaration_id, const std::string& reason) {
    if (!IsOfficer(actor)) return Fail(OfficerOnly());
    return declarations_.Transition(actor, declaration_id, declarations::Action::kRefuseRelease, reason);
}

boost::json::object ToJson(const QueuePage& p) {
    boost::json::array items;
    for (const auto& e : p.items) {
        items.push_back(boost::json::object{
            {"id", e.id},
            {"lrn", e.lrn},
            {"mrn", e.mrn ? boost::json::value(*e.mrn) : boost::json::value(nullptr)},
            {"type", e.type},
            {"state", e.state},
            {"lane", e.lane ? boost::json::value(*e.lane) : boost::json::value(nullptr)},
            {"office", e.office},
            {"declarant_eori", e.declarant_eori},
            {"accepted_at", e.accepted_at ? boost::json::value(*e.accepted_at) : boost::json::value(nullptr)}});
    }
    return {{"items", std::move(items)},
            {"next_before", p.next_before ? boost::json::value(*p.next_before) : boost::json::value(nullptr)}};
}

boost::json::object ToJson(const DocumentInfo& d) {
    return {{"id", d.id},
            {"filename", d.filename},
            {"content_type", d.content_type},
            {"size_bytes", d.size_bytes},
            {"sha256", d.sha256},
            {"uploaded_by", d.uploaded_by},
            {"uploaded_at", d.uploaded_at}};
}

boost::json::object ToJson(const DocumentRequest& r) {
    auto opt = [](const std::optional<std::string>& s) { return s ? boost::json::value(*s) : boost::json::value(nullptr); };
    boost::json::array required;
    for (const auto& s : r.required_documents) required.emplace_back(s);
    boost::json::array docs;
    for (const auto& d : r.documents) docs.push_back(ToJson(d));
    return {{"id", r.id},
            {"declaration_id", r.declaration_id},
            {"required_documents", std::move(required)},
            {"message", r.message},
            {"state", r.state},
            {"decision", opt(r.decision)},
            {"decision_note", opt(r.decision_note)},
            {"requested_by", r.requested_by},
            {"requested_at", r.requested_at},
            {"answered_at", opt(r.answered_at)},
            {"decided_by", opt(r.decided_by)},
            {"decided_at", opt(r.decided_at)},
            {"documents", std::move(docs)}};
}

boost::json::object ToJson(const Finding& f) {
    return {{"id", f.id},
            {"declaration_id", f.declaration_id},
            {"control_type", f.control_type},
            {"outcome", f.outcome},
            {"category", f.category ? boost::json::value(*f.category) : boost::json::value(nullptr)},
            {"note", f.note},
            {"recorded_by", f.recorded_by},
            {"recorded_at", f.recorded_at}};
}

}  // namespace customsdesk::control
