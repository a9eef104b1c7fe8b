#include "customsdesk/sla/evaluation.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

namespace customsdesk::sla {

namespace {

struct PhaseChange {
    Timestamp at;
    ClockPhase phase;
};

// The clock phases over time, from the created instant on.
class PhaseTimeline {
public:
    void Set(Timestamp at, ClockPhase phase) {
        if (!changes_.empty() && changes_.back().phase == phase) return;
        if (!changes_.empty() && changes_.back().at == at) {
            changes_.back().phase = phase;
            if (changes_.size() > 1 && changes_[changes_.size() - 2].phase == phase) changes_.pop_back();
            return;
        }
        changes_.push_back({at, phase});
    }
    [[nodiscard]] ClockPhase Current() const { return changes_.empty() ? ClockPhase::kRunning : changes_.back().phase; }

    // Running sub-intervals of [from, to).
    [[nodiscard]] std::vector<Interval> Running(Timestamp from, Timestamp to) const {
        std::vector<Interval> out;
        for (std::size_t i = 0; i < changes_.size(); ++i) {
            if (changes_[i].phase != ClockPhase::kRunning) continue;
            const Timestamp s = std::max(changes_[i].at, from);
            const Timestamp e = i + 1 < changes_.size() ? std::min(changes_[i + 1].at, to) : to;
            if (s < e) out.push_back({s, e});
        }
        return out;
    }

private:
    std::vector<PhaseChange> changes_;
};

struct Cycle {
    Timestamp start;
    std::optional<Timestamp> completed;
};

class MetricCalculator {
public:
    MetricCalculator(const BusinessCalendar& calendar, const PhaseTimeline& phases, const WarningThreshold& warning,
                     Timestamp now)
        : calendar_(calendar), phases_(phases), warning_(warning), now_(now) {}

    MetricEvaluation Evaluate(const Cycle& cycle, std::int64_t target_minutes) const {
        MetricEvaluation out;
        out.started_at = cycle.start;
        out.completed_at = cycle.completed;
        const Timestamp limit = cycle.completed.value_or(now_);
        const auto segments = phases_.Running(cycle.start, limit);
        BusinessDuration elapsed{0};
        for (const auto& s : segments) elapsed += calendar_.BusinessTimeBetween(s.start, s.end);
        out.elapsed_seconds = std::chrono::floor<std::chrono::seconds>(elapsed).count();

        const BusinessDuration target = std::chrono::minutes(target_minutes);
        BusinessDuration warn_amount{0};
        if (warning_.kind == WarningThreshold::Kind::kPercentOfTarget)
            warn_amount = target * warning_.value / 100;
        else
            warn_amount = std::max(BusinessDuration{0}, target - std::chrono::minutes(warning_.value));
        out.due = InstantAt(cycle.start, segments, limit, target);
        out.warning_at = InstantAt(cycle.start, segments, limit, warn_amount);

        if (cycle.completed) {
            out.state = (out.due && *cycle.completed <= *out.due) ? SlaState::kMet : SlaState::kBreached;
        } else if (out.due && *out.due <= now_) {
            out.state = SlaState::kBreached;
        } else if (phases_.Current() != ClockPhase::kRunning) {
            out.state = SlaState::kPaused;
        } else if (out.warning_at && *out.warning_at <= now_) {
            out.state = SlaState::kWarning;
        } else {
            out.state = SlaState::kOnTrack;
        }
        return out;
    }

private:
    // The instant at which running business time since `start` reaches `amount`; beyond `limit` the
    // clock is assumed to run from `limit` on.
    std::optional<Timestamp> InstantAt(Timestamp start, const std::vector<Interval>& segments, Timestamp limit,
                                       BusinessDuration amount) const {
        if (amount <= BusinessDuration::zero()) return start;
        BusinessDuration remaining = amount;
        for (const auto& s : segments) {
            const BusinessDuration available = calendar_.BusinessTimeBetween(s.start, s.end);
            if (available >= remaining) return calendar_.AddBusinessTime(s.start, remaining);
            remaining -= available;
        }
        return calendar_.AddBusinessTime(limit, remaining);
    }

    const BusinessCalendar& calendar_;
    const PhaseTimeline& phases_;
    const WarningThreshold& warning_;
    Timestamp now_;
};

}  // namespace

core::Result<void> ValidateTargets(const SlaTargets& targets) {
    core::FieldErrors errors;
    auto check = [&](const std::optional<std::int64_t>& v, std::string_view name) {
        if (v && (*v < 0 || *v > kMaxTargetMinutes))
            errors.Add(fmt::format("/{}", name), "out_of_range",
                       fmt::format("A target is 0..{} business minutes.", kMaxTargetMinutes));
    };
    check(targets.first_response_minutes, "first_response_minutes");
    check(targets.next_response_minutes, "next_response_minutes");
    check(targets.resolution_minutes, "resolution_minutes");
    if (targets.warning.kind == WarningThreshold::Kind::kPercentOfTarget) {
        if (targets.warning.value < 1 || targets.warning.value > 100)
            errors.Add("/warning/value", "out_of_range", "A warning percentage is 1..100.");
    } else if (targets.warning.value < 0 || targets.warning.value > kMaxTargetMinutes) {
        errors.Add("/warning/value", "out_of_range", "Minutes before due must be 0 or more.");
    }
    return errors.ToResult("The SLA targets have invalid fields.");
}

std::string_view EventKindName(EventKind kind) {
    switch (kind) {
        case EventKind::kCreated: return "created";
        case EventKind::kAgentReply: return "agent_reply";
        case EventKind::kCustomerReply: return "customer_reply";
        case EventKind::kStatusChanged: return "status";
    }
    return "created";
}

std::optional<EventKind> ParseEventKind(std::string_view name) {
    for (auto k : {EventKind::kCreated, EventKind::kAgentReply, EventKind::kCustomerReply, EventKind::kStatusChanged})
        if (EventKindName(k) == name) return k;
    return std::nullopt;
}

std::optional<ClockPhase> PhaseOfStatus(std::string_view status) {
    if (status == "new" || status == "open" || status == "pending_third_party") return ClockPhase::kRunning;
    if (status == "pending_customer") return ClockPhase::kPaused;
    if (status == "resolved" || status == "closed") return ClockPhase::kStopped;
    return std::nullopt;
}

std::string_view SlaStateName(SlaState state) {
    switch (state) {
        case SlaState::kNotApplicable: return "not_applicable";
        case SlaState::kOnTrack: return "on_track";
        case SlaState::kWarning: return "warning";
        case SlaState::kPaused: return "paused";
        case SlaState::kBreached: return "breached";
        case SlaState::kMet: return "met";
    }
    return "not_applicable";
}

std::string_view MetricName(Metric metric) {
    switch (metric) {
        case Metric::kFirstResponse: return "first_response";
        case Metric::kNextResponse: return "next_response";
        case Metric::kResolution: return "resolution";
    }
    return "first_response";
}

const MetricEvaluation& SlaEvaluation::Get(Metric m) const {
    switch (m) {
        case Metric::kFirstResponse: return first_response;
        case Metric::kNextResponse: return next_response;
        case Metric::kResolution: return resolution;
    }
    return first_response;
}

core::Result<SlaEvaluation> EvaluateSla(const BusinessCalendar& calendar, const SlaTargets& targets,
                                        std::span<const SlaEvent> events, Timestamp now) {
    if (auto ok = ValidateTargets(targets); !ok) return core::Fail(ok.error());
    std::vector<const SlaEvent*> ordered;
    for (const auto& e : events)
        if (e.at <= now) ordered.push_back(&e);
    std::stable_sort(ordered.begin(), ordered.end(), [](const SlaEvent* l, const SlaEvent* r) { return l->at < r->at; });
    if (ordered.empty() || ordered.front()->kind != EventKind::kCreated)
        return core::Fail(core::Error::InvalidArgument(
            "The timeline must start with a 'created' event at or before now.",
            {{"/events/0", "created_first", "The first event must be 'created'."}}));

    const Timestamp created = ordered.front()->at;
    PhaseTimeline phases;
    phases.Set(created, ClockPhase::kRunning);
    Cycle first{created, std::nullopt};
    std::vector<Cycle> next_cycles;
    std::optional<Timestamp> resolved_at;
    for (std::size_t i = 1; i < ordered.size(); ++i) {
        const SlaEvent& e = *ordered[i];
        const bool next_open = !next_cycles.empty() && !next_cycles.back().completed;
        switch (e.kind) {
            case EventKind::kCreated:
                return core::Fail(core::Error::InvalidArgument(
                    "A timeline has one 'created' event.", {{"/events", "duplicate_created", "Only one 'created'."}}));
            case EventKind::kAgentReply:
                if (!first.completed) first.completed = e.at;
                else if (next_open) next_cycles.back().completed = e.at;
                break;
            case EventKind::kCustomerReply:
                if (phases.Current() == ClockPhase::kPaused) phases.Set(e.at, ClockPhase::kRunning);
                if (first.completed && !next_open) next_cycles.push_back({e.at, std::nullopt});
                break;
            case EventKind::kStatusChanged: {
                auto phase = PhaseOfStatus(e.status);
                if (!phase)
                    return core::Fail(core::Error::InvalidArgument(
                        fmt::format("Unknown request status '{}'.", e.status),
                        {{"/events", "unknown_status", fmt::format("Unknown status '{}'.", e.status)}}));
                const bool was_stopped = phases.Current() == ClockPhase::kStopped;
                phases.Set(e.at, *phase);
                if (*phase == ClockPhase::kStopped) {
                    if (!was_stopped) resolved_at = e.at;
                    if (!first.completed) first.completed = e.at;
                    if (next_open) next_cycles.back().completed = e.at;
                } else {
                    resolved_at.reset();
                }
                break;
            }
        }
    }

    MetricCalculator calc(calendar, phases, targets.warning, now);
    SlaEvaluation out;
    if (targets.first_response_minutes) out.first_response = calc.Evaluate(first, *targets.first_response_minutes);
    if (targets.resolution_minutes)
        out.resolution = calc.Evaluate(Cycle{created, resolved_at}, *targets.resolution_minutes);
    if (targets.next_response_minutes && !next_cycles.empty()) {
        int breached = 0;
        for (const auto& c : next_cycles) {
            auto m = calc.Evaluate(c, *targets.next_response_minutes);
            if (m.state == SlaState::kBreached) ++breached;
            out.next_response = m;
        }
        out.next_response.breached_cycles = breached;
    }
    for (const MetricEvaluation* m : {&out.first_response, &out.next_response, &out.resolution}) {
        std::optional<Timestamp> at;
        if (m->state == SlaState::kOnTrack)
            at = (m->warning_at && *m->warning_at > now) ? m->warning_at : m->due;
        else if (m->state == SlaState::kWarning)
            at = m->due;
        if (at && *at > now && (!out.next_check || *at < *out.next_check)) out.next_check = at;
    }
    return out;
}

}  // namespace customsdesk::sla
