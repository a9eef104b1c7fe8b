#include "customsdesk/registry/organisation_service.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "customsdesk/accounts/data_scope.hpp"
#include "customsdesk/core/base64.hpp"
#include "customsdesk/core/json.hpp"

namespace customsdesk::registry {
namespace {

using core::Error;
using core::Fail;
using core::Result;

constexpr std::string_view kColumns =
    "id, name, business_id, foreign_registry_id, eori, vat_number, addresses, languages, roles, sector_segment, "
    "parent_id, status, version, created_at, updated_at";
constexpr std::string_view kInsert =
    "INSERT INTO organisations (name, business_id, foreign_registry_id, eori, vat_number, addresses, languages, roles, "
    "sector_segment, parent_id, status, version, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $12) RETURNING id";
constexpr std::string_view kUpdate =
    "UPDATE organisations SET name = $1, business_id = $2, foreign_registry_id = $3, eori = $4, vat_number = $5, "
    "addresses = $6, languages = $7, roles = $8, sector_segment = $9, parent_id = $10, status = $11, "
    "version = version + 1, updated_at = $12 WHERE id = $13 AND version = $14 AND deleted_at IS NULL";
constexpr std::string_view kSoftDelete =
    "UPDATE organisations SET deleted_at = $1, updated_at = $1, version = version + 1 WHERE id = $2 AND deleted_at IS "
    "NULL";
constexpr std::string_view kCountChildren =
    "SELECT COUNT(*) FROM organisations WHERE parent_id = $1 AND deleted_at IS NULL";
constexpr std::string_view kParentOf = "SELECT parent_id FROM organisations WHERE id = $1 AND deleted_at IS NULL";
constexpr std::string_view kFindByBusinessId =
    "SELECT id FROM organisations WHERE business_id = $1 AND deleted_at IS NULL AND id <> $2";
constexpr std::string_view kFindByEori = "SELECT id FROM organisations WHERE eori = $1 AND deleted_at IS NULL AND id <> $2";

constexpr int kMaxHierarchyDepth = 100;
const std::vector<std::string> kHistoryIgnored = {};

bool CanMaintain(const core::Principal& p) {
    if (!p.IsStaff()) return false;
    return p.Has(core::Role::kAdmin) || p.Has(core::Role::kAgent) || p.Has(core::Role::kKam) ||
           p.Has(core::Role::kSegmentManager);
}

Organisation FromRow(const storage::Row& r) {
    Organisation o;
    o.id = core::OrganisationId(r.GetInt(0));
    o.fields.name = r.GetText(1);
    o.fields.business_id = r.GetOptText(2);
    o.fields.foreign_registry_id = r.GetOptText(3);
    o.fields.eori = r.GetOptText(4);
    o.fields.vat_number = r.GetOptText(5);
    o.fields.addresses = AddressesFromJsonText(r.GetText(6));
    o.fields.languages = StringsFromJsonText(r.GetText(7));
    o.fields.roles = StringsFromJsonText(r.GetText(8));
    o.fields.sector_segment = r.GetOptText(9);
    if (auto p = r.GetOptInt(10)) o.fields.parent = core::OrganisationId(*p);
    o.fields.status = ParseStatus(r.GetText(11)).value_or(OrganisationStatus::kActive);
    o.version = r.GetInt(12);
    o.created_at = core::ParseTimestamp(r.GetText(13)).value_or(core::Timestamp{});
    o.updated_at = core::ParseTimestamp(r.GetText(14)).value_or(core::Timestamp{});
    return o;
}

std::vector<storage::Param> FieldParams(const OrganisationFields& f) {
    return {f.name,
            storage::Opt(f.business_id),
            storage::Opt(f.foreign_registry_id),
            storage::Opt(f.eori),
            storage::Opt(f.vat_number),
            AddressesToJsonText(f.addresses),
            StringsToJsonText(f.languages),
            StringsToJsonText(f.roles),
            storage::Opt(f.sector_segment),
            f.parent ? storage::Param(f.parent->value()) : storage::Null(),
            std::string(StatusName(f.status))};
}

Result<std::optional<Organisation>> Load(storage::Transaction& tx, const core::AccessScope& scope,
                                         core::OrganisationId id) {
    accounts::ScopedSql q(scope, fmt::format("SELECT {} FROM organisations WHERE deleted_at IS NULL", kColumns), "id");
    q.And("id = ", id.value());
    auto row = tx.QueryOne(q.sql(), q.params());
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<Organisation>{};
    return std::optional<Organisation>(FromRow(**row));
}

Error NotFound(core::OrganisationId id) {
    return Error::NotFound(fmt::format("There is no organisation {}.", id.value()));
}

// Refuses a duplicate Business ID or EORI with a pointer to the existing record.
Result<void> CheckDuplicates(storage::Transaction& tx, const OrganisationFields& f, std::int64_t self_id) {
    auto check = [&](std::string_view sql, const std::optional<std::string>& value, std::string_view pointer,
                     std::string_view what) -> Result<void> {
        if (!value) return {};
        auto row = tx.QueryOne(sql, {*value, self_id});
        if (!row) return Fail(std::move(row.error()));
        if (!*row) return {};
        const auto existing = (*row)->GetInt(0);
        return Fail(Error::AlreadyExists(
                        fmt::format("An organisation with this {} exists: /api/v1/organisations/{}", what, existing),
                        {{std::string(pointer), "duplicate",
                          fmt::format("Organisation {} already has this {}.", existing, what)}})
                        .WithType("duplicate-organisation"));
    };
    if (auto r = check(kFindByBusinessId, f.business_id, "/business_id", "Business ID"); !r) return r;
    return check(kFindByEori, f.eori, "/eori", "EORI");
}

// The parent must exist and must not be the organisation itself or one of its descendants.
Result<void> CheckParent(storage::Transaction& tx, const OrganisationFields& f, std::int64_t self_id) {
    if (!f.parent) return {};
    if (f.parent->value() == self_id) {
        return Fail(Error::InvalidArgument("An organisation cannot be its own parent.",
                                           {{"/parent_id", "cycle", "An organisation cannot be its own parent."}}));
    }
    std::int64_t cursor = f.parent->value();
    for (int depth = 0; depth < kMaxHierarchyDepth; ++depth) {
        auto row = tx.QueryOne(kParentOf, {cursor});
        if (!row) return Fail(std::move(row.error()));
        if (!*row) {
            if (depth == 0) {
                return Fail(Error::InvalidArgument("The parent organisation does not exist.",
                                                   {{"/parent_id", "not_found", "No such organisation."}}));
            }
            return {};
        }
        if ((*row)->IsNull(0)) return {};
        cursor = (*row)->GetInt(0);
        if (cursor == self_id) {
            return Fail(Error::InvalidArgument(
                "The parent would make the account hierarchy circular.",
                {{"/parent_id", "cycle", "This organisation is above the chosen parent in the hierarchy."}}));
        }
    }
    return Fail(Error::InvalidArgument("The account hierarchy is too deep.",
                                       {{"/parent_id", "too_deep", "The hierarchy may have at most 100 levels."}}));
}

// A unique index can still refuse a write that raced with another; say which field.
Error MapWriteError(Error e) {
    if (e.code == core::ErrorCode::kAlreadyExists) {
        const bool eori = e.message.find("eori") != std::string::npos;
        return Error::AlreadyExists(eori ? "An organisation with this EORI exists."
                                         : "An organisation with this Business ID exists.",
                                    {{eori ? "/eori" : "/business_id", "duplicate", "Already in use."}})
            .WithType("duplicate-organisation");
    }
    return e;
}

std::string EncodeCursor(const Organisation& o) {
    return core::Base64UrlEncode(o.fields.name + '\x1f' + std::to_string(o.id.value()));
}

std::optional<std::pair<std::string, std::int64_t>> DecodeCursor(const std::string& cursor) {
    auto raw = core::Base64UrlDecode(cursor);
    if (!raw) return std::nullopt;
    const auto sep = raw->rfind('\x1f');
    if (sep == std::string::npos) return std::nullopt;
    try {
        std::size_t used = 0;
        const std::string id_text = raw->substr(sep + 1);
        const long long id = std::stoll(id_text, &used);
        if (used != id_text.size() || id <= 0) return std::nullopt;
        return std::make_pair(raw->substr(0, sep), static_cast<std::int64_t>(id));
    } catch (...) {
        return std::nullopt;
    }
}

std::string LikePrefix(std::string_view prefix) {
    std::string out;
    for (char c : prefix) {
        if (c == '%' || c == '_' || c == '\\') out += '\\';
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    out += '%';
    return out;
}

}  // namespace

OrganisationService::OrganisationService(storage::Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}

Result<Organisation> OrganisationService::Create(const core::Principal& actor, const boost::json::object& body) {
    if (!CanMaintain(actor)) return Fail(Error::PermissionDenied("Your role may not create organisations."));
    auto fields = ValidateFields(body);
    if (!fields) return Fail(std::move(fields.error()));
    const auto now = clock_.Now();
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<Organisation> {
        if (auto d = CheckDuplicates(tx, *fields, 0); !d) return Fail(std::move(d.error()));
        if (auto p = CheckParent(tx, *fields, 0); !p) return Fail(std::move(p.error()));
        auto params = FieldParams(*fields);
        params.push_back(core::FormatTimestamp(now));
        auto row = tx.QueryOne(kInsert, params);
        if (!row) return Fail(MapWriteError(std::move(row.error())));
        const core::OrganisationId id((*row)->GetInt(0));
        history::ChangeRecord rec{"organisation", id.value(), id.value(), history::ChangeAction::kCreate,
                                  history::AllFields(FieldsToJson(*fields), false)};
        if (auto h = history::RecordChange(tx, actor, now, rec); !h) return Fail(std::move(h.error()));
        Organisation o;
        o.id = id;
        o.fields = std::move(*fields);
        o.created_at = o.updated_at = now;
        return o;
    });
}

Result<Organisation> OrganisationService::Get(const core::Principal& actor, core::OrganisationId id) {
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<Organisation> {
        auto o = Load(tx, actor.Scope(), id);
        if (!o) return Fail(std::move(o.error()));
        if (!*o) return Fail(NotFound(id));
        return std::move(**o);
    });
}

Result<Organisation> OrganisationService::Update(const core::Principal& actor, core::OrganisationId id,
                                                 const boost::json::object& patch,
                                                 std::optional<std::int64_t> expected_version) {
    const bool maintainer = CanMaintain(actor);
    const bool own_trader = !actor.IsStaff() && actor.organisation && *actor.organisation == id;
    const auto now = clock_.Now();
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<Organisation> {
        auto current = Load(tx, actor.Scope(), id);
        if (!current) return Fail(std::move(current.error()));
        if (!*current) return Fail(NotFound(id));
        if (!maintainer && !own_trader) {
            return Fail(Error::PermissionDenied("Your role may not change organisations."));
        }
        if (!maintainer) {
            core::FieldErrors errs;
            for (const auto& kv : patch) {
                const bool allowed = std::find(std::begin(kTraderEditableMembers), std::end(kTraderEditableMembers),
                                               kv.key()) != std::end(kTraderEditableMembers);
                if (!allowed) {
                    errs.Add("/" + core::JsonPointerEscape(kv.key()), "read_only",
                             "Customs maintains this field; ask customer service to change it.");
                }
            }
            if (!errs.empty()) {
                auto e = Error::PermissionDenied("A trader may change only addresses and languages.");
                e.fields = errs.errors();
                return Fail(std::move(e));
            }
        }
        if (expected_version && *expected_version != (*current)->version) {
            return Fail(Error::FailedPrecondition(
                            fmt::format("The organisation has changed since version {}; it is now version {}.",
                                        *expected_version, (*current)->version))
                            .WithType("precondition-failed"));
        }
        // Merge patch (RFC 7396) over the stored editable members, then validate the whole.
        boost::json::object before = FieldsToJson((*current)->fields);
        boost::json::object merged = before;
        for (const auto& kv : patch) {
            merged[kv.key()] = kv.value();
        }
        auto fields = ValidateFields(merged);
        if (!fields) return Fail(std::move(fields.error()));
        if (auto d = CheckDuplicates(tx, *fields, id.value()); !d) return Fail(std::move(d.error()));
        if (auto p = CheckParent(tx, *fields, id.value()); !p) return Fail(std::move(p.error()));
        const auto changes = history::Diff(before, FieldsToJson(*fields), kHistoryIgnored);
        Organisation updated = std::move(**current);
        if (changes.empty()) return updated;
        auto params = FieldParams(*fields);
        params.push_back(core::FormatTimestamp(now));
        params.push_back(id.value());
        params.push_back(updated.version);
        auto n = tx.Execute(kUpdate, params);
        if (!n) return Fail(MapWriteError(std::move(n.error())));
        if (*n != 1) return Fail(Error::Conflict("The organisation was changed by someone else; reload and retry."));
        history::ChangeRecord rec{"organisation", id.value(), id.value(), history::ChangeAction::kUpdate, changes};
        if (auto h = history::RecordChange(tx, actor, now, rec); !h) return Fail(std::move(h.error()));
        updated.fields = std::move(*fields);
        updated.version += 1;
        updated.updated_at = now;
        return updated;
    });
}

Result<void> OrganisationService::Delete(const core::Principal& actor, core::OrganisationId id) {
    const auto now = clock_.Now();
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<void> {
        auto current = Load(tx, actor.Scope(), id);
        if (!current) return Fail(std::move(current.error()));
        if (!*current) return Fail(NotFound(id));
        if (!CanMaintain(actor)) return Fail(Error::PermissionDenied("Your role may not delete organisations."));
        auto children = tx.QueryOne(kCountChildren, {id.value()});
        if (!children) return Fail(std::move(children.error()));
        if (*children && (*children)->GetInt(0) > 0) {
            return Fail(Error::Conflict(fmt::format("The organisation has {} organisations under it; move or delete "
                                                    "them first.",
                                                    (*children)->GetInt(0))));
        }
        auto n = tx.Execute(kSoftDelete, {core::FormatTimestamp(now), id.value()});
        if (!n) return Fail(std::move(n.error()));
        history::ChangeRecord rec{"organisation", id.value(), id.value(), history::ChangeAction::kDelete,
                                  {{"deleted_at", nullptr, boost::json::value(core::FormatTimestamp(now))}}};
        if (auto h = history::RecordChange(tx, actor, now, rec); !h) return Fail(std::move(h.error()));
        return {};
    });
}

void OrganisationService::CheckQuery(const OrganisationQuery& query, core::FieldErrors& errs) {
    if (query.limit < 1 || query.limit > kMaxPageSize) {
        errs.Add("/query/limit", "range", fmt::format("The page size is 1 to {}.", kMaxPageSize));
    }
    if (query.cursor && !DecodeCursor(*query.cursor)) {
        errs.Add("/query/cursor", "format", "Not a cursor this server issued.");
    }
    if (query.role && std::find(std::begin(kOrganisationRoles), std::end(kOrganisationRoles), *query.role) ==
                          std::end(kOrganisationRoles)) {
        errs.Add("/query/role", "enum", "Unknown role.");
    }
}

Result<OrganisationPage> OrganisationService::List(const core::Principal& actor, const OrganisationQuery& query) {
    core::FieldErrors errs;
    CheckQuery(query, errs);
    if (auto ok = errs.ToResult("The query has invalid parameters."); !ok) return Fail(std::move(ok.error()));
    std::optional<std::pair<std::string, std::int64_t>> after;
    if (query.cursor) after = DecodeCursor(*query.cursor);

    accounts::ScopedSql q(actor.Scope(),
                          fmt::format("SELECT {} FROM organisations WHERE deleted_at IS NULL", kColumns), "id");
    if (query.name_prefix && !query.name_prefix->empty()) {
        q.Raw(" AND lower(name) LIKE " + q.Bind(LikePrefix(*query.name_prefix)) + " ESCAPE '\\'");
    }
    if (query.status) q.And("status = ", std::string(StatusName(*query.status)));
    if (query.role) q.And("roles LIKE ", "%\"" + *query.role + "\"%");
    if (query.parent) q.And("parent_id = ", query.parent->value());
    if (query.business_id) q.And("business_id = ", *query.business_id);
    if (query.eori) q.And("eori = ", *query.eori);
    if (after) {
        const std::string name = q.Bind(after->first);
        const std::string id = q.Bind(after->second);
        q.Raw(fmt::format(" AND (name > {0} OR (name = {0} AND id > {1}))", name, id));
    }
    q.Raw(" ORDER BY name, id LIMIT " + q.Bind(static_cast<std::int64_t>(query.limit + 1)));
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<OrganisationPage> {
        auto rows = tx.Query(q.sql(), q.params());
        if (!rows) return Fail(std::move(rows.error()));
        OrganisationPage page;
        for (const auto& r : rows->rows) {
            if (static_cast<int>(page.items.size()) == query.limit) {
                page.next_cursor = EncodeCursor(page.items.back());
                break;
            }
            page.items.push_back(FromRow(r));
        }
        return page;
    });
}

Result<history::ChangePage> OrganisationService::History(const core::Principal& actor, core::OrganisationId id,
                                                         std::int64_t before_id, int limit) {
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<history::ChangePage> {
        // History of a deleted organisation stays readable to staff; traders see only their own.
        accounts::ScopedSql q(actor.Scope(), "SELECT id FROM organisations WHERE TRUE", "id");
        q.And("id = ", id.value());
        auto row = tx.QueryOne(q.sql(), q.params());
        if (!row) return Fail(std::move(row.error()));
        if (!*row) return Fail(NotFound(id));
        return history::ListChanges(tx, "organisation", id.value(), before_id, limit);
    });
}

}  // namespace customsdesk::registry
