// SLA evaluation: from a request's event timeline, a policy's targets and "now", the due time,
// warning time and state of each metric (pure: the caller passes `now`; nothing is stored).
//
// Metrics (all measured in business time of one BusinessCalendar):
//   * first_response: from `created` until the first agent public reply.
//   * next_response: after the first agent reply, a customer reply opens a cycle (later customer
//     replies while it is open change nothing: the oldest unanswered reply counts); the next agent
//     reply closes it. The evaluation shows the latest cycle and counts breached cycles.
//   * resolution: from `created` until the request is resolved (status "resolved" or "closed");
//     a reopen continues the same clock (time spent resolved does not count).
// Clock phases, from status changes: "new", "open", "pending_third_party" run; "pending_customer"
// pauses; "resolved", "closed" stop. A customer reply while pending_customer resumes the clock (the
// workflow moves the request back to open). Resolving also completes an open response cycle (the
// resolution is a public answer). Pausing shifts due times by the paused business time: elapsed
// time counts only running business time.
//
// Due/warning: due is the instant at which running business time since the cycle start reaches the
// target; warning is where it reaches the warning threshold (percent of the target, or minutes
// before due). For a completed cycle the times are those of the timeline up to completion; for a
// paused one they are projected as if the clock resumed at `now`.
// State: met (completed at or before due) | breached (due <= now while open, or completed after due)
// | paused (open, pending customer, not yet breached) | warning (warning <= now) | on_track |
// not_applicable (no target, or no next-response cycle yet).
// Thread-safety: free functions over values.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "customsdesk/core/clock.hpp"
#include "customsdesk/core/error.hpp"
#include "customsdesk/sla/calendar.hpp"

namespace customsdesk::sla {

inline constexpr std::int64_t kMaxTargetMinutes = 10LL * 366 * 24 * 60;  // ten years

struct WarningThreshold {
    enum class Kind { kPercentOfTarget, kMinutesBeforeDue };
    Kind kind = Kind::kPercentOfTarget;
    std::int64_t value = 80;  // percent 1..100, or minutes >= 0
    friend bool operator==(const WarningThreshold&, const WarningThreshold&) = default;
};

// Targets in business minutes; an absent target means the metric is not measured.
struct SlaTargets {
    std::optional<std::int64_t> first_response_minutes;
    std::optional<std::int64_t> next_response_minutes;
    std::optional<std::int64_t> resolution_minutes;
    WarningThreshold warning;
    friend bool operator==(const SlaTargets&, const SlaTargets&) = default;
};

// Field errors with pointers /first_response_minutes, /next_response_minutes, /resolution_minutes,
// /warning/value.
core::Result<void> ValidateTargets(const SlaTargets& targets);

enum class EventKind { kCreated, kAgentReply, kCustomerReply, kStatusChanged };

struct SlaEvent {
    Timestamp at;
    EventKind kind = EventKind::kCreated;
    std::string status;  // kStatusChanged only: the new status (see above)
};

// "created", "agent_reply", "customer_reply", "status".
std::string_view EventKindName(EventKind kind);
std::optional<EventKind> ParseEventKind(std::string_view name);

enum class ClockPhase { kRunning, kPaused, kStopped };
// The phase of a request status; nullopt for an unknown status.
std::optional<ClockPhase> PhaseOfStatus(std::string_view status);

enum class SlaState { kNotApplicable, kOnTrack, kWarning, kPaused, kBreached, kMet };
// "not_applicable", "on_track", "warning", "paused", "breached", "met".
std::string_view SlaStateName(SlaState state);

enum class Metric { kFirstResponse, kNextResponse, kResolution };
std::string_view MetricName(Metric metric);  // "first_response", "next_response", "resolution"

struct MetricEvaluation {
    SlaState state = SlaState::kNotApplicable;
    std::optional<Timestamp> started_at;    // start of the shown cycle
    std::optional<Timestamp> due;           // nullopt only if not applicable or beyond kMaxSearchDays
    std::optional<Timestamp> warning_at;
    std::optional<Timestamp> completed_at;  // when the cycle was met (or completed late)
    std::int64_t elapsed_seconds = 0;       // running business time of the cycle up to now/completion
    int breached_cycles = 0;                // next_response: breached cycles so far (incl. the shown one)
};

struct SlaEvaluation {
    MetricEvaluation first_response;
    MetricEvaluation next_response;
    MetricEvaluation resolution;
    // The earliest warning/due instant after `now` of a running metric: when to evaluate again if no
    // event arrives. nullopt when nothing can change without an event.
    std::optional<Timestamp> next_check;

    [[nodiscard]] const MetricEvaluation& Get(Metric m) const;
};

// Evaluates the timeline at `now`. Events are taken in time order (stable for equal times); events
// after `now` are ignored. Errors: no `created` event first, an unknown status, invalid targets.
core::Result<SlaEvaluation> EvaluateSla(const BusinessCalendar& calendar, const SlaTargets& targets,
                                        std::span<const SlaEvent> events, Timestamp now);

}  // namespace customsdesk::sla
