// SLA configuration kept in the database: business calendars and SLA policies (docs/sla.md),
// and the two look-ups the service desk calls when it measures a request.
//
// Model
//  - A calendar (table sla_calendars) is a named CalendarSpec: time zone, weekly hours, holiday rule
//    set, extra holidays, closures. Its JSON form is
//      {"id", "name", "time_zone", "holiday_rule_set", "weekly_hours": {"mon": [{"start","end"}],...},
//       "extra_holidays": ["YYYY-MM-DD"], "closures": [{"start","end","reason"}], "version", ...}
//  - A policy (table sla_policies) applies to a customer group ("partnership", "key", "small"), a
//    request type and a priority, each null meaning "any"; one policy per selector. It holds
//    SlaTargets (business minutes; null = not measured), a warning threshold, a calendar and
//    escalation actions (data only; the service desk carries them out).
//  - SelectPolicy picks the most specific policy that matches: more non-null selectors win; on a tie
//    customer group outranks request type, which outranks priority.
//
// Access: staff principals read; only administrators write (PermissionDenied otherwise); traders are
// refused everything. Every write runs in one transaction with its change-history entry
// (entity types "sla_calendar", "sla_policy"). Updates are RFC 7396 merge patches of the JSON form
// and may be conditional on the version (If-Match → FailedPrecondition when it moved on). Bad input
// is InvalidArgument with one field error per problem (JSON pointers of the JSON form).
// Thread-safety: the service holds no mutable state; it is safe to share between threads.
// PolicyCache (below) keeps compiled policies and calendars in memory for the service desk's hot paths.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "customsdesk/core/clock.hpp"
#include "customsdesk/core/error.hpp"
#include "customsdesk/core/ids.hpp"
#include "customsdesk/core/principal.hpp"
#include "customsdesk/sla/calendar.hpp"
#include "customsdesk/sla/evaluation.hpp"
#include "customsdesk/storage/database.hpp"

namespace customsdesk::sla {

using CalendarId = core::Id<struct SlaCalendarTag>;
using PolicyId = core::Id<struct SlaPolicyTag>;

inline constexpr std::string_view kCustomerGroups[] = {"partnership", "key", "small"};  // as registry's
inline constexpr std::size_t kMaxNameLength = 200;
inline constexpr std::size_t kMaxSelectorLength = 64;  // request type and priority keys
inline constexpr std::size_t kMaxEscalations = 20;
inline constexpr std::size_t kMaxListSize = 1000;      // calendars or policies returned by a list

struct CalendarRecord {
    CalendarId id;
    std::string name;
    CalendarSpec spec;
    std::int64_t version = 1;
    core::Timestamp created_at;
    core::Timestamp updated_at;
};

// An escalation action: when `on` ("warning" | "breach") happens to `metric` ("first_response",
// "next_response", "resolution" or "any"), do `action` ("notify" | "raise_priority" | "move_tier" |
// "move_group") with `target` (who to notify, the tier or group to move to; may be empty).
struct Escalation {
    std::string on;
    std::string metric;
    std::string action;
    std::string target;
    friend bool operator==(const Escalation&, const Escalation&) = default;
};

struct PolicyRecord {
    PolicyId id;
    std::string name;
    std::optional<std::string> customer_group;  // nullopt = any
    std::optional<std::string> request_type;    // nullopt = any
    std::optional<std::string> priority;        // nullopt = any
    CalendarId calendar_id;
    SlaTargets targets;
    std::vector<Escalation> escalations;
    std::int64_t version = 1;
    core::Timestamp created_at;
    core::Timestamp updated_at;
};

boost::json::object ToJson(const CalendarRecord& c);
boost::json::object ToJson(const PolicyRecord& p);
boost::json::object ToJson(const Holiday& h);

// --- For the service desk: read-only look-ups inside the caller's transaction, no access check. ---

// The most specific policy for a request (see the file comment); empty strings are "unknown" and
// match only policies with "any" there. nullopt when no policy matches.
core::Result<std::optional<PolicyRecord>> SelectPolicy(storage::Transaction& tx, std::string_view customer_group,
                                                       std::string_view request_type, std::string_view priority);
// A stored calendar, ready for business-time arithmetic. NotFound if there is no such calendar.
core::Result<BusinessCalendar> LoadCalendar(storage::Transaction& tx, CalendarId id);
core::Result<PolicyRecord> LoadPolicy(storage::Transaction& tx, PolicyId id);

// The policy SelectPolicy would choose among `policies` (all of them, or at least every matching
// one); nullptr when none matches. Pure.
const PolicyRecord* SelectPolicyAmong(std::span<const PolicyRecord> policies, std::string_view customer_group,
                                      std::string_view request_type, std::string_view priority);

// All policies and calendars (compiled) at one moment, for the hot paths of the service desk
// (creating a request, the SLA sweep) that would otherwise read and compile them per request.
// Immutable once built; shared between threads through shared_ptr<const>.
struct PolicySnapshot {
    std::vector<PolicyRecord> policies;                                           // by id
    std::map<std::int64_t, std::shared_ptr<const BusinessCalendar>> calendars;    // by calendar id
    std::map<std::int64_t, core::Error> broken_calendars;  // stored calendars that no longer compile

    [[nodiscard]] const PolicyRecord* Select(std::string_view customer_group, std::string_view request_type,
                                             std::string_view priority) const {
        return SelectPolicyAmong(policies, customer_group, request_type, priority);
    }
    [[nodiscard]] const PolicyRecord* Policy(PolicyId id) const;  // nullptr when there is none
    // As LoadCalendar: NotFound when there is no such calendar, its error when it does not compile.
    [[nodiscard]] core::Result<const BusinessCalendar*> Calendar(CalendarId id) const;
};

// Keeps the current PolicySnapshot. Current(tx) costs one small query (a stamp of both tables:
// row count, sum of versions and ids, latest updated_at) in the caller's transaction and reloads
// both tables only when the stamp moved, so a change by an administrator, through this process or
// another one on the same database, is seen by the next call after it committed. Changes made
// through SlaService in this process also bump a process-wide generation that is part of the stamp
// (this covers edits the stamp alone could miss, e.g. a frozen test clock). Thread-safe.
class PolicyCache {
public:
    core::Result<std::shared_ptr<const PolicySnapshot>> Current(storage::Transaction& tx);
    [[nodiscard]] std::uint64_t Loads() const;  // how many times the tables were read (for tests)

private:
    mutable std::mutex mutex_;
    std::string stamp_;                                // guarded by mutex_
    std::shared_ptr<const PolicySnapshot> snapshot_;  // guarded by mutex_
    std::uint64_t loads_ = 0;                          // guarded by mutex_
};

class SlaService {
public:
    SlaService(storage::Database& db, const core::Clock& clock);
    SlaService(const SlaService&) = delete;
    SlaService& operator=(const SlaService&) = delete;

    core::Result<std::vector<CalendarRecord>> ListCalendars(const core::Principal& actor);
    core::Result<CalendarRecord> GetCalendar(const core::Principal& actor, CalendarId id);
    // `body`: {"name", "time_zone", "weekly_hours", "holiday_rule_set"?, "extra_holidays"?, "closures"?}.
    core::Result<CalendarRecord> CreateCalendar(const core::Principal& actor, const boost::json::object& body);
    core::Result<CalendarRecord> UpdateCalendar(const core::Principal& actor, CalendarId id,
                                                const boost::json::object& patch,
                                                std::optional<std::int64_t> expected_version);
    // The holidays of the calendar (rule set + extra dates) in `year` (kMinHolidayYear..kMaxHolidayYear).
    core::Result<std::vector<Holiday>> CalendarHolidays(const core::Principal& actor, CalendarId id, int year);

    core::Result<std::vector<PolicyRecord>> ListPolicies(const core::Principal& actor);
    core::Result<PolicyRecord> GetPolicy(const core::Principal& actor, PolicyId id);
    // `body`: {"name", "customer_group"?, "request_type"?, "priority"?, "calendar_id",
    //          "first_response_minutes"?, "next_response_minutes"?, "resolution_minutes"?,
    //          "warning"?: {"kind", "value"} (default 80 percent), "escalations"?: [...]}.
    core::Result<PolicyRecord> CreatePolicy(const core::Principal& actor, const boost::json::object& body);
    core::Result<PolicyRecord> UpdatePolicy(const core::Principal& actor, PolicyId id, const boost::json::object& patch,
                                            std::optional<std::int64_t> expected_version);
    core::Result<void> DeletePolicy(const core::Principal& actor, PolicyId id,
                                    std::optional<std::int64_t> expected_version);

private:
    storage::Database& db_;
    const core::Clock& clock_;
};

}  // namespace customsdesk::sla
