// SLA of service requests (SPEC §4, issue 6 item 5): the policy chosen per request, its event
// timeline and clock state, due times and state in the request JSON, and the scheduler that raises
// warnings and breaches exactly once and runs the policy's escalation actions.
//
// Per request (columns of sd_requests, migration V037):
//  - sla_policy_id: chosen with sla::SelectPolicy's precedence (customer group of the organisation,
//    request type, priority; from the PolicyCache snapshot) when the request is created, and again
//    when its type or priority changes (the timeline is kept, so the clock continues under the new
//    targets).
//  - sla_events: the timeline (JSON [{"at", "kind", "status"?}]): created, agent_reply,
//    customer_reply, status changes. A new request's columns are computed before its insert
//    (PrepareNew, part of the same row); later events are appended in the transaction of the
//    change (OnEvent).
//  - sla_json / sla_state / due_at / sla_next_check: the evaluation (sla::EvaluateSla) at the last
//    event or sweep: per-metric state, due and warning times; the overall state (worst metric:
//    breached > warning > paused > on_track > met > not_applicable); due_at = the earliest due time
//    of an unfinished metric (the queue order); sla_next_check = when a state changes without a new
//    event (indexed, partial: only requests with something still to check).
//  - sla_raised: markers "<metric>:<warning|breach>:<cycle start>" of what has been raised, so each
//    warning and breach (per next-response cycle) is raised once.
//
// Display: the request JSON gets "sla" {policy_id, policy_name, state, due_at, metrics: {name:
// {state, due_at, warning_at, completed_at, started_at, elapsed_seconds, breached_cycles}}} with the
// states brought up to `now` from the stored instants (on_track → warning → breached as time
// passes), so lists need no re-evaluation.
//
// Scheduler: SweepOnce(now) takes the requests with sla_next_check <= now through the index (at most
// `batch` per call — a round — oldest first; the background thread runs further rounds at once
// while rounds come back full, so a backlog is worked off in bounded steps), re-evaluates each,
// raises newly crossed warnings/breaches and runs the policy's escalations ({"on": "warning"|"breach",
// "metric", "action", "target"}):
//   notify         → an internal note naming the target (assignee, kam, group_lead, requester or
//                    an e-mail address) and, for the requester or an e-mail address, an outbox row
//                    (kind sla_warning / sla_breach);
//   raise_priority → one step more urgent;
//   move_tier      → to `target` tier (its default group) or the next tier when empty;
//   move_group     → to group `target` (and its tier).
// A round reads and decides in a read transaction (the due rows in one query, the policies and
// calendars once from the PolicyCache, the evaluations, markers, notes and escalations), then
// writes in ONE write transaction (history with actor "system", notes as multi-row inserts). Each
// request's write is a compare-and-set on what was read (version, sla_raised, sla_next_check): if
// another sweeper (thread or process, either database) or a change to the request got there
// first, the update matches no row and the request is skipped — so a warning or breach is never
// raised twice, and a request changed meanwhile is looked at again in a later round. The
// background thread (Start/Stop) sweeps every `interval`.
// Thread-safety: SweepOnce may be called from several threads; Start/Stop from one owner thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "customsdesk/core/clock.hpp"
#include "customsdesk/servicedesk/service_desk.hpp"
#include "customsdesk/sla/sla_service.hpp"
#include "customsdesk/storage/database.hpp"

namespace customsdesk::servicedesk {

inline constexpr int kDefaultSweepBatch = 200;  // per round: ~30 ms of work at most (docs/benchmarks.md)

class SlaIntegration final : public RequestObserver {
public:
    SlaIntegration(storage::Database& db, const core::Clock& clock, ServiceDeskService& desk);
    ~SlaIntegration() override;
    SlaIntegration(const SlaIntegration&) = delete;
    SlaIntegration& operator=(const SlaIntegration&) = delete;

    core::Result<void> PrepareNew(storage::Transaction& tx, ServiceRequest& request,
                                  const std::optional<std::string>& customer_group, core::Timestamp now) override;
    core::Result<void> OnEvent(storage::Transaction& tx, const ServiceRequest& request, std::string_view event,
                               core::Timestamp now) override;
    core::Result<void> Decorate(storage::Transaction& tx, std::vector<ServiceRequest*> requests) override;
    std::optional<std::string> SlaStateCondition(std::string_view state) const override;

    struct SweepReport {
        int examined = 0;   // requests due for a check
        int warnings = 0;   // warnings raised
        int breaches = 0;   // breaches raised
        int actions = 0;    // escalation actions run
        int skipped = 0;    // taken by another sweeper, or changed, since this round read it
    };
    core::Result<SweepReport> SweepOnce(core::Timestamp now, int batch = kDefaultSweepBatch);

    // The background sweep thread.
    void Start(std::chrono::milliseconds interval);
    void Stop();

private:
    storage::Database& db_;
    const core::Clock& clock_;
    ServiceDeskService& desk_;
    sla::PolicyCache policies_;  // policies and compiled calendars, checked by stamp at each use
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;  // guarded by mutex_
    std::thread thread_;
};

}  // namespace customsdesk::servicedesk
