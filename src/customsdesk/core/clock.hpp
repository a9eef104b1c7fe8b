// Time, read through one injectable interface (habit 3: logic never calls now() itself).
//
// Inside the system time is UTC `sys_time<microseconds>`; text form is RFC 3339 with a fixed
// width ("2026-11-22T06:30:14.000000Z") so that stored strings sort chronologically.
// Thread-safety: SystemClock is stateless; ManualClock is safe for concurrent Now()/Advance().
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace customsdesk::core {

using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

class Clock {
public:
    virtual ~Clock() = default;
    [[nodiscard]] virtual Timestamp Now() const = 0;
};

class SystemClock final : public Clock {
public:
    [[nodiscard]] Timestamp Now() const override;
};

// A clock for tests: starts at a fixed instant and moves only when told.
class ManualClock final : public Clock {
public:
    explicit ManualClock(Timestamp start) : now_(start.time_since_epoch().count()) {}
    [[nodiscard]] Timestamp Now() const override { return Timestamp(std::chrono::microseconds(now_.load())); }
    void Advance(std::chrono::microseconds d) { now_ += d.count(); }
    void Set(Timestamp t) { now_ = t.time_since_epoch().count(); }

private:
    std::atomic<long long> now_;
};

// "2026-11-22T06:30:14.123456Z"
std::string FormatTimestamp(Timestamp t);
// Accepts RFC 3339 with 'Z' or a numeric offset and 0-6 fractional digits; nullopt if malformed.
std::optional<Timestamp> ParseTimestamp(std::string_view text);

}  // namespace customsdesk::core
