#include "customsdesk/servicedesk/sla_integration.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "customsdesk/core/json.hpp"
#include "customsdesk/servicedesk/store.hpp"
#include "customsdesk/sla/evaluation.hpp"
#include "customsdesk/sla/sla_service.hpp"

namespace customsdesk::servicedesk {

using core::Error;
using core::Fail;
using core::Result;

namespace {

constexpr sla::Metric kMetrics[] = {sla::Metric::kFirstResponse, sla::Metric::kNextResponse, sla::Metric::kResolution};

// Severity order for the overall state (worst first).
constexpr std::string_view kSeverity[] = {"breached", "warning", "paused", "on_track", "met", "not_applicable"};
int Severity(std::string_view s) {
    for (std::size_t i = 0; i < std::size(kSeverity); ++i)
        if (kSeverity[i] == s) return static_cast<int>(i);
    return static_cast<int>(std::size(kSeverity));
}

std::string Ts(core::Timestamp t) { return core::FormatTimestamp(t); }
boost::json::value OptTs(const std::optional<core::Timestamp>& t) {
    return t ? boost::json::value(core::FormatTimestamp(*t)) : nullptr;
}

std::vector<sla::SlaEvent> ParseEvents(const std::string& text) {
    std::vector<sla::SlaEvent> out;
    auto v = core::ParseJson(text);
    if (!v || !v->is_array()) return out;
    for (const auto& e : v->as_array()) {
        if (!e.is_object()) continue;
        const auto& o = e.as_object();
        const auto* at = o.if_contains("at");
        const auto* kind = o.if_contains("kind");
        if (!at || !kind || !at->is_string() || !kind->is_string()) continue;
        auto t = core::ParseTimestamp(at->as_string());
        auto k = sla::ParseEventKind(kind->as_string());
        if (!t || !k) continue;
        sla::SlaEvent ev{*t, *k, {}};
        if (const auto* s = o.if_contains("status"); s && s->is_string()) ev.status = std::string(s->as_string());
        out.push_back(std::move(ev));
    }
    return out;
}

std::string EventsJson(const std::vector<sla::SlaEvent>& events) {
    boost::json::array a;
    for (const auto& e : events) {
        boost::json::object o{{"at", Ts(e.at)}, {"kind", sla::EventKindName(e.kind)}};
        if (e.kind == sla::EventKind::kStatusChanged) o["status"] = e.status;
        a.push_back(std::move(o));
    }
    return boost::json::serialize(a);
}

std::set<std::string> ParseMarkers(const std::string& text) {
    std::set<std::string> out;
    auto v = core::ParseJson(text);
    if (v && v->is_array())
        for (const auto& m : v->as_array())
            if (m.is_string()) out.emplace(m.as_string());
    return out;
}

std::string MarkersJson(const std::set<std::string>& markers) {
    boost::json::array a;
    for (const auto& m : markers) a.emplace_back(m);
    return boost::json::serialize(a);
}

std::string Marker(sla::Metric m, std::string_view what, const sla::MetricEvaluation& e) {
    return fmt::format("{}:{}:{}", sla::MetricName(m), what, e.started_at ? Ts(*e.started_at) : "");
}

// What is stored per request after an evaluation.
struct Stored {
    std::string state;        // overall
    std::string json;         // sla_json
    std::string due_at;       // queue order
    std::optional<std::string> next_check;
};

Stored Summarise(const sla::PolicyRecord& policy, const sla::SlaEvaluation& ev) {
    boost::json::object metrics;
    std::string overall = "not_applicable";
    std::optional<core::Timestamp> due;
    for (auto m : kMetrics) {
        const auto& e = ev.Get(m);
        const std::string state(sla::SlaStateName(e.state));
        metrics[sla::MetricName(m)] = boost::json::object{{"state", state},
                                                          {"due_at", OptTs(e.due)},
                                                          {"warning_at", OptTs(e.warning_at)},
                                                          {"started_at", OptTs(e.started_at)},
                                                          {"completed_at", OptTs(e.completed_at)},
                                                          {"elapsed_seconds", e.elapsed_seconds},
                                                          {"breached_cycles", e.breached_cycles}};
        if (Severity(state) < Severity(overall)) overall = state;
        const bool open = e.state == sla::SlaState::kOnTrack || e.state == sla::SlaState::kWarning ||
                          (e.state == sla::SlaState::kBreached && !e.completed_at);
        if (open && e.due && (!due || *e.due < *due)) due = e.due;
    }
    Stored s;
    s.state = overall;
    s.json = boost::json::serialize(boost::json::object{
        {"policy_id", policy.id.value()}, {"policy_name", policy.name}, {"metrics", std::move(metrics)}});
    s.due_at = due ? Ts(*due) : std::string(kNoDue);
    if (ev.next_check) s.next_check = Ts(*ev.next_check);
    return s;
}

// The stored metrics brought up to `now` (running metrics turn warning and breached as time passes).
boost::json::object Live(const std::string& json, core::Timestamp now) {
    auto v = core::ParseJsonObject(json);
    if (!v) return {};
    boost::json::object out = std::move(*v);
    std::string overall = "not_applicable";
    std::optional<std::string> due;
    const std::string now_text = Ts(now);
    if (auto* metrics = out.if_contains("metrics"); metrics && metrics->is_object()) {
        for (auto& kv : metrics->as_object()) {
            if (!kv.value().is_object()) continue;
            auto& m = kv.value().as_object();
            std::string state(m["state"].is_string() ? m["state"].as_string() : "not_applicable");
            const auto* d = m.if_contains("due_at");
            const auto* w = m.if_contains("warning_at");
            const bool running = state == "on_track" || state == "warning";
            if (running && d && d->is_string() && std::string_view(d->as_string()) <= now_text) state = "breached";
            else if (state == "on_track" && w && w->is_string() && std::string_view(w->as_string()) <= now_text)
                state = "warning";
            m["state"] = state;
            if (Severity(state) < Severity(overall)) overall = state;
            const bool open = running || (state == "breached" && m["completed_at"].is_null());
            if (open && d && d->is_string() && (!due || std::string(d->as_string()) < *due))
                due = std::string(d->as_string());
        }
    }
    out["state"] = overall;
    out["due_at"] = due ? boost::json::value(*due) : nullptr;
    return out;
}

// A policy and its calendar, from a snapshot (which the caller keeps alive).
struct PolicyContext {
    const sla::PolicyRecord* policy = nullptr;
    const sla::BusinessCalendar* calendar = nullptr;
};

Result<PolicyContext> ContextOf(const sla::PolicySnapshot& snapshot, std::int64_t policy_id) {
    const auto* policy = snapshot.Policy(sla::PolicyId(policy_id));
    if (policy == nullptr) return Fail(Error::NotFound(fmt::format("There is no SLA policy {}.", policy_id)));
    auto calendar = snapshot.Calendar(policy->calendar_id);
    if (!calendar) return Fail(std::move(calendar.error()));
    return PolicyContext{policy, *calendar};
}

Result<std::optional<std::string>> CustomerGroupOf(storage::Transaction& tx, core::OrganisationId org) {
    auto row = tx.QueryOne("SELECT customer_group FROM organisations WHERE id = $1", {org.value()});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<std::string>{};
    return (*row)->GetOptText(0);
}

// True when a metric is warned or breached and not yet raised (the sweep should look now).
bool Unraised(const sla::SlaEvaluation& ev, const std::set<std::string>& raised) {
    for (auto m : kMetrics) {
        const auto& e = ev.Get(m);
        if (e.completed_at) continue;
        if (e.state == sla::SlaState::kWarning && !raised.contains(Marker(m, "warning", e))) return true;
        if (e.state == sla::SlaState::kBreached && !raised.contains(Marker(m, "breach", e))) return true;
    }
    return false;
}

}  // namespace

SlaIntegration::SlaIntegration(storage::Database& db, const core::Clock& clock, ServiceDeskService& desk)
    : db_(db), clock_(clock), desk_(desk) {
    desk_.SetObserver(this);
}

SlaIntegration::~SlaIntegration() {
    Stop();
    desk_.SetObserver(nullptr);
}

Result<void> SlaIntegration::PrepareNew(storage::Transaction& tx, ServiceRequest& r,
                                        const std::optional<std::string>& customer_group, core::Timestamp now) {
    const std::vector<sla::SlaEvent> events{sla::SlaEvent{now, sla::EventKind::kCreated, {}}};
    r.sla_events = EventsJson(events);
    r.sla_raised = "[]";
    r.sla_policy_id.reset();
    r.sla_state.reset();
    r.sla_json.reset();
    r.sla_next_check.reset();
    r.due_at = std::string(kNoDue);
    auto snapshot = policies_.Current(tx);
    if (!snapshot) return Fail(std::move(snapshot.error()));
    const auto* policy = (*snapshot)->Select(customer_group.value_or(""), r.type, PriorityName(r.priority));
    if (policy == nullptr) return {};
    auto calendar = (*snapshot)->Calendar(policy->calendar_id);
    if (!calendar) return Fail(std::move(calendar.error()));
    auto ev = sla::EvaluateSla(**calendar, policy->targets, events, now);
    if (!ev) return Fail(Error::Internal("SLA evaluation failed: " + ev.error().message));
    Stored stored = Summarise(*policy, *ev);
    r.sla_policy_id = policy->id.value();
    r.sla_state = stored.state;
    r.sla_json = stored.json;
    r.due_at = stored.due_at;
    r.sla_next_check = stored.next_check;
    // Something already warned or breached (e.g. a zero target): let the sweep raise it now.
    if (Unraised(*ev, {})) r.sla_next_check = Ts(now);
    return {};
}

Result<void> SlaIntegration::OnEvent(storage::Transaction& tx, const ServiceRequest& request, std::string_view event,
                                     core::Timestamp now) {
    // The current row (the observer may be called several times in one transaction).
    auto loaded = detail::LoadRequest(tx, core::AccessScope{}, request.id);
    if (!loaded) return Fail(std::move(loaded.error()));
    if (!*loaded) return Fail(Error::Internal("a request being changed is missing"));
    const ServiceRequest& r = **loaded;
    auto events = ParseEvents(r.sla_events);
    std::optional<std::int64_t> policy_id = r.sla_policy_id;
    if (event == "reply_agent") {
        events.push_back({now, sla::EventKind::kAgentReply, {}});
    } else if (event == "reply_customer") {
        events.push_back({now, sla::EventKind::kCustomerReply, {}});
    } else if (event == "status") {
        events.push_back({now, sla::EventKind::kStatusChanged, std::string(StatusName(r.status))});
    } else if (event != "priority" && event != "type") {
        return {};  // assignment and escalation do not change the clocks
    }
    if (events.empty()) events.push_back({r.created_at, sla::EventKind::kCreated, {}});
    auto snapshot = policies_.Current(tx);
    if (!snapshot) return Fail(std::move(snapshot.error()));
    if (event == "priority" || event == "type") {
        auto group = CustomerGroupOf(tx, r.organisation);
        if (!group) return Fail(std::move(group.error()));
        const auto* policy = (*snapshot)->Select(group->value_or(""), r.type, PriorityName(r.priority));
        policy_id.reset();
        if (policy != nullptr) policy_id = policy->id.value();
    }
    Stored stored{"", "", std::string(kNoDue), std::nullopt};
    std::optional<std::string> state;
    std::optional<std::string> json;
    if (policy_id) {
        auto ctx = ContextOf(**snapshot, *policy_id);
        if (!ctx) return Fail(std::move(ctx.error()));
        auto ev = sla::EvaluateSla(*ctx->calendar, ctx->policy->targets, events, now);
        if (!ev) return Fail(Error::Internal("SLA evaluation failed: " + ev.error().message));
        stored = Summarise(*ctx->policy, *ev);
        state = stored.state;
        json = stored.json;
        // Something already warned or breached (e.g. a reopen): let the sweep raise it now.
        if (Unraised(*ev, ParseMarkers(r.sla_raised))) stored.next_check = Ts(now);
    }
    auto n = tx.Execute(
        "UPDATE sd_requests SET sla_policy_id = $1, sla_events = $2, sla_state = $3, sla_json = $4, due_at = $5, "
        "sla_next_check = $6 WHERE id = $7",
        {policy_id ? storage::Param(*policy_id) : storage::Null(), EventsJson(events), storage::Opt(state),
         storage::Opt(json), stored.due_at, storage::Opt(stored.next_check), r.id.value()});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<void> SlaIntegration::Decorate(storage::Transaction&, std::vector<ServiceRequest*> requests) {
    const auto now = clock_.Now();
    for (auto* r : requests) {
        if (!r->sla_json) continue;
        r->extra["sla"] = Live(*r->sla_json, now);
    }
    return {};
}

std::optional<std::string> SlaIntegration::SlaStateCondition(std::string_view state) const {
    const std::string now = Ts(clock_.Now());
    if (state == "breached") {
        return fmt::format("(r.sla_state = 'breached' OR (r.sla_state IN ('on_track', 'warning') AND r.due_at <= '{}'))",
                           now);
    }
    if (state == "warning" || state == "on_track") {
        return fmt::format("(r.sla_state = '{}' AND r.due_at > '{}')", state, now);
    }
    if (state == "paused" || state == "met" || state == "not_applicable") {
        return fmt::format("r.sla_state = '{}'", state);
    }
    if (state == "none") return std::string("r.sla_state IS NULL");
    return std::nullopt;
}

namespace {

// What a sweep decided for one due request (computed outside the write transaction).
struct SweepPlan {
    ServiceRequest current;  // as read; the claim compares version, sla_raised and sla_next_check
    Stored stored;
    std::optional<std::string> state, json;
    std::string raised;  // the new markers
    std::vector<std::pair<sla::Metric, std::string>> fired;  // (metric, "warning" | "breach")
    struct Mail {
        std::string kind, address, subject, text;
    };
    std::vector<Mail> mails;
    std::vector<std::string> notes;
    ServiceRequest next;  // with the escalations' priority, tier and group
    bool escalated = false;
};

}  // namespace

Result<SlaIntegration::SweepReport> SlaIntegration::SweepOnce(core::Timestamp now, int batch) {
    const std::string now_text = Ts(now);
    // 1. Read and decide in a read transaction: the due requests (next-check index, oldest first),
    //    the policies and calendars once, the evaluations, the markers, notes and escalations.
    auto plans = storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<std::vector<SweepPlan>> {
        auto due = tx.Query(
            "SELECT id FROM sd_requests WHERE sla_next_check IS NOT NULL AND sla_next_check <= $1 "
            "ORDER BY sla_next_check LIMIT $2",
            {now_text, static_cast<std::int64_t>(std::clamp(batch, 1, 10000))});
        if (!due) return Fail(std::move(due.error()));
        std::vector<SweepPlan> out;
        if (due->rows.empty()) return out;
        std::string in;
        std::vector<storage::Param> params;
        for (const auto& row : due->rows) {
            params.emplace_back(row.GetInt(0));
            in += fmt::format("{}${}", in.empty() ? "" : ", ", params.size());
        }
        auto rows = tx.Query(std::string(detail::kRequestSelect) + " AND r.id IN (" + in + ") ORDER BY r.id", params);
        if (!rows) return Fail(std::move(rows.error()));
        auto snapshot = policies_.Current(tx);
        if (!snapshot) return Fail(std::move(snapshot.error()));
        std::optional<std::vector<ServiceGroup>> groups;  // loaded when an escalation moves a request
        for (const auto& row : rows->rows) {
            SweepPlan plan;
            plan.current = detail::RequestFromRow(row);
            const ServiceRequest& current = plan.current;
            if (!current.sla_next_check || *current.sla_next_check > now_text) continue;  // moved meanwhile
            std::set<std::string> raised = ParseMarkers(current.sla_raised);
            plan.stored = Stored{"", "", std::string(kNoDue), std::nullopt};
            std::optional<PolicyContext> ctx;
            if (current.sla_policy_id) {
                auto c = ContextOf(**snapshot, *current.sla_policy_id);
                if (!c) return Fail(std::move(c.error()));
                ctx = *c;
                const auto events = ParseEvents(current.sla_events);
                auto ev = sla::EvaluateSla(*ctx->calendar, ctx->policy->targets, events, now);
                if (!ev) return Fail(Error::Internal("SLA evaluation failed: " + ev.error().message));
                plan.stored = Summarise(*ctx->policy, *ev);
                plan.state = plan.stored.state;
                plan.json = plan.stored.json;
                for (auto m : kMetrics) {
                    const auto& e = ev->Get(m);
                    if (e.completed_at) continue;
                    const std::string warn = Marker(m, "warning", e);
                    const std::string breach = Marker(m, "breach", e);
                    if (e.state == sla::SlaState::kBreached) {
                        if (raised.insert(breach).second) plan.fired.emplace_back(m, "breach");
                        raised.insert(warn);  // a late sweep does not send a stale warning
                    } else if (e.state == sla::SlaState::kWarning) {
                        if (raised.insert(warn).second) plan.fired.emplace_back(m, "warning");
                    }
                }
            }
            plan.raised = MarkersJson(raised);
            plan.next = current;
            if (ctx) {
                const auto& policy = *ctx->policy;
                ServiceRequest& next = plan.next;
                for (const auto& [metric, what] : plan.fired) {
                    for (const auto& esc : policy.escalations) {
                        if (esc.on != what) continue;
                        if (esc.metric != "any" && esc.metric != sla::MetricName(metric)) continue;
                        const std::string label =
                            fmt::format("SLA {} ({}, policy {})", what, sla::MetricName(metric), policy.name);
                        if (esc.action == "notify") {
                            plan.notes.push_back(
                                fmt::format("{}: notify {}", label, esc.target.empty() ? "assignee" : esc.target));
                            std::optional<std::string> address;
                            if (esc.target == "requester") address = current.requester_email;
                            else if (IsEmailAddress(esc.target)) address = esc.target;
                            if (address && !address->empty()) {
                                plan.mails.push_back({what == "breach" ? "sla_breach" : "sla_warning", *address,
                                                      fmt::format("[{}] {}", current.number, label),
                                                      fmt::format("{}\n{}: {}", label, current.number, current.subject)});
                            }
                        } else if (esc.action == "raise_priority") {
                            next.priority = RaisedPriority(next.priority);
                            plan.notes.push_back(fmt::format("{}: priority {}", label, PriorityName(next.priority)));
                        } else if (esc.action == "move_tier" || esc.action == "move_group") {
                            if (!groups) {
                                auto g = detail::LoadGroups(tx);
                                if (!g) return Fail(std::move(g.error()));
                                groups = std::move(*g);
                            }
                            const ServiceGroup* target = nullptr;
                            if (esc.action == "move_group") {
                                for (const auto& g : *groups)
                                    if (g.key == esc.target) target = &g;
                            } else {
                                auto tier = esc.target.empty() ? NextTier(next.tier) : ParseTier(esc.target);
                                for (const auto& g : *groups)
                                    if (tier && g.tier == *tier && g.tier_default) target = &g;
                            }
                            if (target == nullptr) {
                                plan.notes.push_back(
                                    fmt::format("{}: {} '{}' not possible", label, esc.action, esc.target));
                                continue;
                            }
                            next.tier = target->tier;
                            next.group = target->key;
                            next.assignee_id.reset();
                            plan.notes.push_back(
                                fmt::format("{}: moved to {} ({})", label, target->key, TierName(target->tier)));
                        }
                    }
                }
                plan.escalated = next.priority != current.priority || next.tier != current.tier ||
                                 next.group != current.group;
            }
            out.push_back(std::move(plan));
        }
        return out;
    });
    if (!plans) return Fail(std::move(plans.error()));
    if (plans->empty()) return SweepReport{};
    // 2. One write transaction with the writes only. Each request is claimed by a compare-and-set on
    //    what was read (version, sla_raised, sla_next_check): if anything changed it meanwhile (another
    //    sweeper, an event), the claim misses and the request is left for the next round.
    const core::Principal system = core::Principal::System();
    auto done = storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<SweepReport> {
        SweepReport rep;
        std::vector<history::ChangeRecord> records;
        std::vector<std::pair<const SweepPlan*, const std::string*>> notes;
        for (const auto& plan : *plans) {
            const ServiceRequest& current = plan.current;
            auto claim = tx.Execute(
                "UPDATE sd_requests SET sla_state = $1, sla_json = $2, due_at = $3, sla_next_check = $4, "
                "sla_raised = $5 WHERE id = $6 AND version = $7 AND sla_raised = $8 AND sla_next_check = $9",
                {storage::Opt(plan.state), storage::Opt(plan.json), plan.stored.due_at,
                 storage::Opt(plan.stored.next_check), plan.raised, current.id.value(), current.version,
                 current.sla_raised, *current.sla_next_check});
            if (!claim) return Fail(std::move(claim.error()));
            if (*claim != 1) {
                ++rep.skipped;
                continue;
            }
            ++rep.examined;
            for (const auto& [metric, what] : plan.fired) {
                (what == "breach" ? rep.breaches : rep.warnings) += 1;
                records.push_back({"service_request_note", current.id.value(), current.organisation.value(),
                                   history::ChangeAction::kUpdate,
                                   {{"sla_" + what, nullptr, boost::json::value(sla::MetricName(metric))}}});
            }
            rep.actions += static_cast<int>(plan.notes.size());
            for (const auto& mail : plan.mails) {
                if (auto n = desk_.NotifyAddress(tx, current, mail.kind, mail.address, mail.subject, mail.text, now);
                    !n)
                    return Fail(std::move(n.error()));
            }
            if (plan.escalated) {
                // The claim did not change the version; write the escalation with history.
                ServiceRequest next = plan.next;
                if (auto s = desk_.SaveForSystem(tx, current, next, now, system); !s) return Fail(std::move(s.error()));
            }
            for (const auto& text : plan.notes) notes.emplace_back(&plan, &text);
        }
        if (auto h = history::RecordChanges(tx, system, now, records); !h) return Fail(std::move(h.error()));
        // The notes, many rows per statement.
        constexpr std::size_t kRowsPerStatement = 100;
        for (std::size_t first = 0; first < notes.size(); first += kRowsPerStatement) {
            const std::size_t count = std::min(kRowsPerStatement, notes.size() - first);
            std::string sql =
                "INSERT INTO sd_messages (request_id, organisation_id, kind, direction, channel, author_name, body, "
                "created_at) VALUES ";
            std::vector<storage::Param> params;
            for (std::size_t i = 0; i < count; ++i) {
                const auto& [plan, text] = notes[first + i];
                const std::size_t b = params.size();
                sql += fmt::format("{}(${}, ${}, 'note', 'agent', 'portal', 'System (SLA)', ${}, ${})", i ? ", " : "",
                                   b + 1, b + 2, b + 3, b + 4);
                params.insert(params.end(), {plan->current.id.value(), plan->current.organisation.value(), *text,
                                             now_text});
            }
            auto m = tx.Execute(sql, params);
            if (!m) return Fail(std::move(m.error()));
        }
        return rep;
    });
    if (!done) return Fail(std::move(done.error()));
    return *done;
}

void SlaIntegration::Start(std::chrono::milliseconds interval) {
    {
        std::lock_guard lock(mutex_);
        stopping_ = false;
    }
    thread_ = std::thread([this, interval] {
        std::unique_lock lock(mutex_);
        while (!stopping_) {
            lock.unlock();
            // Drain: a full batch means there may be more due right now.
            for (int round = 0; round < 100; ++round) {
                const auto started = std::chrono::steady_clock::now();
                auto r = SweepOnce(clock_.Now());
                const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started);
                if (!r) {
                    spdlog::warn("event=sla_sweep_failed error=\"{}\"", r.error().message);
                    break;
                }
                if (r->examined + r->skipped > 0) {
                    spdlog::info("event=sla_sweep examined={} warnings={} breaches={} actions={} skipped={} ms={:.1f}",
                                 r->examined, r->warnings, r->breaches, r->actions, r->skipped, ms.count());
                } else {
                    spdlog::debug("event=sla_sweep examined=0 ms={:.1f}", ms.count());
                }
                if (r->examined + r->skipped < kDefaultSweepBatch) break;
            }
            lock.lock();
            wake_.wait_for(lock, interval, [this] { return stopping_; });
        }
    });
}

void SlaIntegration::Stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

}  // namespace customsdesk::servicedesk
