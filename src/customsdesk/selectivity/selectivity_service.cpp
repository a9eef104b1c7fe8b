#include "customsdesk/selectivity/selectivity_service.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <random>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "customsdesk/history/change_history.hpp"
#include "customsdesk/storage/bulk.hpp"
#include "customsdesk/selectivity/subject_json.hpp"

namespace customsdesk::selectivity {

// Embedded by CMake (customsdesk_embed) from data/rules/risk-profiles/.
extern const std::string_view kProfileOriginCommodityDmn;
extern const std::string_view kProfileOriginCommodityTests;
extern const std::string_view kProfileSensitiveGoodsDmn;
extern const std::string_view kProfileSensitiveGoodsTests;
extern const std::string_view kProfileTraderDmn;
extern const std::string_view kProfileTraderTests;
extern const std::string_view kProfileUndervaluationDmn;
extern const std::string_view kProfileUndervaluationTests;

namespace {

using core::Error;
using core::Fail;
using storage::Param;
using core::Result;

constexpr std::string_view kActiveProfileVersions =
    "SELECT v.id, r.ruleset_key, v.version, r.name FROM ruleset_versions v JOIN rulesets r ON r.id = v.ruleset_id "
    "WHERE v.state = 'active' AND r.ruleset_key LIKE 'risk-profile-%' ORDER BY v.id";
constexpr std::string_view kVersionDmnById = "SELECT dmn FROM ruleset_versions WHERE id = $1";
constexpr std::string_view kTraderRegistry = "SELECT customer_group, aeo_type FROM organisations WHERE id = $1";
constexpr std::string_view kTraderCompliance =
    "SELECT declaration_count, first_declaration_at, controls, findings, last_finding_at FROM trader_compliance "
    "WHERE organisation_id = $1";
constexpr std::string_view kCountDeclarations =
    "INSERT INTO trader_compliance (organisation_id, declaration_count, first_declaration_at, updated_at) "
    "VALUES ($1, $3, $2, $2) ON CONFLICT (organisation_id) DO UPDATE SET "
    "declaration_count = trader_compliance.declaration_count + $3, "
    "first_declaration_at = COALESCE(trader_compliance.first_declaration_at, $2), updated_at = $2";
constexpr std::string_view kSettings =
    "SELECT red_ppm, yellow_ppm, sample_key, version, updated_by, updated_at FROM selectivity_settings WHERE id = 1";
constexpr std::string_view kInsertSettings =
    "INSERT INTO selectivity_settings (id, red_ppm, yellow_ppm, sample_key, version, updated_by, updated_at) "
    "VALUES (1, $1, $2, $3, 1, $4, $5) ON CONFLICT (id) DO NOTHING";
constexpr std::string_view kUpdateSettings =
    "UPDATE selectivity_settings SET red_ppm = $1, yellow_ppm = $2, sample_key = $3, version = version + 1, "
    "updated_by = $4, updated_at = $5 WHERE id = 1";
// Written with Transaction::CopyRows (COPY on PostgreSQL; on SQLite many rows per statement when the
// transaction leaves foreign keys to its caller, as bulk lodging does).
constexpr std::string_view kDecisionColumns[] = {"id",        "declaration_id", "declaration_ref",
                                                 "organisation_id", "lane",    "rule_lane",
                                                 "sampled",   "explanation",    "decided_at"};
constexpr std::string_view kHitColumns[] = {"decision_id", "profile_key", "profile_version",
                                            "rule_number", "lane",        "decisive"};
constexpr std::string_view kCountHits =
    "INSERT INTO selectivity_profile_stats (profile_key, profile_version, hits, decisive_hits) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (profile_key, profile_version) DO UPDATE SET hits = selectivity_profile_stats.hits + $3, "
    "decisive_hits = selectivity_profile_stats.decisive_hits + $4";
constexpr std::string_view kProfileStats =
    "SELECT hits, decisive_hits, controls, findings FROM selectivity_profile_stats "
    "WHERE profile_key = $1 AND profile_version = $2";

bool CanManage(const core::Principal& p) {
    return p.IsStaff() && (p.Has(core::Role::kRiskAnalyst) || p.Has(core::Role::kAdmin));
}
Error ManageDenied() {
    return Error::PermissionDenied("Risk profiles and sample rates are for risk analysts and administrators.");
}

std::optional<core::Timestamp> OptTime(const storage::Row& r, std::size_t i) {
    if (r.IsNull(i)) return std::nullopt;
    return core::ParseTimestamp(r.GetText(i));
}

core::Principal ShippedDefaultsReviewer() {
    core::Principal p;
    p.username = "shipped-defaults";
    p.display_name = "Shipped defaults (reviewed in the source repository)";
    p.roles = {core::Role::kAdmin};
    p.method = core::AuthMethod::kSystem;
    return p;
}

std::uint64_t RandomKey() {
    std::random_device rd;
    return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
}

}  // namespace

std::span<const DefaultProfile> DefaultProfiles() {
    static const DefaultProfile kDefaults[] = {
        {"risk-profile-origin-commodity", "High-risk origin by commodity chapter", kProfileOriginCommodityDmn,
         kProfileOriginCommodityTests},
        {"risk-profile-sensitive-goods", "Sensitive goods by commodity code", kProfileSensitiveGoodsDmn,
         kProfileSensitiveGoodsTests},
        {"risk-profile-trader", "Trader profile: AEO, value, history", kProfileTraderDmn, kProfileTraderTests},
        {"risk-profile-undervaluation", "Undervaluation: value per kg by chapter", kProfileUndervaluationDmn,
         kProfileUndervaluationTests},
    };
    return kDefaults;
}

Result<TraderAttributes> LoadTraderAttributes(storage::Transaction& tx, core::OrganisationId organisation) {
    TraderAttributes t;
    auto reg = tx.QueryOne(kTraderRegistry, {organisation.value()});
    if (!reg) return Fail(std::move(reg.error()));
    if (*reg) {
        t.customer_group = (*reg)->GetOptText(0);
        t.aeo_type = (*reg)->GetOptText(1);
    }
    auto comp = tx.QueryOne(kTraderCompliance, {organisation.value()});
    if (!comp) return Fail(std::move(comp.error()));
    if (*comp) {
        const auto& r = **comp;
        t.declaration_count = r.GetInt(0);
        t.first_declaration_at = OptTime(r, 1);
        t.controls = r.GetInt(2);
        t.findings = r.GetInt(3);
        t.last_finding_at = OptTime(r, 4);
    }
    return t;
}

SelectivityService::SelectivityService(storage::Database& db, const core::Clock& clock,
                                       ruleset::RulesetService& rulesets)
    : db_(db), clock_(clock), rulesets_(rulesets) {}

void SelectivityService::Invalidate() {
    std::lock_guard lock(mutex_);
    cached_.reset();
    cached_ids_.clear();
    profiles_checked_ = {};
    settings_.reset();
    traders_.clear();
}

Result<std::shared_ptr<const ProfileSet>> SelectivityService::ActiveProfiles(storage::Transaction& tx) {
    auto rows = tx.Query(kActiveProfileVersions);
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<std::int64_t> ids;
    for (const auto& r : rows->rows)
        if (IsProfileKey(r.GetText(1))) ids.push_back(r.GetInt(0));
    {
        std::lock_guard lock(mutex_);
        if (cached_ && cached_ids_ == ids) return cached_;
    }
    std::vector<ProfileSource> sources;
    for (const auto& r : rows->rows) {
        if (!IsProfileKey(r.GetText(1))) continue;
        auto dmn = tx.QueryOne(kVersionDmnById, {r.GetInt(0)});
        if (!dmn) return Fail(std::move(dmn.error()));
        if (!*dmn) continue;
        sources.push_back({r.GetText(1), r.GetInt(2), r.GetInt(0), r.GetText(3), (*dmn)->GetText(0)});
    }
    auto set = std::make_shared<const ProfileSet>(ProfileSet::Compile(sources));
    for (const auto& rej : set->rejected())
        spdlog::warn("event=risk_profile_rejected key={} version={} reason=\"{}\"", rej.key, rej.version, rej.reason);
    std::lock_guard lock(mutex_);
    cached_ = set;
    cached_ids_ = std::move(ids);
    return set;
}

Result<SampleSettings> SelectivityService::LoadSampleSettings(storage::Transaction& tx) {
    SampleSettings s;
    auto row = tx.QueryOne(kSettings);
    if (!row) return Fail(std::move(row.error()));
    if (*row) {
        const auto& r = **row;
        s.rates.red_ppm = static_cast<std::uint32_t>(r.GetInt(0));
        s.rates.yellow_ppm = static_cast<std::uint32_t>(r.GetInt(1));
        s.rates.key = static_cast<std::uint64_t>(r.GetInt(2));
        s.version = r.GetInt(3);
        s.updated_by = r.GetText(4);
        s.updated_at = OptTime(r, 5);
    }
    return s;
}

Result<Assessment> SelectivityService::Assess(storage::Transaction& tx, Subject subject) {
    auto a = Decide(tx, subject);
    if (!a) return a;
    subject.assessed_at = a->assessed_at;
    if (auto r = Record(tx, subject, *a); !r) return Fail(std::move(r.error()));
    return a;
}

Result<Assessment> SelectivityService::Decide(storage::Transaction& tx, Subject subject) {
    if (subject.organisation.valid()) {
        auto trader = LoadTraderAttributes(tx, subject.organisation);
        if (!trader) return Fail(std::move(trader.error()));
        subject.trader = std::move(*trader);
    }
    if (subject.identity.empty()) subject.identity = std::to_string(subject.declaration_id);
    auto profiles = ActiveProfiles(tx);
    if (!profiles) return Fail(std::move(profiles.error()));
    auto settings = LoadSampleSettings(tx);
    if (!settings) return Fail(std::move(settings.error()));
    if (subject.assessed_at == core::Timestamp{}) subject.assessed_at = clock_.Now();
    Assessment a;
    a.decision = (*profiles)->Evaluate(subject, settings->rates);
    a.explanation_json = a.decision.ExplanationJson();
    a.assessed_at = subject.assessed_at;
    return a;
}

Result<Assessment> SelectivityService::Decide(Subject subject) {
    const auto now = std::chrono::steady_clock::now();
    std::shared_ptr<const ProfileSet> profiles;
    std::optional<SampleRates> rates;
    std::optional<TraderAttributes> trader;
    {
        std::lock_guard lock(mutex_);
        if (cached_ && now - profiles_checked_ < kDecideCacheTtl) profiles = cached_;
        if (settings_ && now - settings_loaded_ < kDecideCacheTtl) rates = settings_->rates;
        if (subject.organisation.valid()) {
            auto it = traders_.find(subject.organisation.value());
            if (it != traders_.end() && now - it->second.loaded < kDecideCacheTtl) trader = it->second.attributes;
        }
    }
    if (!profiles || !rates || (subject.organisation.valid() && !trader)) {
        auto loaded = storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<void> {
            if (!profiles) {
                auto p = ActiveProfiles(tx);
                if (!p) return Fail(std::move(p.error()));
                profiles = *p;
            }
            if (!rates) {
                auto st = LoadSampleSettings(tx);
                if (!st) return Fail(std::move(st.error()));
                std::lock_guard lock(mutex_);
                settings_ = *st;
                settings_loaded_ = now;
                rates = st->rates;
            }
            if (subject.organisation.valid() && !trader) {
                auto t = LoadTraderAttributes(tx, subject.organisation);
                if (!t) return Fail(std::move(t.error()));
                trader = std::move(*t);
            }
            return {};
        });
        if (!loaded) return Fail(std::move(loaded.error()));
        std::lock_guard lock(mutex_);
        if (cached_ == profiles) profiles_checked_ = now;
        if (subject.organisation.valid()) {
            auto it = traders_.find(subject.organisation.value());
            if (it == traders_.end() || now - it->second.loaded >= kDecideCacheTtl) {
                if (traders_.size() > 100000) traders_.clear();
                traders_.insert_or_assign(subject.organisation.value(), CachedTrader{*trader, now});
            }
        }
    }
    if (subject.organisation.valid()) {
        subject.trader = *trader;
        // Count this declaration in the cached attributes so that a burst sees a growing count.
        std::lock_guard lock(mutex_);
        auto it = traders_.find(subject.organisation.value());
        if (it != traders_.end()) {
            subject.trader = it->second.attributes;
            ++it->second.attributes.declaration_count;
            if (!it->second.attributes.first_declaration_at)
                it->second.attributes.first_declaration_at = subject.assessed_at == core::Timestamp{}
                                                                 ? clock_.Now()
                                                                 : subject.assessed_at;
        }
    }
    if (subject.identity.empty()) subject.identity = std::to_string(subject.declaration_id);
    if (subject.assessed_at == core::Timestamp{}) subject.assessed_at = clock_.Now();
    Assessment a;
    a.decision = profiles->Evaluate(subject, *rates);
    a.explanation_json = a.decision.ExplanationJson();
    a.assessed_at = subject.assessed_at;
    return a;
}

Result<void> SelectivityService::Record(storage::Transaction& tx, const Subject& subject, Assessment& a) {
    const RecordItem one{&subject, &a, &a.decision_id};
    return RecordMany(tx, std::span<const RecordItem>(&one, 1));
}

Result<void> SelectivityService::RecordMany(storage::Transaction& tx, std::span<const RecordItem> items) {
    if (items.empty()) return {};
    auto ids = storage::AllocateIds(tx, "selectivity_decisions", items.size());
    if (!ids) return Fail(std::move(ids.error()));
    std::vector<Param> decisions, hits;
    decisions.reserve(items.size() * 9);
    std::map<std::pair<std::string, std::int64_t>, std::pair<std::int64_t, std::int64_t>> per_profile;  // hits, decisive
    std::map<std::int64_t, std::pair<std::int64_t, std::string>> per_trader;  // count, first decided at
    for (std::size_t k = 0; k < items.size(); ++k) {
        const Subject& subject = *items[k].subject;
        const Assessment& a = *items[k].assessment;
        const std::int64_t decision_id = (*ids)[k];
        if (items[k].decision_id != nullptr) *items[k].decision_id = decision_id;
        const core::Timestamp at = subject.assessed_at == core::Timestamp{} ? clock_.Now() : subject.assessed_at;
        const std::string at_text = core::FormatTimestamp(at);
        // Texts the items hold are passed as views (no copies): they outlive the statements.
        decisions.insert(decisions.end(),
                         {decision_id, subject.declaration_id,
                          subject.identity.empty() ? Param(std::to_string(subject.declaration_id))
                                                   : storage::View(subject.identity),
                          subject.organisation.valid() ? Param(subject.organisation.value()) : storage::Null(),
                          storage::TextView{LaneName(a.decision.lane)}, storage::TextView{LaneName(a.decision.rule_lane)},
                          a.decision.source == DecisionSource::kRandomSample, storage::View(a.explanation_json),
                          at_text});
        std::set<std::pair<std::string, std::int64_t>> fired, decisive;
        for (const auto& h : a.decision.hits) {
            hits.insert(hits.end(), {decision_id, storage::View(h.profile_key), h.profile_version,
                                     static_cast<std::int64_t>(h.rule_number), storage::TextView{LaneName(h.lane)},
                                     h.decisive});
            fired.insert({h.profile_key, h.profile_version});
            if (h.decisive) decisive.insert({h.profile_key, h.profile_version});
        }
        for (const auto& p : fired) {
            auto& c = per_profile[p];
            ++c.first;
            if (decisive.contains(p)) ++c.second;
        }
        if (subject.organisation.valid()) {
            auto [it, fresh] = per_trader.try_emplace(subject.organisation.value(), 0, at_text);
            ++it->second.first;
            if (at_text < it->second.second) it->second.second = at_text;
        }
    }
    if (auto r = tx.CopyRows("selectivity_decisions", kDecisionColumns, decisions); !r) return Fail(std::move(r.error()));
    if (auto r = tx.CopyRows("selectivity_hits", kHitColumns, hits); !r) return Fail(std::move(r.error()));
    for (const auto& [profile, counts] : per_profile) {
        auto r = tx.Execute(kCountHits, {profile.first, profile.second, counts.first, counts.second});
        if (!r) return Fail(std::move(r.error()));
    }
    for (const auto& [organisation, count] : per_trader) {
        auto r = tx.Execute(kCountDeclarations, {organisation, count.second, count.first});
        if (!r) return Fail(std::move(r.error()));
    }
    return {};
}

Result<std::vector<std::string>> SelectivityService::InstallDefaultProfiles() {
    const core::Principal system = core::Principal::System();
    const core::Principal reviewer = ShippedDefaultsReviewer();
    auto settings = storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<void> {
        SampleRates defaults;
        auto r = tx.Execute(kInsertSettings, {std::int64_t{defaults.red_ppm}, std::int64_t{defaults.yellow_ppm},
                                              static_cast<std::int64_t>(RandomKey()), std::string("system"),
                                              core::FormatTimestamp(clock_.Now())});
        if (!r) return Fail(std::move(r.error()));
        return {};
    });
    if (!settings) return Fail(std::move(settings.error()));
    std::vector<std::string> installed;
    for (const auto& p : DefaultProfiles()) {
        auto existing = rulesets_.Get(system, p.key);
        if (existing) continue;
        if (existing.error().code != core::ErrorCode::kNotFound) return Fail(std::move(existing.error()));
        auto check = ProfileSet::Check(p.dmn);
        if (!check) {
            return Fail(Error::Internal(fmt::format("shipped profile {} is broken: {}", p.key, check.error().message)));
        }
        auto v = rulesets_.Upload(system, p.key, p.dmn, std::string(p.name), "Shipped default risk profile");
        if (!v) return Fail(std::move(v.error()));
        boost::system::error_code ec;
        auto tests = boost::json::parse(p.tests_json, ec);
        if (ec || !tests.is_array()) {
            return Fail(Error::Internal(fmt::format("shipped tests of {} are not a JSON array", p.key)));
        }
        for (const auto& t : tests.as_array()) {
            if (!t.is_object()) return Fail(Error::Internal(fmt::format("shipped test of {} is not an object", p.key)));
            auto added = rulesets_.AddTest(system, p.key, t.as_object());
            if (!added) return Fail(std::move(added.error()));
        }
        for (auto [who, transition] :
             {std::pair{&system, ruleset::Transition::kSubmit}, std::pair{&reviewer, ruleset::Transition::kApprove},
              std::pair{&system, ruleset::Transition::kActivate}}) {
            auto r = rulesets_.Apply(*who, p.key, v->version, transition);
            if (!r) {
                return Fail(Error::Internal(fmt::format(
                    "installing shipped profile {}: {} failed: {}{}", p.key, ruleset::TransitionName(transition),
                    r.error().message, r.error().fields.empty() ? "" : " " + r.error().fields.front().message)));
            }
        }
        installed.emplace_back(p.key);
    }
    Invalidate();
    return installed;
}

Result<SampleSettings> SelectivityService::GetSampleRates(const core::Principal& actor) {
    if (!CanManage(actor)) return Fail(ManageDenied());
    return storage::InReadTx(db_, [&](storage::Transaction& tx) { return LoadSampleSettings(tx); });
}

Result<SampleSettings> SelectivityService::SetSampleRates(const core::Principal& actor,
                                                          const boost::json::object& body) {
    if (!CanManage(actor)) return Fail(ManageDenied());
    core::FieldErrors errors;
    auto rate = [&](std::string_view name) -> std::optional<std::int64_t> {
        const auto* v = body.if_contains(name);
        const std::string pointer = fmt::format("/{}", name);
        if (v == nullptr) {
            errors.Add(pointer, "required", fmt::format("{} is required (parts per million, 10000 = 1 %)", name));
            return std::nullopt;
        }
        if (!v->is_int64() && !v->is_uint64()) {
            errors.Add(pointer, "type", fmt::format("{} must be an integer number of parts per million", name));
            return std::nullopt;
        }
        const std::int64_t x = v->is_int64() ? v->as_int64() : static_cast<std::int64_t>(std::min<std::uint64_t>(v->as_uint64(), kPpm + 1));
        if (x < 0 || x > static_cast<std::int64_t>(kPpm)) {
            errors.Add(pointer, "range", fmt::format("{} must be between 0 and 1000000", name));
            return std::nullopt;
        }
        return x;
    };
    for (const auto& [k, v] : body) {
        if (k != "red_ppm" && k != "yellow_ppm" && k != "sample_key") {
            errors.Add(fmt::format("/{}", std::string_view(k)), "unknown", "Unknown field.");
        }
    }
    auto red = rate("red_ppm");
    auto yellow = rate("yellow_ppm");
    if (red && yellow && *red + *yellow > static_cast<std::int64_t>(kPpm)) {
        errors.Add("/yellow_ppm", "range", "red_ppm + yellow_ppm must not exceed 1000000 (100 %)");
    }
    std::optional<std::uint64_t> key;
    if (const auto* k = body.if_contains("sample_key")) {
        std::uint64_t parsed = 0;
        const bool ok = k->is_string() && !k->as_string().empty() && [&] {
            const auto& s = k->as_string();
            auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), parsed);
            return ec == std::errc{} && ptr == s.data() + s.size();
        }();
        if (!ok) errors.Add("/sample_key", "format", "sample_key must be a decimal unsigned 64-bit integer as a string");
        else key = parsed;
    }
    if (auto r = errors.ToResult(); !r) return Fail(std::move(r.error()));
    const auto now = clock_.Now();
    auto result = storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<SampleSettings> {
        auto before = LoadSampleSettings(tx);
        if (!before) return Fail(std::move(before.error()));
        const std::uint64_t new_key = key ? *key : before->rates.key;
        if (before->version == 0) {
            auto r = tx.Execute(kInsertSettings, {*red, *yellow, static_cast<std::int64_t>(new_key), actor.username,
                                                  core::FormatTimestamp(now)});
            if (!r) return Fail(std::move(r.error()));
        } else {
            auto r = tx.Execute(kUpdateSettings, {*red, *yellow, static_cast<std::int64_t>(new_key), actor.username,
                                                  core::FormatTimestamp(now)});
            if (!r) return Fail(std::move(r.error()));
        }
        history::ChangeRecord rec;
        rec.entity_type = "selectivity_settings";
        rec.entity_id = 1;
        rec.action = history::ChangeAction::kUpdate;
        if (before->rates.red_ppm != *red) rec.changes.push_back({"red_ppm", before->rates.red_ppm, *red});
        if (before->rates.yellow_ppm != *yellow)
            rec.changes.push_back({"yellow_ppm", before->rates.yellow_ppm, *yellow});
        if (key && *key != before->rates.key) rec.changes.push_back({"sample_key", "(secret)", "(changed)"});
        if (!rec.changes.empty()) {
            auto h = history::RecordChange(tx, actor, now, rec);
            if (!h) return Fail(std::move(h.error()));
        }
        return LoadSampleSettings(tx);
    });
    if (result) {
        std::lock_guard lock(mutex_);
        settings_.reset();
    }
    return result;
}

Result<ProfilesView> SelectivityService::Profiles(const core::Principal& actor) {
    if (!CanManage(actor)) return Fail(ManageDenied());
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<ProfilesView> {
        auto set = ActiveProfiles(tx);
        if (!set) return Fail(std::move(set.error()));
        ProfilesView view;
        view.rejected = (*set)->rejected();
        for (auto& s : (*set)->Summaries()) {
            ProfileReport rep;
            auto row = tx.QueryOne(kProfileStats, {s.key, s.version});
            if (!row) return Fail(std::move(row.error()));
            if (*row) {
                rep.hits = (*row)->GetInt(0);
                rep.decisive_hits = (*row)->GetInt(1);
                rep.controls = (*row)->GetInt(2);
                rep.findings = (*row)->GetInt(3);
            }
            rep.profile = std::move(s);
            view.active.push_back(std::move(rep));
        }
        std::sort(view.active.begin(), view.active.end(),
                  [](const auto& a, const auto& b) { return a.profile.key < b.profile.key; });
        return view;
    });
}

Result<Decision> SelectivityService::DryRun(const core::Principal& actor, const boost::json::object& body) {
    if (!CanManage(actor)) return Fail(ManageDenied());
    auto subject = SubjectFromJson(body);
    if (!subject) return Fail(std::move(subject.error()));
    if (subject->assessed_at == core::Timestamp{}) subject->assessed_at = clock_.Now();
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<Decision> {
        auto set = ActiveProfiles(tx);
        if (!set) return Fail(std::move(set.error()));
        auto settings = LoadSampleSettings(tx);
        if (!settings) return Fail(std::move(settings.error()));
        return (*set)->Evaluate(*subject, settings->rates);
    });
}

boost::json::object ToJson(const SampleSettings& s) {
    return {{"red_ppm", s.rates.red_ppm},
            {"yellow_ppm", s.rates.yellow_ppm},
            {"red_percent", fmt::format("{}", rules::Decimal::Div(rules::Decimal::FromInt(s.rates.red_ppm),
                                                                  rules::Decimal::FromInt(10000))
                                                  ->ToString())},
            {"yellow_percent", fmt::format("{}", rules::Decimal::Div(rules::Decimal::FromInt(s.rates.yellow_ppm),
                                                                     rules::Decimal::FromInt(10000))
                                                     ->ToString())},
            {"version", s.version},
            {"updated_by", s.updated_by},
            {"updated_at", s.updated_at ? boost::json::value(core::FormatTimestamp(*s.updated_at))
                                        : boost::json::value(nullptr)}};
}

boost::json::object ToJson(const ProfilesView& v) {
    boost::json::array active;
    for (const auto& r : v.active) {
        boost::json::array decisions;
        for (const auto& d : r.profile.decisions) decisions.push_back(boost::json::value(d));
        boost::json::value hit_rate = nullptr;
        if (r.controls > 0) {
            hit_rate = rules::Decimal::Div(rules::Decimal::FromInt(r.findings), rules::Decimal::FromInt(r.controls))
                           ->Round(4, rules::RoundingMode::kHalfEven)
                           ->ToString();
        }
        active.push_back(boost::json::object{{"key", r.profile.key},
                                             {"version", r.profile.version},
                                             {"name", r.profile.name},
                                             {"decisions", std::move(decisions)},
                                             {"item_level", r.profile.item_level},
                                             {"rules", r.profile.rules},
                                             {"hits", r.hits},
                                             {"decisive_hits", r.decisive_hits},
                                             {"controls", r.controls},
                                             {"findings", r.findings},
                                             {"hit_rate", std::move(hit_rate)}});
    }
    boost::json::array rejected;
    for (const auto& r : v.rejected)
        rejected.push_back(boost::json::object{{"key", r.key}, {"version", r.version}, {"reason", r.reason}});
    return {{"items", std::move(active)}, {"rejected", std::move(rejected)}};
}

}  // namespace customsdesk::selectivity
