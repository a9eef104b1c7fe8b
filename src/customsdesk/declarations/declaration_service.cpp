#include "customsdesk/declarations/declaration_service.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <thread>
#include <algorithm>
#include <chrono>
#include <limits>

#include "customsdesk/core/json.hpp"
#include "customsdesk/declarations/mrn.hpp"
#include "customsdesk/ruleset/ruleset_service.hpp"
#include "customsdesk/storage/bulk.hpp"

namespace customsdesk::declarations {
namespace {

using core::Error;
using core::Fail;
using core::Result;
using storage::Param;

constexpr auto kCacheTtl = std::chrono::seconds(30);
constexpr auto kRulesRecheck = std::chrono::seconds(5);
constexpr std::string_view kCountry = "FI";

constexpr std::string_view kColumns =
    "id, payload, state, mrn, lane, taxes, selectivity, violations, declarant_org_id, represented_org_id, "
    "created_at, accepted_at, updated_at, version";

// Ids are allocated first (storage::AllocateIds) so that the MRN, which is derived from the id,
// goes into the same INSERT: no second write of the row. A repeated LRN inserts nothing (its id
// stays unused) and is answered with the declaration that has it.
constexpr std::string_view kInsertColumnNames[] = {
    "id",       "mrn",     "declarant_eori", "lrn",         "declarant_org_id", "represented_org_id", "type",
    "state",    "lodged_by", "payload",      "taxes",       "lane",             "selectivity",        "created_at",
    "accepted_at", "updated_at"};
constexpr std::size_t kInsertColumns = std::size(kInsertColumnNames);
constexpr std::string_view kOnLrnConflict = "ON CONFLICT (declarant_eori, lrn) DO NOTHING";
// Written with Transaction::CopyRows (see SelectivityService::RecordMany).
constexpr std::string_view kTransitionColumnNames[] = {"declaration_id", "from_state", "to_state",   "action",
                                                       "actor_id",       "actor_name", "at",         "reason"};
constexpr std::size_t kTransitionColumns = std::size(kTransitionColumnNames);
constexpr std::string_view kByLrn = "SELECT id FROM declarations WHERE declarant_eori = $1 AND lrn = $2";

bool CanLodge(const core::Principal& p) {
    return p.organisation.has_value() || p.Has(core::Role::kAdmin) || p.method == core::AuthMethod::kSystem;
}
bool CanDecide(const core::Principal& p) {
    return !p.organisation.has_value() && (p.Has(core::Role::kOfficer) || p.Has(core::Role::kAdmin) ||
                                           p.method == core::AuthMethod::kSystem);
}

std::optional<std::int64_t> ActorId(const core::Principal& p) {
    if (p.user.valid()) return p.user.value();
    return std::nullopt;
}

std::string ActorName(const core::Principal& p) { return p.username.empty() ? "system" : p.username; }

Param OptId(const std::optional<std::int64_t>& v) { return v ? Param(*v) : Param(std::monostate{}); }
Param OptText(const std::optional<std::string>& v) { return v ? Param(*v) : Param(std::monostate{}); }

// The scope clause: a trader sees its own and represented declarations.
std::string ScopeClause(const core::Principal& p, std::vector<Param>& params) {
    auto scope = p.Scope();
    if (scope.unrestricted()) return "";
    params.push_back(scope.organisation->value());
    auto n = std::to_string(params.size());
    return " AND (declarant_org_id = $" + n + " OR represented_org_id = $" + n + ")";
}

Error IllegalTransition(State from, std::string_view action) {
    return Error::Conflict(fmt::format("A declaration in state '{}' cannot be {}.", StateName(from), action))
        .WithType("illegal-transition");
}

std::string ViolationsJson(const std::vector<core::FieldError>& v) {
    boost::json::array a;
    for (const auto& e : v) a.push_back(boost::json::object{{"pointer", e.pointer}, {"code", e.code}, {"message", e.message}});
    return boost::json::serialize(a);
}

std::optional<core::Timestamp> OptTime(const storage::Row& row, std::size_t i) {
    if (row.IsNull(i)) return std::nullopt;
    return core::ParseTimestamp(row.GetText(i));
}

Result<StoredDeclaration> FromRow(const storage::Row& row) {
    StoredDeclaration d;
    d.id = row.GetInt(0);
    auto payload = core::ParseJsonObject(row.GetText(1));
    if (!payload) return Fail(Error::Internal("stored declaration is not JSON"));
    std::vector<Violation> v;
    d.declaration = ReadDeclaration(*payload, v);
    d.state = ParseState(row.GetText(2)).value_or(State::kDraft);
    d.mrn = row.GetOptText(3);
    d.lane = row.GetOptText(4);
    d.taxes_json = row.GetOptText(5);
    d.selectivity_json = row.GetOptText(6);
    if (!row.IsNull(7)) {
        auto arr = core::ParseJson(row.GetText(7));
        if (arr && arr->is_array()) {
            for (const auto& e : arr->get_array()) {
                const auto& o = e.get_object();
                d.violations.push_back({std::string(o.at("pointer").get_string()), std::string(o.at("code").get_string()),
                                        std::string(o.at("message").get_string())});
            }
        }
    }
    d.declarant_org_id = row.GetOptInt(8);
    d.represented_org_id = row.GetOptInt(9);
    d.created_at = core::ParseTimestamp(row.GetText(10)).value_or(core::Timestamp{});
    d.accepted_at = OptTime(row, 11);
    d.updated_at = core::ParseTimestamp(row.GetText(12)).value_or(core::Timestamp{});
    d.version = row.GetInt(13);
    return d;
}

Result<std::optional<StoredDeclaration>> LoadScoped(storage::Transaction& tx, const core::Principal& actor,
                                                    std::int64_t id, bool for_update) {
    std::vector<Param> params{id};
    std::string sql = fmt::format("SELECT {} FROM declarations WHERE id = $1", kColumns);
    sql += ScopeClause(actor, params);
    if (for_update && tx.dialect() == storage::Dialect::kPostgres) sql += " FOR UPDATE";
    auto row = tx.QueryOne(sql, params);
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<StoredDeclaration>();
    auto d = FromRow(**row);
    if (!d) return Fail(std::move(d.error()));
    return std::optional<StoredDeclaration>(std::move(*d));
}

Error NotFoundError() { return Error::NotFound("No such declaration."); }

// The state a lane leads to right after acceptance, and that transition's action as the history
// records it: "<action> (lane <lane>)" (texts that live for good: no formatting per lodging).
struct AfterLane {
    State state;
    std::string_view action;
};
std::optional<AfterLane> LaneState(std::string_view lane) {
    if (lane == "green") return AfterLane{State::kReleased, "release (lane green)"};
    if (lane == "blue") return AfterLane{State::kReleased, "release (lane blue)"};
    if (lane == "yellow") return AfterLane{State::kUnderDocumentaryControl, "documentary_control (lane yellow)"};
    if (lane == "red") return AfterLane{State::kUnderPhysicalControl, "physical_control (lane red)"};
    return std::nullopt;
}

int YearOf(core::Timestamp t) {
    auto days = std::chrono::floor<std::chrono::days>(t);
    return static_cast<int>(std::chrono::year_month_day(days).year());
}

}  // namespace

// Everything about one lodging that can be computed outside the write transaction.
struct DeclarationService::Prepared {
    Declaration declaration;
    std::string payload;
    bool draft = false;
    std::optional<std::int64_t> declarant_org;
    std::optional<std::int64_t> represented_org;
    std::optional<std::string> taxes;
    core::Timestamp now;
    std::string now_text;  // `now` as stored
    std::optional<std::int64_t> lodged_by;
    std::string actor_name;            // for the transitions
    std::optional<LaneDecision> lane;  // decided before the write transaction
    // outputs of Persist (reset at each call: Persist may run twice under group commit)
    LodgeResult result;
};

DeclarationService::DeclarationService(storage::Database& db, const core::Clock& clock,
                                       ruleset::RulesetService* rulesets)
    : db_(db), clock_(clock), rulesets_(rulesets) {
    // Concurrent single lodgings queued on the group committer are written together.
    persist_batch_ = [this](storage::Transaction& tx, std::span<void* const> payloads) {
        return PersistMany(tx, std::span<Prepared* const>(reinterpret_cast<Prepared* const*>(payloads.data()),
                                                           payloads.size()));
    };
}

std::shared_ptr<const BusinessRules> DeclarationService::CurrentRules() {
    std::lock_guard lock(rules_mu_);
    const auto now = std::chrono::steady_clock::now();
    if (rules_ && (rulesets_ == nullptr || now - rules_checked_ < kRulesRecheck)) return rules_;
    rules_checked_ = now;
    if (rulesets_ != nullptr) {
        auto active = rulesets_->ActiveModelOf(kRulesetKey);
        if (active && *active) {
            if (!rules_ || rules_version_ != (*active)->version) {
                rules_ = std::make_shared<const BusinessRules>(
                    (*active)->model, fmt::format("ruleset {} v{}", kRulesetKey, (*active)->version));
                rules_version_ = (*active)->version;
            }
            return rules_;
        }
    }
    if (!rules_ || rules_version_) {
        rules_ = BusinessRules::Shipped();
        rules_version_.reset();
    }
    return rules_;
}

ValidationContext DeclarationService::Context() { return ValidationContext{nullptr, to_eur_}; }

std::optional<std::int64_t> DeclarationService::OrganisationByEori(const std::string& eori) {
    const auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(cache_mu_);
        auto it = org_by_eori_.find(eori);
        if (it != org_by_eori_.end() && now - it->second.at < kCacheTtl) return it->second.org;
    }
    auto row = storage::InReadTx(db_, [&](storage::Transaction& tx) {
        return tx.QueryOne("SELECT id FROM organisations WHERE eori = $1 AND deleted_at IS NULL", {eori});
    });
    std::optional<std::int64_t> org;
    if (row && *row) org = (*row)->GetInt(0);
    if (!row) return std::nullopt;  // not cached: try again next time
    std::lock_guard lock(cache_mu_);
    if (org_by_eori_.size() > 100000) org_by_eori_.clear();
    org_by_eori_[eori] = {org, std::nullopt, now};
    return org;
}

std::optional<std::string> DeclarationService::EoriOfOrganisation(std::int64_t org) {
    const auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(cache_mu_);
        auto it = eori_by_org_.find(org);
        if (it != eori_by_org_.end() && now - it->second.at < kCacheTtl) return it->second.eori;
    }
    auto row = storage::InReadTx(db_, [&](storage::Transaction& tx) {
        return tx.QueryOne("SELECT eori FROM organisations WHERE id = $1", {org});
    });
    if (!row) return std::nullopt;
    std::optional<std::string> eori;
    if (*row) eori = (*row)->GetOptText(0);
    std::lock_guard lock(cache_mu_);
    if (eori_by_org_.size() > 100000) eori_by_org_.clear();
    eori_by_org_[org] = {std::nullopt, eori, now};
    return eori;
}

Language DeclarationService::UserLanguage(const core::Principal& actor) {
    if (!actor.user.valid()) return Language::kEn;
    const auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(cache_mu_);
        auto it = language_by_user_.find(actor.user.value());
        if (it != language_by_user_.end() && now - it->second.at < kCacheTtl)
            return ParseLanguage(it->second.eori.value_or("en")).value_or(Language::kEn);
    }
    auto row = storage::InReadTx(db_, [&](storage::Transaction& tx) {
        return tx.QueryOne("SELECT language FROM users WHERE id = $1", {actor.user.value()});
    });
    if (!row) return Language::kEn;
    std::optional<std::string> lang;
    if (*row) lang = (*row)->GetText(0);
    std::lock_guard lock(cache_mu_);
    if (language_by_user_.size() > 100000) language_by_user_.clear();
    language_by_user_[actor.user.value()] = {std::nullopt, lang, now};
    return ParseLanguage(lang.value_or("en")).value_or(Language::kEn);
}

Result<DeclarationService::Prepared> DeclarationService::Prepare(const core::Principal& actor, Declaration d,
                                                                 Language lang, bool draft, bool xml,
                                                                 std::vector<Violation>* violations_out) {
    std::vector<Violation> violations;
    if (!draft) {
        auto rules = CurrentRules();
        ValidationContext ctx = Context();
        ctx.rules = rules.get();
        violations = Validate(d, ctx);
    }
    Prepared p;
    if (actor.organisation) {
        p.declarant_org = actor.organisation->value();
        auto own = EoriOfOrganisation(actor.organisation->value());
        if (own && !own->empty() && *own != d.declarant.identification_number)
            violations.push_back({"/declarant/identification_number", "not_own_eori", {}, {}, {}, {}, {}});
    } else {
        p.declarant_org = OrganisationByEori(d.declarant.identification_number);
    }
    if (!violations.empty()) {
        if (violations_out != nullptr) *violations_out = violations;
        return Fail(Error::InvalidArgument("The declaration has violations.", Localize(violations, lang, xml))
                        .WithType("invalid-declaration"));
    }
    const Party* represented = IsImport(d.type) ? (d.importer ? &*d.importer : nullptr)
                                                : (d.exporter ? &*d.exporter : nullptr);
    if (represented != nullptr && represented->identification_number != d.declarant.identification_number) {
        p.represented_org = OrganisationByEori(represented->identification_number);
        if (p.represented_org == p.declarant_org) p.represented_org.reset();
    }
    p.now = clock_.Now();
    p.now_text = core::FormatTimestamp(p.now);
    if (!draft && tax_hook_) {
        auto taxes = tax_hook_(d, p.now);
        if (!taxes) return Fail(std::move(taxes.error()));
        p.taxes = std::move(*taxes);
    }
    if (!draft && lane_hooks_.decide) {
        auto lane = lane_hooks_.decide(nullptr, d, p.declarant_org);
        if (!lane) return Fail(std::move(lane.error()));
        p.lane = std::move(*lane);
    }
    p.payload = CanonicalJson(d);
    p.declaration = std::move(d);
    p.draft = draft;
    p.lodged_by = ActorId(actor);
    p.actor_name = ActorName(actor);
    return p;
}

Result<void> DeclarationService::RecordTransitions(storage::Transaction& tx, const core::Principal& actor,
                                                   std::int64_t id,
                                                   const std::vector<std::pair<std::optional<State>, State>>& steps,
                                                   const std::vector<std::string>& actions,
                                                   const std::string& reason, core::Timestamp now) {
    if (steps.empty()) return {};
    std::string sql =
        "INSERT INTO declaration_transitions (declaration_id, from_state, to_state, action, actor_id, actor_name, at, "
        "reason) VALUES ";
    std::vector<Param> params{id, OptId(ActorId(actor)), ActorName(actor), core::FormatTimestamp(now), reason};
    for (std::size_t i = 0; i < steps.size(); ++i) {
        params.push_back(steps[i].first ? Param(std::string(StateName(*steps[i].first))) : Param(std::monostate{}));
        params.push_back(std::string(StateName(steps[i].second)));
        params.push_back(actions[i]);
        const auto base = params.size() - 2;
        sql += fmt::format("{}($1, ${}, ${}, ${}, $2, $3, $4, $5)", i == 0 ? "" : ", ", base, base + 1, base + 2);
    }
    auto r = tx.Execute(sql, params);
    if (!r) return Fail(std::move(r.error()));
    return {};
}

// Everything that can be computed before it (texts, times, the taxes and the lane) is, in Prepare:
// this runs on the one writer. It fills each item's `result` but copies none of the item's texts
// into it (the caller moves them after the commit: see LodgeThen).
Result<void> DeclarationService::PersistMany(storage::Transaction& tx, std::span<Prepared* const> items) {
    if (items.empty()) return {};
    auto ids = storage::AllocateIds(tx, "declarations", items.size());
    if (!ids) return Fail(std::move(ids.error()));
    std::vector<Param> rows;
    rows.reserve(items.size() * kInsertColumns);
    std::vector<std::optional<AfterLane>> after_lane(items.size());
    for (std::size_t k = 0; k < items.size(); ++k) {
        Prepared& p = *items[k];
        p.result = LodgeResult{};
        StoredDeclaration& s = p.result.stored;
        s.id = (*ids)[k];
        s.state = p.draft ? State::kDraft : State::kAccepted;
        if (!p.draft) {
            s.accepted_at = p.now;
            s.mrn = MakeMrn(YearOf(p.now), kCountry, s.id);
            if (p.lane) {
                after_lane[k] = LaneState(p.lane->lane);
                s.lane = p.lane->lane;
            }
            if (after_lane[k]) s.state = after_lane[k]->state;
        }
        const auto& d = p.declaration;
        const Param now = storage::View(p.now_text);
        // The texts are the items' (no copies): they outlive the statements.
        rows.insert(rows.end(), {s.id, storage::OptView(s.mrn), storage::View(d.declarant.identification_number),
                                 storage::View(d.lrn), OptId(p.declarant_org), OptId(p.represented_org),
                                 storage::TextView{TypeName(d.type)}, storage::TextView{StateName(s.state)},
                                 OptId(p.lodged_by), storage::View(p.payload), storage::OptView(p.taxes),
                                 storage::OptView(s.lane),
                                 p.lane ? Param(storage::View(p.lane->explanation_json)) : Param(std::monostate{}),
                                 now, p.draft ? Param(std::monostate{}) : now, now});
    }
    auto inserted = storage::InsertRows(tx, "declarations", kInsertColumnNames, rows, kOnLrnConflict);
    if (!inserted) return Fail(std::move(inserted.error()));

    std::vector<Param> transitions;
    transitions.reserve(items.size() * 3 * kTransitionColumns);
    auto transition = [&](const Prepared& p, std::optional<State> from, State to, std::string_view action) {
        transitions.insert(transitions.end(),
                           {p.result.stored.id, from ? Param(storage::TextView{StateName(*from)}) : Param(std::monostate{}),
                            storage::TextView{StateName(to)}, storage::TextView{action}, OptId(p.lodged_by),
                            storage::View(p.actor_name), storage::View(p.now_text), storage::TextView{""}});
    };
    std::vector<LaneRecordItem> lanes;
    // `inserted` holds the ids that went in, in the items' order.
    auto next_inserted = inserted->begin();
    for (std::size_t k = 0; k < items.size(); ++k) {
        Prepared& p = *items[k];
        StoredDeclaration& s = p.result.stored;
        const auto& d = p.declaration;
        if (next_inserted == inserted->end() || *next_inserted != s.id) {
            // The LRN exists (lodged before, or earlier in this batch): answer with that declaration.
            p.result = LodgeResult{};
            auto existing = tx.QueryOne(kByLrn, {d.declarant.identification_number, d.lrn});
            if (!existing) return Fail(std::move(existing.error()));
            if (!*existing) return Fail(Error::Unavailable("The declaration was deleted meanwhile; try again."));
            auto full = tx.QueryOne(fmt::format("SELECT {} FROM declarations WHERE id = $1", kColumns),
                                    {(*existing)->GetInt(0)});
            if (!full) return Fail(std::move(full.error()));
            auto stored = FromRow(**full);
            if (!stored) return Fail(std::move(stored.error()));
            p.result.stored = std::move(*stored);
            p.result.created = false;
            continue;
        }
        ++next_inserted;
        s.declarant_org_id = p.declarant_org;
        s.represented_org_id = p.represented_org;
        s.created_at = p.now;
        s.updated_at = p.now;
        p.result.created = true;
        if (p.draft) {
            transition(p, std::nullopt, State::kDraft, "create");
            continue;
        }
        if (p.lane) lanes.push_back({&p.declaration, p.declarant_org, s.id, &*s.mrn, &*p.lane});
        transition(p, std::nullopt, State::kSubmitted, ActionName(Action::kSubmit));
        transition(p, State::kSubmitted, State::kAccepted, ActionName(Action::kAccept));
        if (after_lane[k]) transition(p, State::kAccepted, after_lane[k]->state, after_lane[k]->action);
    }
    if (!lanes.empty() && lane_hooks_.record) {
        if (auto r = lane_hooks_.record(tx, lanes); !r) return r;
    }
    if (auto r = tx.CopyRows("declaration_transitions", kTransitionColumnNames, transitions); !r)
        return Fail(std::move(r.error()));
    return {};
}

namespace {
// The blocking form of a lodging that answers through a LodgeDone.
Result<LodgeResult> Wait(const std::function<void(LodgeDone)>& lodge) {
    std::promise<Result<LodgeResult>> answer;
    auto future = answer.get_future();
    lodge([&answer](Result<LodgeResult> r) { answer.set_value(std::move(r)); });
    return future.get();
}

Error InvalidDeclaration(const std::vector<Violation>& violations, Language lang, bool xml) {
    return Error::InvalidArgument("The declaration has violations.", Localize(violations, lang, xml))
        .WithType("invalid-declaration");
}
}  // namespace

Result<std::optional<LodgeResult>> DeclarationService::ExistingByLrn(const core::Principal& actor,
                                                                    const std::string& declarant,
                                                                    const std::string& lrn) {
    if (lrn.empty() || declarant.empty()) return std::optional<LodgeResult>();
    auto existing = storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<std::optional<std::int64_t>> {
        auto row = tx.QueryOne(kByLrn, {declarant, lrn});
        if (!row) return Fail(std::move(row.error()));
        if (!*row) return std::optional<std::int64_t>();
        return std::optional<std::int64_t>((*row)->GetInt(0));
    });
    if (!existing) return Fail(std::move(existing.error()));
    if (!*existing) return std::optional<LodgeResult>();
    auto got = Get(actor, **existing);
    if (!got) return Fail(std::move(got.error()));
    return std::optional<LodgeResult>(LodgeResult{std::move(*got), false, {}});
}

void DeclarationService::LodgeThen(const core::Principal& actor, Declaration d, Language lang, bool draft, bool xml,
                                   LodgeDone done) {
    if (!CanLodge(actor))
        return done(Fail(Error::PermissionDenied("Only traders and administrators lodge declarations.")));
    const std::string lrn = d.lrn, declarant = d.declarant.identification_number;
    auto prepared = Prepare(actor, std::move(d), lang, draft, xml, nullptr);
    if (!prepared) {
        // An LRN already lodged by this declarant is answered with that declaration, even when this
        // copy no longer validates (rules changed): looked up only then, since the INSERT itself
        // detects a repeated LRN (ON CONFLICT) on the common path.
        if (prepared.error().code == core::ErrorCode::kInvalidArgument) {
            auto existing = ExistingByLrn(actor, declarant, lrn);
            if (!existing) return done(Fail(std::move(existing.error())));
            if (*existing) return done(std::move(**existing));
        }
        return done(Fail(std::move(prepared.error())));
    }
    auto p = std::make_shared<Prepared>(std::move(*prepared));
    // Runs once the transaction that wrote `p` committed (or failed): short, as it may run on the
    // group committer's writer thread.
    auto answer = [p, organisation = actor.organisation, done = std::move(done)](Result<void> written) {
        if (!written) return done(Fail(std::move(written.error())));
        if (p->result.created) {
            // Written and committed: the prepared declaration and its texts become the answer's.
            p->result.stored.declaration = std::move(p->declaration);
            p->result.declaration_json = std::move(p->payload);
            p->result.stored.taxes_json = std::move(p->taxes);
            if (p->lane) p->result.stored.selectivity_json = std::move(p->lane->explanation_json);
        } else if (organisation) {
            // The existing row must be visible to the caller (same declarant EORI, another organisation).
            const auto& s = p->result.stored;
            if (s.declarant_org_id != organisation->value() && s.represented_org_id != organisation->value())
                return done(Fail(
                    Error::AlreadyExists("This LRN is already used by the declarant.").WithType("duplicate-lrn")));
        }
        done(std::move(p->result));
    };
    if (committer_ != nullptr) return committer_->SubmitBatched(persist_batch_, p.get(), std::move(answer));
    answer(storage::InWriteTx(db_, [&](storage::Transaction& tx) {
        Prepared* one = p.get();
        return PersistMany(tx, std::span<Prepared* const>(&one, 1));
    }));
}

void DeclarationService::LodgeJson(const core::Principal& actor, const boost::json::object& body, Language lang,
                                   bool draft, LodgeDone done) {
    std::vector<Violation> violations;
    Declaration d = ReadDeclaration(body, violations);
    if (!violations.empty()) return done(Fail(InvalidDeclaration(violations, lang, false)));
    LodgeThen(actor, std::move(d), lang, draft, false, std::move(done));
}

void DeclarationService::LodgeXml(const core::Principal& actor, std::string_view xml, Language lang, bool draft,
                                  LodgeDone done) {
    auto shape = ParseDeclarationXml(xml);
    if (!shape) return done(Fail(std::move(shape.error())));
    std::vector<Violation> violations;
    Declaration d = ReadDeclaration(*shape, violations);
    if (!violations.empty()) return done(Fail(InvalidDeclaration(violations, lang, true)));
    LodgeThen(actor, std::move(d), lang, draft, true, std::move(done));
}

Result<LodgeResult> DeclarationService::LodgeJson(const core::Principal& actor, const boost::json::object& body,
                                                  Language lang, bool draft) {
    return Wait([&](LodgeDone done) { LodgeJson(actor, body, lang, draft, std::move(done)); });
}

Result<LodgeResult> DeclarationService::LodgeXml(const core::Principal& actor, std::string_view xml, Language lang,
                                                 bool draft) {
    return Wait([&](LodgeDone done) { LodgeXml(actor, xml, lang, draft, std::move(done)); });
}

Result<std::vector<BulkOutcome>> DeclarationService::LodgeBulk(const core::Principal& actor,
                                                               std::vector<boost::json::object> bodies, Language lang,
                                                               bool xml) {
    return LodgeMany(actor, bodies.size(), [&](std::size_t i, const boost::json::storage_ptr&) -> Result<boost::json::object> {
        return std::move(bodies[i]);
    }, lang, xml);
}

Result<std::vector<BulkOutcome>> DeclarationService::LodgeNdjson(const core::Principal& actor,
                                                                 std::vector<std::string_view> lines, Language lang) {
    return LodgeMany(actor, lines.size(),
                     [&](std::size_t i, boost::json::storage_ptr arena) {
                         return core::ParseJsonObject(lines[i], std::move(arena));
                     },
                     lang, false);
}

Result<std::vector<BulkOutcome>> DeclarationService::LodgeMany(
    const core::Principal& actor, std::size_t n,
    const std::function<Result<boost::json::object>(std::size_t, boost::json::storage_ptr)>& body, Language lang,
    bool xml) {
    if (!CanLodge(actor)) return Fail(Error::PermissionDenied("Only traders and administrators lodge declarations."));
    if (n > kMaxBulkDeclarations)
        return Fail(Error::ResourceExhausted(fmt::format("At most {} declarations per request.", kMaxBulkDeclarations)));
    std::vector<BulkOutcome> out(n);
    // Reading, validation, taxes and the lane decision run on worker threads in blocks while this
    // thread writes the chunks whose blocks are done (one transaction per chunk).
    constexpr std::size_t kBlock = 64;
    constexpr std::size_t kChunk = 1024;  // a multiple of kBlock
    // The prepared declarations live in a ring of kRing chunks (a Prepared is about 2.4 KB): a
    // worker that runs kRing chunks ahead of the writer waits for it. A worker that overwrites a
    // written slot frees its old texts, so neither the first touch of fresh memory nor the frees
    // fall on the writer.
    constexpr std::size_t kRing = 4;
    const std::size_t blocks = (n + kBlock - 1) / kBlock;
    std::vector<std::optional<Prepared>> ready(std::min(n, kRing * kChunk));
    auto slot = [&](std::size_t i) -> std::optional<Prepared>& { return ready[i % ready.size()]; };
    std::atomic<std::size_t> next_block{0};
    std::vector<std::uint8_t> block_done(blocks, 0);
    std::size_t chunks_written = 0;  // under mu; all of them once the writer is gone
    std::mutex mu;
    std::condition_variable cv;
    auto prepare_one = [&](std::size_t i) {
        slot(i).reset();  // (the written declaration of an earlier chunk)
        auto& o = out[i];
        o.index = i;
        const std::string root = xml ? fmt::format("/Declarations/Declaration[{}]", i + 1) : std::string();
        // The parsed line lives in an arena on this stack: read once into the model, then dropped.
        alignas(std::max_align_t) unsigned char buffer[16384];
        boost::json::monotonic_resource arena(buffer, sizeof buffer);
        auto object = body(i, &arena);
        if (!object) {
            o.status = "invalid";
            o.violations.push_back({"/", "malformed_json", object.error().message});
            return;
        }
        std::vector<Violation> violations;
        Declaration d = ReadDeclaration(*object, violations);
        o.lrn = d.lrn;
        if (violations.empty()) {
            auto p = Prepare(actor, std::move(d), lang, false, xml, &violations);
            if (p) {
                slot(i) = std::move(*p);
                return;
            }
            if (violations.empty()) {
                o.status = "error";
                o.violations.push_back({"", std::string(core::ErrorCodeName(p.error().code)), p.error().message});
                return;
            }
        }
        o.status = "invalid";
        if (xml) o.violations = Localize(violations, lang, true, root);
        else o.violations = Localize(violations, lang);
    };
    auto work = [&] {
        for (;;) {
            const std::size_t b = next_block.fetch_add(1);
            if (b >= blocks) return;
            if (const std::size_t chunk = b * kBlock / kChunk; chunk >= kRing) {
                std::unique_lock lock(mu);
                cv.wait(lock, [&] { return chunks_written + kRing > chunk; });
            }
            for (std::size_t i = b * kBlock; i < std::min(n, (b + 1) * kBlock); ++i) {
                try {
                    prepare_one(i);
                } catch (const std::exception& e) {
                    out[i].status = "error";
                    out[i].violations.push_back({"", "internal", e.what()});
                }
            }
            std::lock_guard lock(mu);
            block_done[b] = 1;
            cv.notify_all();
        }
    };
    const std::size_t workers =
        n < 2 * kBlock ? 0 : std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 4);
    std::vector<std::jthread> threads;
    for (std::size_t t = 0; t < workers; ++t) threads.emplace_back(work);
    if (workers == 0) work();  // (n < 2 * kBlock: one chunk, no waiting for the ring)
    // However this thread leaves, no worker is left waiting for it (the threads are joined after).
    struct ReleaseWorkers {
        std::mutex& mu;
        std::condition_variable& cv;
        std::size_t& chunks_written;
        ~ReleaseWorkers() {
            {
                std::lock_guard lock(mu);
                chunks_written = std::numeric_limits<std::size_t>::max() / 2;
            }
            cv.notify_all();
        }
    } release_workers{mu, cv, chunks_written};

    // A bulk write: every row refers to rows that exist for good - organisations and users are
    // never deleted (only marked), the declaration and decision rows are written in this
    // transaction - so SQLite does not look each reference up again, and writes many rows per
    // statement. Deferred: the chunks are made durable together by one Sync() before the answer.
    auto persist = [&](const std::vector<Prepared*>& items) -> Result<void> {
        auto tx = db_.Begin(storage::TxMode::kBulkWriteDeferred);
        if (!tx) return Fail(std::move(tx.error()));
        if (auto r = PersistMany(**tx, items); !r) return r;
        return (*tx)->Commit();
    };
    using Clock = std::chrono::steady_clock;
    const auto began = Clock::now();
    Clock::duration waited{}, written{};
    for (std::size_t start = 0; start < n; start += kChunk) {
        const std::size_t end = std::min(n, start + kChunk);
        const auto wait_from = Clock::now();
        {
            std::unique_lock lock(mu);
            cv.wait(lock, [&] {
                for (std::size_t b = start / kBlock; b < (end + kBlock - 1) / kBlock; ++b)
                    if (!block_done[b]) return false;
                return true;
            });
        }
        std::vector<Prepared*> items;
        std::vector<std::size_t> index;
        for (std::size_t i = start; i < end; ++i) {
            auto& prepared = slot(i);
            if (!prepared) continue;
            items.push_back(&*prepared);
            index.push_back(i);
        }
        const auto write_from = Clock::now();
        waited += write_from - wait_from;
        // Every chunk counts as written, an empty one too: workers four chunks ahead wait for it.
        auto mark_written = [&] {
            {
                std::lock_guard lock(mu);
                chunks_written = start / kChunk + 1;
            }
            cv.notify_all();
        };
        if (items.empty()) {
            mark_written();
            continue;
        }
        const auto chunk_ok = persist(items);
        written += Clock::now() - write_from;
        if (!chunk_ok) {
            // One transaction per declaration, so that one failure does not fail the others.
            for (std::size_t k = 0; k < items.size(); ++k) {
                if (auto r = persist({items[k]}); !r) {
                    auto& o = out[index[k]];
                    o.status = "error";
                    o.violations.push_back({"", std::string(core::ErrorCodeName(r.error().code)), r.error().message});
                    items[k]->result.stored.id = 0;
                }
            }
        }
        for (std::size_t k = 0; k < items.size(); ++k) {
            auto& o = out[index[k]];
            if (o.status == "error") continue;
            auto& s = items[k]->result.stored;
            o.id = s.id;
            o.mrn = std::move(s.mrn);  // (freed by this thread, as it was made here: not by a worker)
            o.status = items[k]->result.created ? std::string(StateName(s.state)) : "existing";
        }
        mark_written();
    }
    // Nothing is answered before every declaration it reports is durable.
    const auto sync_from = Clock::now();
    if (auto synced = db_.Sync(); !synced) return Fail(std::move(synced.error()));
    const auto synced_at = Clock::now();
    auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
    spdlog::info(
        "event=bulk_lodged count={} workers={} ms={:.1f} write_ms={:.1f} wait_for_preparation_ms={:.1f} sync_ms={:.1f}",
        n, workers, ms(synced_at - began), ms(written), ms(waited), ms(synced_at - sync_from));
    return out;
}

Result<StoredDeclaration> DeclarationService::Get(const core::Principal& actor, std::int64_t id) {
    auto r = storage::InReadTx(db_, [&](storage::Transaction& tx) { return LoadScoped(tx, actor, id, false); });
    if (!r) return Fail(std::move(r.error()));
    if (!*r) return Fail(NotFoundError());
    return std::move(**r);
}

Result<DeclarationPage> DeclarationService::List(const core::Principal& actor, const ListFilter& f) {
    std::vector<Param> params;
    std::string sql =
        "SELECT id, lrn, type, state, mrn, lane, declarant_eori, created_at FROM declarations WHERE TRUE";
    sql += ScopeClause(actor, params);
    if (f.state) {
        params.push_back(std::string(StateName(*f.state)));
        sql += " AND state = $" + std::to_string(params.size());
    }
    if (f.type) {
        params.push_back(std::string(TypeName(*f.type)));
        sql += " AND type = $" + std::to_string(params.size());
    }
    if (f.before_id > 0) {
        params.push_back(f.before_id);
        sql += " AND id < $" + std::to_string(params.size());
    }
    const int limit = std::clamp(f.limit, 1, kMaxPage);
    sql += " ORDER BY id DESC LIMIT " + std::to_string(limit + 1);
    auto rows = storage::InReadTx(db_, [&](storage::Transaction& tx) { return tx.Query(sql, params); });
    if (!rows) return Fail(std::move(rows.error()));
    DeclarationPage page;
    for (const auto& row : rows->rows) {
        if (static_cast<int>(page.items.size()) == limit) {
            page.next_before = page.items.back().id;
            break;
        }
        DeclarationSummary s;
        s.id = row.GetInt(0);
        s.lrn = row.GetText(1);
        s.type = row.GetText(2);
        s.state = ParseState(row.GetText(3)).value_or(State::kDraft);
        s.mrn = row.GetOptText(4);
        s.lane = row.GetOptText(5);
        s.declarant_eori = row.GetText(6);
        s.created_at = core::ParseTimestamp(row.GetText(7)).value_or(core::Timestamp{});
        page.items.push_back(std::move(s));
    }
    return page;
}

Result<std::vector<TransitionEntry>> DeclarationService::History(const core::Principal& actor, std::int64_t id) {
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<std::vector<TransitionEntry>> {
        auto d = LoadScoped(tx, actor, id, false);
        if (!d) return Fail(std::move(d.error()));
        if (!*d) return Fail(NotFoundError());
        auto rows = tx.Query(
            "SELECT id, from_state, to_state, action, actor_id, actor_name, at, reason FROM declaration_transitions "
            "WHERE declaration_id = $1 ORDER BY id",
            {id});
        if (!rows) return Fail(std::move(rows.error()));
        std::vector<TransitionEntry> out;
        for (const auto& row : rows->rows) {
            TransitionEntry e;
            e.id = row.GetInt(0);
            if (!row.IsNull(1)) e.from = ParseState(row.GetText(1));
            e.to = ParseState(row.GetText(2)).value_or(State::kDraft);
            e.action = row.GetText(3);
            e.actor_id = row.GetOptInt(4);
            e.actor_name = row.GetText(5);
            e.at = core::ParseTimestamp(row.GetText(6)).value_or(core::Timestamp{});
            e.reason = row.GetText(7);
            out.push_back(std::move(e));
        }
        return out;
    });
}

Result<void> DeclarationService::DeleteDraft(const core::Principal& actor, std::int64_t id) {
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<void> {
        auto d = LoadScoped(tx, actor, id, true);
        if (!d) return Fail(std::move(d.error()));
        if (!*d) return Fail(NotFoundError());
        if (!FindTransition((*d)->state, Action::kDelete)) return Fail(IllegalTransition((*d)->state, "deleted"));
        auto r = tx.Execute("DELETE FROM declarations WHERE id = $1 AND state = 'draft'", {id});
        if (!r) return Fail(std::move(r.error()));
        if (*r != 1) return Fail(Error::Conflict("The declaration changed meanwhile."));
        return {};
    });
}

Result<void> DeclarationService::AcceptInTx(storage::Transaction& tx, const core::Principal& actor,
                                            StoredDeclaration& d, State from, core::Timestamp now) {
    d.mrn = MakeMrn(YearOf(now), kCountry, d.id);
    std::optional<LaneDecision> lane;
    if (lane_hooks_.decide) {
        auto l = lane_hooks_.decide(&tx, d.declaration, d.declarant_org_id);
        if (!l) return Fail(std::move(l.error()));
        lane = std::move(*l);
        if (lane_hooks_.record) {
            const LaneRecordItem item{&d.declaration, d.declarant_org_id, d.id, &*d.mrn, &*lane};
            if (auto r = lane_hooks_.record(tx, std::span<const LaneRecordItem>(&item, 1)); !r) return r;
        }
    }
    std::optional<std::string> taxes;
    if (tax_hook_) {
        auto t = tax_hook_(d.declaration, now);
        if (!t) return Fail(std::move(t.error()));
        taxes = std::move(*t);
    }
    State state = State::kAccepted;
    auto after = lane ? LaneState(lane->lane) : std::nullopt;
    if (after) state = after->state;
    const std::string ts = core::FormatTimestamp(now);
    auto r = tx.Execute(
        "UPDATE declarations SET state = $1, mrn = $2, taxes = $3, lane = $4, selectivity = $5, accepted_at = $6, "
        "updated_at = $6, version = version + 1, violations = NULL WHERE id = $7",
        {std::string(StateName(state)), *d.mrn, OptText(taxes), lane ? Param(lane->lane) : Param(std::monostate{}),
         lane ? Param(lane->explanation_json) : Param(std::monostate{}), ts, d.id});
    if (!r) return Fail(std::move(r.error()));
    std::vector<std::pair<std::optional<State>, State>> steps{{from, State::kAccepted}};
    std::vector<std::string> actions{std::string(ActionName(Action::kAccept))};
    if (after) {
        steps.push_back({State::kAccepted, after->state});
        actions.emplace_back(after->action);
    }
    if (auto rec = RecordTransitions(tx, actor, d.id, steps, actions, "", now); !rec) return rec;
    d.state = state;
    d.taxes_json = taxes;
    d.lane = lane ? std::optional<std::string>(lane->lane) : std::nullopt;
    d.selectivity_json = lane ? std::optional<std::string>(lane->explanation_json) : std::nullopt;
    d.accepted_at = now;
    d.updated_at = now;
    d.violations.clear();
    ++d.version;
    return {};
}

Result<StoredDeclaration> DeclarationService::Submit(const core::Principal& actor, std::int64_t id, Language lang) {
    auto rules = CurrentRules();
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<StoredDeclaration> {
        auto loaded = LoadScoped(tx, actor, id, true);
        if (!loaded) return Fail(std::move(loaded.error()));
        if (!*loaded) return Fail(NotFoundError());
        StoredDeclaration d = std::move(**loaded);
        if (!FindTransition(d.state, Action::kSubmit)) return Fail(IllegalTransition(d.state, "submitted"));
        const auto now = clock_.Now();
        ValidationContext ctx = Context();
        ctx.rules = rules.get();
        auto violations = Validate(d.declaration, ctx);
        if (auto r = RecordTransitions(tx, actor, id, {{State::kDraft, State::kSubmitted}},
                                       {std::string(ActionName(Action::kSubmit))}, "", now);
            !r)
            return Fail(std::move(r.error()));
        if (!violations.empty()) {
            d.violations = Localize(violations, lang);
            d.state = State::kRejected;
            auto r = tx.Execute(
                "UPDATE declarations SET state = 'rejected', violations = $1, updated_at = $2, version = version + 1 "
                "WHERE id = $3",
                {ViolationsJson(d.violations), core::FormatTimestamp(now), id});
            if (!r) return Fail(std::move(r.error()));
            if (auto rec = RecordTransitions(tx, actor, id, {{State::kSubmitted, State::kRejected}},
                                             {std::string(ActionName(Action::kReject))},
                                             fmt::format("{} violation(s)", violations.size()), now);
                !rec)
                return Fail(std::move(rec.error()));
            d.updated_at = now;
            ++d.version;
            return d;
        }
        if (auto a = AcceptInTx(tx, actor, d, State::kSubmitted, now); !a) return Fail(std::move(a.error()));
        return d;
    });
}

Result<StoredDeclaration> DeclarationService::TransitionInTx(storage::Transaction& tx, const core::Principal& actor,
                                                             std::int64_t id, Action action,
                                                             const std::string& reason) {
    if (!CanDecide(actor)) return Fail(Error::PermissionDenied("Only customs officers decide on declarations."));
    if (action == Action::kSubmit || action == Action::kAccept || action == Action::kReject ||
        action == Action::kDelete || action == Action::kInvalidate)
        return Fail(Error::InvalidArgument("This action has its own operation.",
                                           {{"/action", "not_allowed", "Use submit, delete or an invalidation request."}}));
    auto loaded = LoadScoped(tx, actor, id, true);
    if (!loaded) return Fail(std::move(loaded.error()));
    if (!*loaded) return Fail(NotFoundError());
    StoredDeclaration d = std::move(**loaded);
    const auto* rule = FindTransition(d.state, action);
    if (rule == nullptr || !rule->to) return Fail(IllegalTransition(d.state, fmt::format("moved by '{}'", ActionName(action))));
    const auto now = clock_.Now();
    const std::string ts = core::FormatTimestamp(now);
    auto r = tx.Execute(
        "UPDATE declarations SET state = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND state = $4",
        {std::string(StateName(*rule->to)), ts, id, std::string(StateName(d.state))});
    if (!r) return Fail(std::move(r.error()));
    if (*r != 1) return Fail(Error::Conflict("The declaration changed meanwhile."));
    if (auto rec = RecordTransitions(tx, actor, id, {{d.state, *rule->to}}, {std::string(ActionName(action))}, reason,
                                     now);
        !rec)
        return Fail(std::move(rec.error()));
    d.state = *rule->to;
    d.updated_at = now;
    ++d.version;
    return d;
}

Result<StoredDeclaration> DeclarationService::Transition(const core::Principal& actor, std::int64_t id, Action action,
                                                         const std::string& reason) {
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) { return TransitionInTx(tx, actor, id, action, reason); });
}

namespace {

constexpr std::string_view kRequestColumns =
    "id, declaration_id, kind, state, reason, payload, requested_name, requested_at, decided_name, decided_at, "
    "decision_reason";

DeclarationRequest RequestFromRow(const storage::Row& row) {
    DeclarationRequest r;
    r.id = row.GetInt(0);
    r.declaration_id = row.GetInt(1);
    r.kind = row.GetText(2) == "amendment" ? RequestKind::kAmendment : RequestKind::kInvalidation;
    r.state = ParseRequestState(row.GetText(3)).value_or(RequestState::kRequested);
    r.reason = row.GetText(4);
    r.payload = row.GetOptText(5);
    r.requested_by = row.GetText(6);
    r.requested_at = core::ParseTimestamp(row.GetText(7)).value_or(core::Timestamp{});
    r.decided_by = row.GetOptText(8);
    if (!row.IsNull(9)) r.decided_at = core::ParseTimestamp(row.GetText(9));
    r.decision_reason = row.GetOptText(10);
    return r;
}

Result<DeclarationRequest> InsertRequest(storage::Transaction& tx, const core::Principal& actor, std::int64_t id,
                                         RequestKind kind, const std::string& reason,
                                         const std::optional<std::string>& payload, core::Timestamp now) {
    auto row = tx.QueryOne(
        fmt::format("INSERT INTO declaration_requests (declaration_id, kind, state, reason, payload, requested_by, "
                    "requested_name, requested_at) VALUES ($1, $2, 'requested', $3, $4, $5, $6, $7) "
                    "ON CONFLICT DO NOTHING RETURNING {}",
                    kRequestColumns),
        {id, std::string(RequestKindName(kind)), reason, OptText(payload), OptId(ActorId(actor)), ActorName(actor),
         core::FormatTimestamp(now)});
    if (!row) return Fail(std::move(row.error()));
    if (!*row)
        return Fail(Error::Conflict("The declaration already has an open request.").WithType("open-request"));
    return RequestFromRow(**row);
}

}  // namespace

Result<DeclarationRequest> DeclarationService::RequestAmendment(const core::Principal& actor, std::int64_t id,
                                                                const boost::json::object& body,
                                                                const std::string& reason, Language lang) {
    std::vector<Violation> violations;
    Declaration amended = ReadDeclaration(body, violations);
    if (violations.empty()) {
        auto rules = CurrentRules();
        ValidationContext ctx = Context();
        ctx.rules = rules.get();
        violations = Validate(amended, ctx);
    }
    for (auto& v : violations) v.pointer = "/declaration" + v.pointer;
    if (!violations.empty())
        return Fail(Error::InvalidArgument("The amended declaration has violations.", Localize(violations, lang))
                        .WithType("invalid-declaration"));
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<DeclarationRequest> {
        auto loaded = LoadScoped(tx, actor, id, true);
        if (!loaded) return Fail(std::move(loaded.error()));
        if (!*loaded) return Fail(NotFoundError());
        const auto& d = **loaded;
        if (!IsAmendable(d.state)) return Fail(IllegalTransition(d.state, "amended"));
        if (amended.lrn != d.declaration.lrn ||
            amended.declarant.identification_number != d.declaration.declarant.identification_number ||
            amended.type != d.declaration.type)
            return Fail(Error::InvalidArgument(
                "An amendment keeps the LRN, the declarant and the type.",
                {{"/declaration/lrn", "not_allowed", "The LRN, declarant and type cannot be amended."}}));
        return InsertRequest(tx, actor, id, RequestKind::kAmendment, reason,
                             CanonicalJson(amended), clock_.Now());
    });
}

Result<DeclarationRequest> DeclarationService::RequestInvalidation(const core::Principal& actor, std::int64_t id,
                                                                   const std::string& reason) {
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<DeclarationRequest> {
        auto loaded = LoadScoped(tx, actor, id, true);
        if (!loaded) return Fail(std::move(loaded.error()));
        if (!*loaded) return Fail(NotFoundError());
        if (!IsInvalidatable((**loaded).state)) return Fail(IllegalTransition((**loaded).state, "invalidated"));
        return InsertRequest(tx, actor, id, RequestKind::kInvalidation, reason, std::nullopt, clock_.Now());
    });
}

Result<std::vector<DeclarationRequest>> DeclarationService::Requests(const core::Principal& actor, std::int64_t id) {
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<std::vector<DeclarationRequest>> {
        auto loaded = LoadScoped(tx, actor, id, false);
        if (!loaded) return Fail(std::move(loaded.error()));
        if (!*loaded) return Fail(NotFoundError());
        auto rows = tx.Query(
            fmt::format("SELECT {} FROM declaration_requests WHERE declaration_id = $1 ORDER BY id", kRequestColumns),
            {id});
        if (!rows) return Fail(std::move(rows.error()));
        std::vector<DeclarationRequest> out;
        for (const auto& row : rows->rows) out.push_back(RequestFromRow(row));
        return out;
    });
}

Result<DeclarationRequest> DeclarationService::DecideRequest(const core::Principal& actor, std::int64_t id,
                                                             std::int64_t request_id, bool accept,
                                                             const std::string& reason, Language lang) {
    (void)lang;
    if (!CanDecide(actor)) return Fail(Error::PermissionDenied("Only customs officers decide on requests."));
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<DeclarationRequest> {
        auto loaded = LoadScoped(tx, actor, id, true);
        if (!loaded) return Fail(std::move(loaded.error()));
        if (!*loaded) return Fail(NotFoundError());
        StoredDeclaration d = std::move(**loaded);
        auto row = tx.QueryOne(
            fmt::format("SELECT {} FROM declaration_requests WHERE id = $1 AND declaration_id = $2", kRequestColumns),
            {request_id, id});
        if (!row) return Fail(std::move(row.error()));
        if (!*row) return Fail(Error::NotFound("No such request."));
        DeclarationRequest req = RequestFromRow(**row);
        if (req.state != RequestState::kRequested)
            return Fail(Error::Conflict(fmt::format("The request is already {}.", RequestStateName(req.state)))
                            .WithType("illegal-transition"));
        const auto now = clock_.Now();
        const std::string ts = core::FormatTimestamp(now);
        if (accept) {
            if (req.kind == RequestKind::kInvalidation) {
                const auto* rule = FindTransition(d.state, Action::kInvalidate);
                if (rule == nullptr) return Fail(IllegalTransition(d.state, "invalidated"));
                auto u = tx.Execute(
                    "UPDATE declarations SET state = 'invalidated', updated_at = $1, version = version + 1 WHERE id = $2",
                    {ts, id});
                if (!u) return Fail(std::move(u.error()));
                if (auto rec = RecordTransitions(tx, actor, id, {{d.state, State::kInvalidated}},
                                                 {std::string(ActionName(Action::kInvalidate))}, reason, now);
                    !rec)
                    return Fail(std::move(rec.error()));
            } else {
                if (!IsAmendable(d.state)) return Fail(IllegalTransition(d.state, "amended"));
                auto u = tx.Execute(
                    "UPDATE declarations SET payload = $1, updated_at = $2, version = version + 1 WHERE id = $3",
                    {req.payload.value_or("{}"), ts, id});
                if (!u) return Fail(std::move(u.error()));
                if (auto rec = RecordTransitions(tx, actor, id, {{d.state, d.state}}, {"amend"},
                                                 fmt::format("amendment request {}", request_id), now);
                    !rec)
                    return Fail(std::move(rec.error()));
            }
        }
        auto u = tx.QueryOne(
            fmt::format("UPDATE declaration_requests SET state = $1, decided_by = $2, decided_name = $3, decided_at = $4, "
                        "decision_reason = $5 WHERE id = $6 AND state = 'requested' RETURNING {}",
                        kRequestColumns),
            {std::string(accept ? "accepted" : "rejected"), OptId(ActorId(actor)), ActorName(actor), ts, reason,
             request_id});
        if (!u) return Fail(std::move(u.error()));
        if (!*u) return Fail(Error::Conflict("The request changed meanwhile."));
        return RequestFromRow(**u);
    });
}

// ---------------------------------------------------------------------------------------------
// JSON

namespace {
boost::json::value ParsedOrNull(const std::optional<std::string>& text) {
    if (!text) return nullptr;
    auto v = core::ParseJson(*text);
    if (!v) return boost::json::string(*text);
    return std::move(*v);
}
boost::json::value OptTs(const std::optional<core::Timestamp>& t) {
    if (!t) return nullptr;
    return boost::json::string(core::FormatTimestamp(*t));
}
}  // namespace

namespace {
// Everything of a stored declaration's representation before "taxes" (its JSON texts follow).
boost::json::object HeadJson(const StoredDeclaration& d) {
    boost::json::object o;
    o["id"] = d.id;
    o["lrn"] = d.declaration.lrn;
    o["type"] = TypeName(d.declaration.type);
    o["state"] = StateName(d.state);
    o["mrn"] = d.mrn ? boost::json::value(*d.mrn) : nullptr;
    o["lane"] = d.lane ? boost::json::value(*d.lane) : nullptr;
    o["declarant_organisation_id"] = d.declarant_org_id ? boost::json::value(*d.declarant_org_id) : nullptr;
    o["represented_organisation_id"] = d.represented_org_id ? boost::json::value(*d.represented_org_id) : nullptr;
    o["created_at"] = core::FormatTimestamp(d.created_at);
    o["accepted_at"] = OptTs(d.accepted_at);
    o["updated_at"] = core::FormatTimestamp(d.updated_at);
    o["version"] = d.version;
    boost::json::array allowed;
    for (auto a : AllowedActions(d.state)) allowed.push_back(boost::json::string(ActionName(a)));
    o["allowed_actions"] = std::move(allowed);
    return o;
}

boost::json::array ViolationsJson(const StoredDeclaration& d) {
    boost::json::array v;
    for (const auto& e : d.violations)
        v.push_back(boost::json::object{{"pointer", e.pointer}, {"code", e.code}, {"message", e.message}});
    return v;
}

// A stored JSON text as it is when it parses (ParsedOrNull's rule), without building a DOM of it.
void AppendJsonText(std::string& out, const std::optional<std::string>& text) {
    if (!text) {
        out += "null";
    } else if (core::ParseJson(*text)) {
        out += *text;
    } else {
        out += boost::json::serialize(boost::json::string(*text));
    }
}
}  // namespace

boost::json::object ToJson(const StoredDeclaration& d) {
    boost::json::object o = HeadJson(d);
    o["taxes"] = ParsedOrNull(d.taxes_json);
    o["selectivity"] = ParsedOrNull(d.selectivity_json);
    o["violations"] = ViolationsJson(d);
    o["declaration"] = ToJson(d.declaration);
    return o;
}

std::string ToJsonText(const StoredDeclaration& d, std::string_view declaration_json, bool trusted_texts) {
    std::string out = boost::json::serialize(HeadJson(d));
    out.pop_back();  // the closing brace
    out.reserve(out.size() + declaration_json.size() + (d.taxes_json ? d.taxes_json->size() : 0) +
                (d.selectivity_json ? d.selectivity_json->size() : 0) + 128);
    auto text = [&](const std::optional<std::string>& t) {
        if (trusted_texts && t) out += *t;
        else AppendJsonText(out, t);
    };
    out += ",\"taxes\":";
    text(d.taxes_json);
    out += ",\"selectivity\":";
    text(d.selectivity_json);
    out += ",\"violations\":";
    out += boost::json::serialize(ViolationsJson(d));
    out += ",\"declaration\":";
    if (declaration_json.empty()) out += CanonicalJson(d.declaration);
    else out += declaration_json;
    out += '}';
    return out;
}

boost::json::object ToJson(const DeclarationSummary& s) {
    return {{"id", s.id},
            {"lrn", s.lrn},
            {"type", s.type},
            {"state", StateName(s.state)},
            {"mrn", s.mrn ? boost::json::value(*s.mrn) : nullptr},
            {"lane", s.lane ? boost::json::value(*s.lane) : nullptr},
            {"declarant_eori", s.declarant_eori},
            {"created_at", core::FormatTimestamp(s.created_at)}};
}

boost::json::object ToJson(const TransitionEntry& t) {
    return {{"id", t.id},
            {"from", t.from ? boost::json::value(StateName(*t.from)) : nullptr},
            {"to", StateName(t.to)},
            {"action", t.action},
            {"actor_id", t.actor_id ? boost::json::value(*t.actor_id) : nullptr},
            {"actor", t.actor_name},
            {"at", core::FormatTimestamp(t.at)},
            {"reason", t.reason}};
}

boost::json::object ToJson(const DeclarationRequest& r) {
    return {{"id", r.id},
            {"declaration_id", r.declaration_id},
            {"kind", RequestKindName(r.kind)},
            {"state", RequestStateName(r.state)},
            {"reason", r.reason},
            {"declaration", ParsedOrNull(r.payload)},
            {"requested_by", r.requested_by},
            {"requested_at", core::FormatTimestamp(r.requested_at)},
            {"decided_by", r.decided_by ? boost::json::value(*r.decided_by) : nullptr},
            {"decided_at", OptTs(r.decided_at)},
            {"decision_reason", r.decision_reason ? boost::json::value(*r.decision_reason) : nullptr}};
}

void AppendJson(std::string& out, const BulkOutcome& o) {
    // Written directly (a bulk answer has up to kMaxBulkDeclarations of them).
    fmt::format_to(std::back_inserter(out), "{{\"index\":{},\"lrn\":", o.index);
    core::AppendJsonString(out, o.lrn);
    out += ",\"status\":";
    core::AppendJsonString(out, o.status);
    if (o.id) fmt::format_to(std::back_inserter(out), ",\"id\":{}", *o.id);
    if (o.mrn) {
        out += ",\"mrn\":";
        core::AppendJsonString(out, *o.mrn);
    }
    if (!o.violations.empty()) {
        out += ",\"violations\":[";
        for (std::size_t k = 0; k < o.violations.size(); ++k) {
            const auto& e = o.violations[k];
            out += k == 0 ? "{\"pointer\":" : ",{\"pointer\":";
            core::AppendJsonString(out, e.pointer);
            out += ",\"code\":";
            core::AppendJsonString(out, e.code);
            out += ",\"message\":";
            core::AppendJsonString(out, e.message);
            out += '}';
        }
        out += ']';
    }
    out += '}';
}

}  // namespace customsdesk::declarations
