#include "customsdesk/registry/contact_service.hpp"

#include <fmt/format.h>

#include "customsdesk/accounts/data_scope.hpp"
#include "customsdesk/registry/establishment_service.hpp"
#include "customsdesk/registry/organisation_service.hpp"
#include "customsdesk/registry/search.hpp"
#include "customsdesk/registry/service_support.hpp"

namespace customsdesk::registry {
namespace {

using core::Error;
using core::Fail;
using core::Result;

constexpr std::string_view kColumns =
    "id, organisation_id, establishment_id, first_name, last_name, email, phone, language, contact_roles, "
    "marketing_consent, version, created_at, updated_at, erased_at";
constexpr std::string_view kInsert =
    "INSERT INTO contacts (organisation_id, establishment_id, first_name, last_name, email, phone, language, "
    "contact_roles, marketing_consent, version, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10) RETURNING id";
constexpr std::string_view kUpdate =
    "UPDATE contacts SET establishment_id = $1, first_name = $2, last_name = $3, email = $4, phone = $5, "
    "language = $6, contact_roles = $7, marketing_consent = $8, version = version + 1, updated_at = $9 "
    "WHERE id = $10 AND version = $11 AND deleted_at IS NULL";
constexpr std::string_view kErase =
    "UPDATE contacts SET first_name = $1, last_name = $1, email = NULL, phone = NULL, marketing_consent = $2, "
    "version = version + 1, updated_at = $3, erased_at = $3 WHERE id = $4";
constexpr std::string_view kSoftDelete =
    "UPDATE contacts SET deleted_at = $1, updated_at = $1, version = version + 1 WHERE id = $2 AND deleted_at IS NULL";
constexpr std::string_view kEstablishmentOrg =
    "SELECT organisation_id FROM establishments WHERE id = $1 AND deleted_at IS NULL";
constexpr std::string_view kFindEmail =
    "SELECT id FROM contacts WHERE organisation_id = $1 AND email = $2 AND deleted_at IS NULL AND id <> $3";

Error NotFound(ContactId id) { return Error::NotFound(fmt::format("There is no contact {}.", id.value())); }

// Who may create, change and delete contacts of `organisation`: the registry-maintaining staff
// roles, and a trader user for their own organisation's contacts (issue 4). Callers check the
// data scope first (a contact or organisation outside it is 404), so this decides 403 only.
bool CanEditContactsOf(const core::Principal& actor, core::OrganisationId organisation) {
    if (CanMaintain(actor)) return true;
    return !actor.IsStaff() && actor.organisation && *actor.organisation == organisation;
}

Result<std::optional<Contact>> Load(storage::Transaction& tx, const core::AccessScope& scope, ContactId id,
                                    bool include_deleted = false) {
    accounts::ScopedSql q(scope,
                          fmt::format("SELECT {} FROM contacts WHERE {}", kColumns,
                                      include_deleted ? "TRUE" : "deleted_at IS NULL"),
                          "organisation_id");
    q.And("id = ", id.value());
    auto row = tx.QueryOne(q.sql(), q.params());
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<Contact>{};
    return std::optional<Contact>(ContactFromRow(**row));
}

// The establishment must be a live site of the same organisation; the e-mail must be free in it.
Result<void> CheckLinks(storage::Transaction& tx, core::OrganisationId organisation, const ContactFields& f,
                        std::int64_t self_id) {
    if (f.establishment) {
        auto row = tx.QueryOne(kEstablishmentOrg, {f.establishment->value()});
        if (!row) return Fail(std::move(row.error()));
        if (!*row || (*row)->GetInt(0) != organisation.value()) {
            return Fail(Error::InvalidArgument(
                "The establishment is not a site of this organisation.",
                {{"/establishment_id", "not_found", "No such establishment in this organisation."}}));
        }
    }
    if (f.email) {
        auto row = tx.QueryOne(kFindEmail, {organisation.value(), *f.email, self_id});
        if (!row) return Fail(std::move(row.error()));
        if (*row) {
            const auto existing = (*row)->GetInt(0);
            return Fail(Error::AlreadyExists(fmt::format("A contact with this e-mail exists: /api/v1/contacts/{}",
                                                         existing),
                                             {{"/email", "duplicate",
                                               fmt::format("Contact {} of this organisation has this e-mail.",
                                                           existing)}})
                            .WithType("duplicate-contact"));
        }
    }
    return {};
}

std::vector<storage::Param> FieldParams(const ContactFields& f) {
    return {f.establishment ? storage::Param(f.establishment->value()) : storage::Null(),
            f.first_name,
            f.last_name,
            storage::Opt(f.email),
            storage::Opt(f.phone),
            storage::Opt(f.language),
            StringsToJsonText(f.roles),
            f.marketing_consent};
}

}  // namespace

std::string_view ContactColumns() { return kColumns; }

Contact ContactFromRow(const storage::Row& r) {
    Contact c;
    c.id = ContactId(r.GetInt(0));
    c.organisation = core::OrganisationId(r.GetInt(1));
    if (auto e = r.GetOptInt(2)) c.fields.establishment = EstablishmentId(*e);
    c.fields.first_name = r.GetText(3);
    c.fields.last_name = r.GetText(4);
    c.fields.email = r.GetOptText(5);
    c.fields.phone = r.GetOptText(6);
    c.fields.language = r.GetOptText(7);
    c.fields.roles = StringsFromJsonText(r.GetText(8));
    c.fields.marketing_consent = r.GetBool(9);
    c.version = r.GetInt(10);
    c.created_at = core::ParseTimestamp(r.GetText(11)).value_or(core::Timestamp{});
    c.updated_at = core::ParseTimestamp(r.GetText(12)).value_or(core::Timestamp{});
    if (auto t = r.GetOptText(13)) c.erased_at = core::ParseTimestamp(*t);
    return c;
}

Result<Contact> ContactService::Create(const core::Principal& actor, core::OrganisationId organisation,
                                       const boost::json::object& body) {
    const auto now = clock_.Now();
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<Contact> {
        auto visible = OrganisationVisible(tx, actor.Scope(), organisation);
        if (!visible) return Fail(std::move(visible.error()));
        if (!*visible) return Fail(Error::NotFound(fmt::format("There is no organisation {}.", organisation.value())));
        if (!CanEditContactsOf(actor, organisation)) {
            return Fail(Error::PermissionDenied("Your role may not create contacts."));
        }
        auto fields = ValidateContact(body);
        if (!fields) return Fail(std::move(fields.error()));
        if (auto l = CheckLinks(tx, organisation, *fields, 0); !l) return Fail(std::move(l.error()));
        auto params = FieldParams(*fields);
        params.insert(params.begin(), organisation.value());
        params.push_back(core::FormatTimestamp(now));
        auto row = tx.QueryOne(kInsert, params);
        if (!row) return Fail(std::move(row.error()));
        Contact c;
        c.id = ContactId((*row)->GetInt(0));
        c.organisation = organisation;
        c.fields = std::move(*fields);
        c.created_at = c.updated_at = now;
        history::ChangeRecord rec{"contact", c.id.value(), organisation.value(), history::ChangeAction::kCreate,
                                  history::AllFields(ContactFieldsToJson(c.fields), false)};
        if (auto h = history::RecordChange(tx, actor, now, rec); !h) return Fail(std::move(h.error()));
        if (auto ix = IndexDoc(tx, ContactDoc(c)); !ix) return Fail(std::move(ix.error()));
        return c;
    });
}

Result<Contact> ContactService::Get(const core::Principal& actor, ContactId id) {
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<Contact> {
        auto c = Load(tx, actor.Scope(), id);
        if (!c) return Fail(std::move(c.error()));
        if (!*c) return Fail(NotFound(id));
        return std::move(**c);
    });
}

Result<Contact> ContactService::Update(const core::Principal& actor, ContactId id, const boost::json::object& patch,
                                       std::optional<std::int64_t> expected_version) {
    const auto now = clock_.Now();
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<Contact> {
        auto current = Load(tx, actor.Scope(), id);
        if (!current) return Fail(std::move(current.error()));
        if (!*current) return Fail(NotFound(id));
        if (!CanEditContactsOf(actor, (*current)->organisation)) {
            return Fail(Error::PermissionDenied("Your role may not change contacts."));
        }
        if ((*current)->erased_at) return Fail(Error::Conflict("The contact has been erased and cannot be changed."));
        if (auto v = CheckVersion("contact", expected_version, (*current)->version); !v) {
            return Fail(std::move(v.error()));
        }
        const boost::json::object before = ContactFieldsToJson((*current)->fields);
        boost::json::object merged = before;
        for (const auto& kv : patch) merged[kv.key()] = kv.value();
        auto fields = ValidateContact(merged);
        if (!fields) return Fail(std::move(fields.error()));
        Contact c = std::move(**current);
        if (auto l = CheckLinks(tx, c.organisation, *fields, id.value()); !l) return Fail(std::move(l.error()));
        const auto changes = history::Diff(before, ContactFieldsToJson(*fields));
        if (changes.empty()) return c;
        auto params = FieldParams(*fields);
        params.push_back(core::FormatTimestamp(now));
        params.push_back(id.value());
        params.push_back(c.version);
        auto n = tx.Execute(kUpdate, params);
        if (!n) return Fail(std::move(n.error()));
        if (*n != 1) return Fail(Error::Conflict("The contact was changed by someone else; reload and retry."));
        history::ChangeRecord rec{"contact", id.value(), c.organisation.value(), history::ChangeAction::kUpdate,
                                  changes};
        if (auto h = history::RecordChange(tx, actor, now, rec); !h) return Fail(std::move(h.error()));
        c.fields = std::move(*fields);
        c.version += 1;
        c.updated_at = now;
        if (auto ix = IndexDoc(tx, ContactDoc(c)); !ix) return Fail(std::move(ix.error()));
        return c;
    });
}

Result<void> ContactService::Delete(const core::Principal& actor, ContactId id) {
    const auto now = clock_.Now();
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<void> {
        auto current = Load(tx, actor.Scope(), id);
        if (!current) return Fail(std::move(current.error()));
        if (!*current) return Fail(NotFound(id));
        if (!CanEditContactsOf(actor, (*current)->organisation)) {
            return Fail(Error::PermissionDenied("Your role may not delete contacts."));
        }
        auto n = tx.Execute(kSoftDelete, {core::FormatTimestamp(now), id.value()});
        if (!n) return Fail(std::move(n.error()));
        history::ChangeRecord rec{"contact", id.value(), (*current)->organisation.value(),
                                  history::ChangeAction::kDelete,
                                  {{"deleted_at", nullptr, boost::json::value(core::FormatTimestamp(now))}}};
        if (auto h = history::RecordChange(tx, actor, now, rec); !h) return Fail(std::move(h.error()));
        return UnindexDoc(tx, EntityKind::kContact, id.value());
    });
}

Result<ContactPage> ContactService::List(const core::Principal& actor, core::OrganisationId organisation, int limit,
                                         const std::optional<std::string>& cursor) {
    core::FieldErrors errs;
    if (limit < 1 || limit > kMaxPageSize) errs.Add("/query/limit", "range", "The page size is 1 to 500.");
    std::optional<std::int64_t> after;
    if (cursor) {
        after = DecodeIdCursor(*cursor);
        if (!after) errs.Add("/query/cursor", "format", "Not a cursor this server issued.");
    }
    if (auto ok = errs.ToResult("The query has invalid parameters."); !ok) return Fail(std::move(ok.error()));
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<ContactPage> {
        auto visible = OrganisationVisible(tx, actor.Scope(), organisation);
        if (!visible) return Fail(std::move(visible.error()));
        if (!*visible) return Fail(Error::NotFound(fmt::format("There is no organisation {}.", organisation.value())));
        accounts::ScopedSql q(actor.Scope(), fmt::format("SELECT {} FROM contacts WHERE deleted_at IS NULL", kColumns),
                              "organisation_id");
        q.And("organisation_id = ", organisation.value());
        if (after) q.And("id > ", *after);
        q.Raw(" ORDER BY id LIMIT " + q.Bind(static_cast<std::int64_t>(limit + 1)));
        auto rows = tx.Query(q.sql(), q.params());
        if (!rows) return Fail(std::move(rows.error()));
        return TakeIdPage<ContactPage>(rows->rows, limit, ContactFromRow);
    });
}

Result<history::ChangePage> ContactService::History(const core::Principal& actor, ContactId id,
                                                    std::int64_t before_id, int limit) {
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<history::ChangePage> {
        auto c = Load(tx, actor.Scope(), id, true);
        if (!c) return Fail(std::move(c.error()));
        if (!*c) return Fail(NotFound(id));
        return history::ListChanges(tx, "contact", id.value(), before_id, limit);
    });
}

Result<boost::json::object> ContactService::PersonalData(const core::Principal& actor, ContactId id) {
    const auto now = clock_.Now();
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<boost::json::object> {
        auto c = Load(tx, actor.Scope(), id, true);
        if (!c) return Fail(std::move(c.error()));
        if (!*c) return Fail(NotFound(id));
        // Data-subject requests are answered by customs (the controller), not by the trader.
        if (!actor.IsStaff()) return Fail(Error::PermissionDenied("Only customs staff may export personal data."));
        boost::json::object out;
        out["exported_at"] = core::FormatTimestamp(now);
        out["contact"] = ToJson(**c);
        auto org = tx.QueryOne(fmt::format("SELECT {} FROM organisations WHERE id = $1", OrganisationColumns()),
                               {(*c)->organisation.value()});
        if (!org) return Fail(std::move(org.error()));
        if (*org) {
            const auto o = OrganisationFromRow(**org);
            out["organisation"] = boost::json::object{{"id", o.id.value()},
                                                      {"name", o.fields.name},
                                                      {"business_id", o.fields.business_id
                                                                          ? boost::json::value(*o.fields.business_id)
                                                                          : nullptr}};
        }
        out["establishment"] = nullptr;
        if ((*c)->fields.establishment) {
            auto est = tx.QueryOne(fmt::format("SELECT {} FROM establishments WHERE id = $1", EstablishmentColumns()),
                                   {(*c)->fields.establishment->value()});
            if (!est) return Fail(std::move(est.error()));
            if (*est) out["establishment"] = ToJson(EstablishmentFromRow(**est));
        }
        boost::json::array entries;
        std::int64_t before = 0;
        for (;;) {
            auto page = history::ListChanges(tx, "contact", id.value(), before, history::kMaxHistoryPage);
            if (!page) return Fail(std::move(page.error()));
            for (const auto& e : page->entries) entries.push_back(history::ToJson(e));
            if (!page->next_before) break;
            before = *page->next_before;
        }
        out["history"] = std::move(entries);
        return out;
    });
}

Result<Contact> ContactService::Erase(const core::Principal& actor, ContactId id) {
    const auto now = clock_.Now();
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<Contact> {
        auto current = Load(tx, actor.Scope(), id, true);
        if (!current) return Fail(std::move(current.error()));
        if (!*current) return Fail(NotFound(id));
        if (!CanMaintain(actor)) return Fail(Error::PermissionDenied("Your role may not erase contacts."));
        Contact c = std::move(**current);
        if (c.erased_at) return c;  // idempotent
        const std::string ts = core::FormatTimestamp(now);
        auto n = tx.Execute(kErase, {std::string(kErasedName), false, ts, id.value()});
        if (!n) return Fail(std::move(n.error()));
        if (auto r = history::Redact(tx, "contact", id.value(), kContactPersonalFields); !r) return Fail(r.error());
        std::vector<history::FieldChange> changes;
        for (const auto& f : kContactPersonalFields) changes.push_back({f, "[redacted]", "[redacted]"});
        if (c.fields.marketing_consent) changes.push_back({"marketing_consent", true, false});
        history::ChangeRecord rec{"contact", id.value(), c.organisation.value(), history::ChangeAction::kErase,
                                  changes};
        if (auto h = history::RecordChange(tx, actor, now, rec); !h) return Fail(std::move(h.error()));
        if (auto ix = UnindexDoc(tx, EntityKind::kContact, id.value()); !ix) return Fail(std::move(ix.error()));
        c.fields.first_name = c.fields.last_name = std::string(kErasedName);
        c.fields.email.reset();
        c.fields.phone.reset();
        c.fields.marketing_consent = false;
        c.version += 1;
        c.updated_at = now;
        c.erased_at = now;
        return c;
    });
}

}  // namespace customsdesk::registry
