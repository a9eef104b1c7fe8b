#include "customsdesk/registry/establishment_service.hpp"

#include <fmt/format.h>

#include "customsdesk/accounts/data_scope.hpp"
#include "customsdesk/storage/bulk.hpp"
#include "customsdesk/registry/organisation_service.hpp"
#include "customsdesk/registry/search.hpp"
#include "customsdesk/registry/service_support.hpp"

namespace customsdesk::registry {
namespace {

using core::Error;
using core::Fail;
using core::Result;

constexpr std::string_view kColumns =
    "id, organisation_id, code, name, type, street, postal_code, city, country, unlocode, version, created_at, "
    "updated_at";
constexpr std::string_view kInsert =
    "INSERT INTO establishments (id, organisation_id, code, name, type, street, postal_code, city, country, unlocode, "
    "version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11)";
constexpr std::string_view kUpdate =
    "UPDATE establishments SET code = $1, name = $2, type = $3, street = $4, postal_code = $5, city = $6, country = $7, "
    "unlocode = $8, version = version + 1, updated_at = $9 WHERE id = $10 AND version = $11 AND deleted_at IS NULL";
constexpr std::string_view kSoftDelete =
    "UPDATE establishments SET deleted_at = $1, updated_at = $1, version = version + 1 WHERE id = $2 AND deleted_at "
    "IS NULL";
// Through the contacts' organisation index (an establishment's contacts belong to its organisation;
// V077 dropped the index on establishment_id, which every imported contact paid for).
constexpr std::string_view kCountContacts =
    "SELECT COUNT(*) FROM contacts WHERE organisation_id = $1 AND establishment_id = $2 AND deleted_at IS NULL";

Error NotFound(EstablishmentId id) { return Error::NotFound(fmt::format("There is no establishment {}.", id.value())); }

Result<std::optional<Establishment>> Load(storage::Transaction& tx, const core::AccessScope& scope,
                                          EstablishmentId id) {
    accounts::ScopedSql q(scope, fmt::format("SELECT {} FROM establishments WHERE deleted_at IS NULL", kColumns),
                          "organisation_id");
    q.And("id = ", id.value());
    auto row = tx.QueryOne(q.sql(), q.params());
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<Establishment>{};
    return std::optional<Establishment>(EstablishmentFromRow(**row));
}

Error MapWriteError(Error e) {
    if (e.code == core::ErrorCode::kAlreadyExists) {
        return Error::AlreadyExists("The organisation already has an establishment with this code.",
                                    {{"/code", "duplicate", "Already used by another establishment."}})
            .WithType("duplicate-establishment");
    }
    return e;
}

}  // namespace

std::string_view EstablishmentColumns() { return kColumns; }

Establishment EstablishmentFromRow(const storage::Row& r) {
    Establishment e;
    e.id = EstablishmentId(r.GetInt(0));
    e.organisation = core::OrganisationId(r.GetInt(1));
    e.fields.code = r.GetText(2);
    e.fields.name = r.GetText(3);
    e.fields.type = r.GetText(4);
    e.fields.street = r.GetText(5);
    e.fields.postal_code = r.GetText(6);
    e.fields.city = r.GetText(7);
    e.fields.country = r.GetText(8);
    e.fields.unlocode = r.GetOptText(9);
    e.version = r.GetInt(10);
    e.created_at = core::ParseTimestamp(r.GetText(11)).value_or(core::Timestamp{});
    e.updated_at = core::ParseTimestamp(r.GetText(12)).value_or(core::Timestamp{});
    return e;
}

Result<Establishment> EstablishmentService::Create(const core::Principal& actor, core::OrganisationId organisation,
                                                   const boost::json::object& body) {
    const auto now = clock_.Now();
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<Establishment> {
        auto visible = OrganisationVisible(tx, actor.Scope(), organisation);
        if (!visible) return Fail(std::move(visible.error()));
        if (!*visible) return Fail(Error::NotFound(fmt::format("There is no organisation {}.", organisation.value())));
        if (!CanMaintain(actor)) return Fail(Error::PermissionDenied("Your role may not create establishments."));
        auto fields = ValidateEstablishment(body);
        if (!fields) return Fail(std::move(fields.error()));
        auto ids = storage::AllocateIds(tx, "establishments", 1);
        if (!ids) return Fail(std::move(ids.error()));
        Establishment e;
        e.id = EstablishmentId(ids->front());
        e.organisation = organisation;
        e.fields = std::move(*fields);
        if (!e.fields.code) e.fields.code = fmt::format("E{}", e.id.value());
        e.created_at = e.updated_at = now;
        const auto& f = e.fields;
        auto n = tx.Execute(kInsert, {e.id.value(), organisation.value(), *f.code, f.name, f.type, f.street,
                                      f.postal_code, f.city, f.country, storage::Opt(f.unlocode),
                                      core::FormatTimestamp(now)});
        if (!n) return Fail(MapWriteError(std::move(n.error())));
        history::ChangeRecord rec{"establishment", e.id.value(), organisation.value(), history::ChangeAction::kCreate,
                                  history::AllFields(EstablishmentFieldsToJson(f), false)};
        if (auto h = history::RecordChange(tx, actor, now, rec); !h) return Fail(std::move(h.error()));
        if (auto ix = IndexDoc(tx, EstablishmentDoc(e)); !ix) return Fail(std::move(ix.error()));
        return e;
    });
}

Result<Establishment> EstablishmentService::Get(const core::Principal& actor, EstablishmentId id) {
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<Establishment> {
        auto e = Load(tx, actor.Scope(), id);
        if (!e) return Fail(std::move(e.error()));
        if (!*e) return Fail(NotFound(id));
        return std::move(**e);
    });
}

Result<Establishment> EstablishmentService::Update(const core::Principal& actor, EstablishmentId id,
                                                   const boost::json::object& patch,
                                                   std::optional<std::int64_t> expected_version) {
    const auto now = clock_.Now();
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<Establishment> {
        auto current = Load(tx, actor.Scope(), id);
        if (!current) return Fail(std::move(current.error()));
        if (!*current) return Fail(NotFound(id));
        if (!CanMaintain(actor)) return Fail(Error::PermissionDenied("Your role may not change establishments."));
        if (auto v = CheckVersion("establishment", expected_version, (*current)->version); !v) {
            return Fail(std::move(v.error()));
        }
        const boost::json::object before = EstablishmentFieldsToJson((*current)->fields);
        boost::json::object merged = before;
        for (const auto& kv : patch) merged[kv.key()] = kv.value();
        auto fields = ValidateEstablishment(merged);
        if (!fields) return Fail(std::move(fields.error()));
        if (!fields->code) fields->code = (*current)->fields.code;
        const auto changes = history::Diff(before, EstablishmentFieldsToJson(*fields));
        Establishment e = std::move(**current);
        if (changes.empty()) return e;
        const auto& f = *fields;
        auto n = tx.Execute(kUpdate, {*f.code, f.name, f.type, f.street, f.postal_code, f.city, f.country,
                                      storage::Opt(f.unlocode), core::FormatTimestamp(now), id.value(), e.version});
        if (!n) return Fail(MapWriteError(std::move(n.error())));
        if (*n != 1) return Fail(Error::Conflict("The establishment was changed by someone else; reload and retry."));
        history::ChangeRecord rec{"establishment", id.value(), e.organisation.value(), history::ChangeAction::kUpdate,
                                  changes};
        if (auto h = history::RecordChange(tx, actor, now, rec); !h) return Fail(std::move(h.error()));
        e.fields = std::move(*fields);
        e.version += 1;
        e.updated_at = now;
        if (auto ix = IndexDoc(tx, EstablishmentDoc(e)); !ix) return Fail(std::move(ix.error()));
        return e;
    });
}

Result<void> EstablishmentService::Delete(const core::Principal& actor, EstablishmentId id) {
    const auto now = clock_.Now();
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<void> {
        auto current = Load(tx, actor.Scope(), id);
        if (!current) return Fail(std::move(current.error()));
        if (!*current) return Fail(NotFound(id));
        if (!CanMaintain(actor)) return Fail(Error::PermissionDenied("Your role may not delete establishments."));
        auto contacts = tx.QueryOne(kCountContacts, {(*current)->organisation.value(), id.value()});
        if (!contacts) return Fail(std::move(contacts.error()));
        if (*contacts && (*contacts)->GetInt(0) > 0) {
            return Fail(Error::Conflict("Contacts are linked to the establishment; move or delete them first."));
        }
        auto n = tx.Execute(kSoftDelete, {core::FormatTimestamp(now), id.value()});
        if (!n) return Fail(std::move(n.error()));
        history::ChangeRecord rec{"establishment", id.value(), (*current)->organisation.value(),
                                  history::ChangeAction::kDelete,
                                  {{"deleted_at", nullptr, boost::json::value(core::FormatTimestamp(now))}}};
        if (auto h = history::RecordChange(tx, actor, now, rec); !h) return Fail(std::move(h.error()));
        return UnindexDoc(tx, EntityKind::kEstablishment, id.value());
    });
}

Result<EstablishmentPage> EstablishmentService::List(const core::Principal& actor, core::OrganisationId organisation,
                                                     int limit, const std::optional<std::string>& cursor) {
    core::FieldErrors errs;
    if (limit < 1 || limit > kMaxPageSize) errs.Add("/query/limit", "range", "The page size is 1 to 500.");
    std::optional<std::int64_t> after;
    if (cursor) {
        after = DecodeIdCursor(*cursor);
        if (!after) errs.Add("/query/cursor", "format", "Not a cursor this server issued.");
    }
    if (auto ok = errs.ToResult("The query has invalid parameters."); !ok) return Fail(std::move(ok.error()));
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<EstablishmentPage> {
        auto visible = OrganisationVisible(tx, actor.Scope(), organisation);
        if (!visible) return Fail(std::move(visible.error()));
        if (!*visible) return Fail(Error::NotFound(fmt::format("There is no organisation {}.", organisation.value())));
        accounts::ScopedSql q(actor.Scope(),
                              fmt::format("SELECT {} FROM establishments WHERE deleted_at IS NULL", kColumns),
                              "organisation_id");
        q.And("organisation_id = ", organisation.value());
        if (after) q.And("id > ", *after);
        q.Raw(" ORDER BY id LIMIT " + q.Bind(static_cast<std::int64_t>(limit + 1)));
        auto rows = tx.Query(q.sql(), q.params());
        if (!rows) return Fail(std::move(rows.error()));
        return TakeIdPage<EstablishmentPage>(rows->rows, limit, EstablishmentFromRow);
    });
}

Result<history::ChangePage> EstablishmentService::History(const core::Principal& actor, EstablishmentId id,
                                                          std::int64_t before_id, int limit) {
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<history::ChangePage> {
        accounts::ScopedSql q(actor.Scope(), "SELECT id FROM establishments WHERE TRUE", "organisation_id");
        q.And("id = ", id.value());
        auto row = tx.QueryOne(q.sql(), q.params());
        if (!row) return Fail(std::move(row.error()));
        if (!*row) return Fail(NotFound(id));
        return history::ListChanges(tx, "establishment", id.value(), before_id, limit);
    });
}

}  // namespace customsdesk::registry
