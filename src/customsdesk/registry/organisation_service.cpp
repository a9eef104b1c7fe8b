#include "customsdesk/registry/organisation_service.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "customsdesk/accounts/data_scope.hpp"
#include "customsdesk/core/base64.hpp"
#include "customsdesk/core/json.hpp"
#include "customsdesk/registry/search.hpp"
#include "customsdesk/registry/service_support.hpp"

namespace customsdesk::registry {
namespace {

using core::Error;
using core::Fail;
using core::Result;

constexpr std::string_view kColumns =
    "id, name, business_id, foreign_registry_id, eori, vat_number, addresses, languages, roles, sector_segment, "
    "parent_id, status, version, created_at, updated_at, customer_group, value_class, kam_user_id, account_team";
constexpr std::string_view kInsert =
    "INSERT INTO organisations (name, business_id, foreign_registry_id, eori, vat_number, addresses, languages, roles, "
    "sector_segment, parent_id, status, customer_group, value_class, kam_user_id, account_team, address_key, version, "
    "created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 1, $17, $17) RETURNING id";
constexpr std::string_view kUpdate =
    "UPDATE organisations SET name = $1, business_id = $2, foreign_registry_id = $3, eori = $4, vat_number = $5, "
    "addresses = $6, languages = $7, roles = $8, sector_segment = $9, parent_id = $10, status = $11, "
    "customer_group = $12, value_class = $13, kam_user_id = $14, account_team = $15, address_key = $16, "
    "version = version + 1, updated_at = $17 WHERE id = $18 AND version = $19 AND deleted_at IS NULL";
constexpr std::string_view kSoftDelete =
    "UPDATE organisations SET deleted_at = $1, updated_at = $1, version = version + 1 WHERE id = $2 AND deleted_at IS "
    "NULL";
constexpr std::string_view kCountChildren =
    "SELECT COUNT(*) FROM organisations WHERE parent_id = $1 AND deleted_at IS NULL";
constexpr std::string_view kParentOf = "SELECT parent_id FROM organisations WHERE id = $1 AND deleted_at IS NULL";
constexpr std::string_view kFindByBusinessId =
    "SELECT id FROM organisations WHERE business_id = $1 AND deleted_at IS NULL AND id <> $2";
constexpr std::string_view kFindByEori = "SELECT id FROM organisations WHERE eori = $1 AND deleted_at IS NULL AND id <> $2";

constexpr std::string_view kCountSites =
    "SELECT (SELECT COUNT(*) FROM establishments WHERE organisation_id = $1 AND deleted_at IS NULL) + "
    "(SELECT COUNT(*) FROM contacts WHERE organisation_id = $1 AND deleted_at IS NULL)";
constexpr std::string_view kSameAddress =
    "SELECT id, name FROM organisations WHERE address_key = $1 AND deleted_at IS NULL AND id <> $2 ORDER BY id LIMIT 50";
constexpr std::string_view kUserRoles = "SELECT roles FROM users WHERE id = $1";
constexpr std::string_view kUserDisplayName = "SELECT display_name FROM users WHERE id = $1";

constexpr int kMaxHierarchyDepth = 100;
const std::vector<std::string> kHistoryIgnored = {};

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
    o.fields.customer_group = r.GetOptText(15);
    o.fields.value_class = r.GetOptText(16);
    if (auto k = r.GetOptInt(17)) o.fields.kam = core::UserId(*k);
    for (const auto& t : StringsFromJsonText(r.GetText(18))) {
        try {
            o.fields.account_team.emplace_back(std::stoll(t));
        } catch (...) {
        }
    }
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
            std::string(StatusName(f.status)),
            storage::Opt(f.customer_group),
            storage::Opt(f.value_class),
            f.kam ? storage::Param(f.kam->value()) : storage::Null(),
            TeamToJsonText(f.account_team),
            storage::Opt(AddressKey(f))};
}

}  // namespace

std::string TeamToJsonText(const std::vector<core::UserId>& team) {
    std::vector<std::string> ids;
    for (const auto& u : team) ids.push_back(std::to_string(u.value()));
    return StringsToJsonText(ids);
}

Organisation OrganisationFromRow(const storage::Row& r) { return FromRow(r); }
std::string_view OrganisationColumns() { return kColumns; }

namespace {

// Fills the display names of the KAM and the account team (bounded by kMaxAccountTeam + 1 reads).
Result<void> ResolveUserNames(storage::Transaction& tx, Organisation& o) {
    auto name_of = [&](core::UserId id) -> Result<std::string> {
        auto row = tx.QueryOne(kUserDisplayName, {id.value()});
        if (!row) return Fail(std::move(row.error()));
        return *row ? (*row)->GetText(0) : std::string();
    };
    o.kam_name.reset();
    o.account_team_names.clear();
    if (o.fields.kam) {
        auto n = name_of(*o.fields.kam);
        if (!n) return Fail(std::move(n.error()));
        if (!n->empty()) o.kam_name = std::move(*n);
    }
    for (const auto id : o.fields.account_team) {
        auto n = name_of(id);
        if (!n) return Fail(std::move(n.error()));
        if (!n->empty()) o.account_team_names.emplace_back(id, std::move(*n));
    }
    return {};
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

// The key account manager and the account team must be enabled users with the KAM role.
Result<void> CheckAccountUsers(storage::Transaction& tx, const OrganisationFields& f) {
    core::FieldErrors errs;
    auto check = [&](core::UserId user, const std::string& pointer) -> Result<void> {
        auto row = tx.QueryOne(kUserRoles, {user.value()});
        if (!row) return Fail(std::move(row.error()));
        const auto roles = *row ? StringsFromJsonText((*row)->GetText(0)) : std::vector<std::string>{};
        if (!*row) {
            errs.Add(pointer, "not_found", "No such user.");
        } else if (std::find(roles.begin(), roles.end(), "kam") == roles.end()) {
            errs.Add(pointer, "not_kam", "The user does not have the key account manager role.");
        }
        return {};
    };
    if (f.kam) {
        if (auto r = check(*f.kam, "/kam_user_id"); !r) return r;
    }
    for (std::size_t i = 0; i < f.account_team.size(); ++i) {
        if (auto r = check(f.account_team[i], "/account_team/" + std::to_string(i)); !r) return r;
    }
    return errs.ToResult();
}

// A near-duplicate name at the same postal address: refused unless the caller overrides it.
Result<void> CheckSimilar(storage::Transaction& tx, const OrganisationFields& f, std::int64_t self_id) {
    const auto key = AddressKey(f);
    if (!key) return {};
    auto rows = tx.Query(kSameAddress, {*key, self_id});
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<core::FieldError> similar;
    for (const auto& r : rows->rows) {
        if (!SimilarNames(f.name, r.GetText(1))) continue;
        similar.push_back({"/name", "similar",
                           fmt::format("Organisation {} \"{}\" at the same postal address has a similar name: "
                                       "/api/v1/organisations/{}",
                                       r.GetInt(0), r.GetText(1), r.GetInt(0))});
    }
    if (similar.empty()) return {};
    return Fail(Error{core::ErrorCode::kConflict,
                      "An organisation with a similar name exists at the same postal address; resend with "
                      "allow_similar=true to create it anyway.",
                      std::move(similar), "possible-duplicate-organisation"});
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

Result<Organisation> OrganisationService::Create(const core::Principal& actor, const boost::json::object& body,
                                                 bool allow_similar) {
    if (!CanMaintain(actor)) return Fail(Error::PermissionDenied("Your role may not create organisations."));
    auto fields = ValidateFields(body);
    if (!fields) return Fail(std::move(fields.error()));
    const auto now = clock_.Now();
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<Organisation> {
        if (auto d = CheckDuplicates(tx, *fields, 0); !d) return Fail(std::move(d.error()));
        if (auto p = CheckParent(tx, *fields, 0); !p) return Fail(std::move(p.error()));
        if (auto k = CheckAccountUsers(tx, *fields); !k) return Fail(std::move(k.error()));
        if (!allow_similar) {
            if (auto d = CheckSimilar(tx, *fields, 0); !d) return Fail(std::move(d.error()));
        }
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
        if (auto ix = IndexDoc(tx, OrganisationDoc(o)); !ix) return Fail(std::move(ix.error()));
        if (auto names = ResolveUserNames(tx, o); !names) return Fail(std::move(names.error()));
        return o;
    });
}

Result<Organisation> OrganisationService::Get(const core::Principal& actor, core::OrganisationId id) {
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<Organisation> {
        auto o = Load(tx, actor.Scope(), id);
        if (!o) return Fail(std::move(o.error()));
        if (!*o) return Fail(NotFound(id));
        if (auto names = ResolveUserNames(tx, **o); !names) return Fail(std::move(names.error()));
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
        if (auto k = CheckAccountUsers(tx, *fields); !k) return Fail(std::move(k.error()));
        const auto changes = history::Diff(before, FieldsToJson(*fields), kHistoryIgnored);
        Organisation updated = std::move(**current);
        if (changes.empty()) {
            if (auto names = ResolveUserNames(tx, updated); !names) return Fail(std::move(names.error()));
            return updated;
        }
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
        if (auto ix = IndexDoc(tx, OrganisationDoc(updated)); !ix) return Fail(std::move(ix.error()));
        if (auto names = ResolveUserNames(tx, updated); !names) return Fail(std::move(names.error()));
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
        auto sites = tx.QueryOne(kCountSites, {id.value()});
        if (!sites) return Fail(std::move(sites.error()));
        if (*sites && (*sites)->GetInt(0) > 0) {
            return Fail(Error::Conflict("The organisation has establishments or contacts; delete them first."));
        }
        if (auto ix = UnindexDoc(tx, EntityKind::kOrganisation, id.value()); !ix) return Fail(std::move(ix.error()));
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
    const auto one_of = [](const auto& list, const std::string& v) {
        return std::find(std::begin(list), std::end(list), v) != std::end(list);
    };
    const auto joined = [](const auto& list) {
        std::string out;
        for (const auto& v : list) out += (out.empty() ? "" : ", ") + std::string(v);
        return out;
    };
    if (query.customer_group && !one_of(kCustomerGroups, *query.customer_group)) {
        errs.Add("/query/customer_group", "enum", "The customer group is one of: " + joined(kCustomerGroups) + ".");
    }
    if (query.value_class && !one_of(kValueClasses, *query.value_class)) {
        errs.Add("/query/value_class", "enum", "The value class is one of: " + joined(kValueClasses) + ".");
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
    if (query.customer_group) q.And("customer_group = ", *query.customer_group);
    if (query.value_class) q.And("value_class = ", *query.value_class);
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

Result<OrganisationGroup> OrganisationService::Group(const core::Principal& actor, core::OrganisationId id) {
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<OrganisationGroup> {
        const auto scope = actor.Scope();
        auto start = Load(tx, scope, id);
        if (!start) return Fail(std::move(start.error()));
        if (!*start) return Fail(NotFound(id));
        // Up to the root, as far as the caller may see.
        Organisation root = std::move(**start);
        for (int depth = 0; depth < kMaxHierarchyDepth && root.fields.parent; ++depth) {
            auto parent = Load(tx, scope, *root.fields.parent);
            if (!parent) return Fail(std::move(parent.error()));
            if (!*parent) break;
            root = std::move(**parent);
        }
        // Then breadth-first down, level by level.
        OrganisationGroup group;
        group.root = root.id;
        group.members.push_back({std::move(root), 0});
        std::vector<std::int64_t> level = {group.root.value()};
        for (int depth = 1; depth <= kMaxHierarchyDepth && !level.empty(); ++depth) {
            std::vector<std::int64_t> next;
            for (const auto parent_id : level) {
                accounts::ScopedSql q(scope,
                                      fmt::format("SELECT {} FROM organisations WHERE deleted_at IS NULL", kColumns),
                                      "id");
                q.And("parent_id = ", parent_id);
                q.Raw(" ORDER BY name, id LIMIT " + q.Bind(static_cast<std::int64_t>(kMaxGroupSize + 1)));
                auto rows = tx.Query(q.sql(), q.params());
                if (!rows) return Fail(std::move(rows.error()));
                for (const auto& r : rows->rows) {
                    if (group.members.size() >= kMaxGroupSize) {
                        group.truncated = true;
                        return group;
                    }
                    auto o = FromRow(r);
                    next.push_back(o.id.value());
                    group.members.push_back({std::move(o), depth});
                }
            }
            level = std::move(next);
        }
        return group;
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
