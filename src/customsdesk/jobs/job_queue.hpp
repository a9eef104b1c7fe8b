// A small durable job queue: background work (CSV imports) that survives a restart.
//
// Jobs are rows of the `jobs` table (queued -> running -> succeeded | failed). Submit() stores the
// job with its input (base64, so any bytes survive both databases) and wakes the worker. One
// worker thread (Start/Stop) claims the oldest queued job and runs the handler registered for its
// kind; at Start() jobs left "running" by a crashed process are queued again (handlers must be
// safe to re-run: an import writes in one transaction, so a crash leaves nothing half-written).
// Progress (rows done / total) lives in memory while a job runs (an import's own write
// transaction holds SQLite's single writer, so progress cannot be written meanwhile) and is
// stored when the job ends. A job is visible to the user who submitted it and to administrators;
// to anyone else it does not exist (404). Thread-safe; the database and clock must outlive it.
#pragma once

#include <boost/json.hpp>

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "customsdesk/core/clock.hpp"
#include "customsdesk/core/error.hpp"
#include "customsdesk/core/principal.hpp"
#include "customsdesk/storage/database.hpp"

namespace customsdesk::jobs {

inline constexpr std::size_t kMaxJobInputBytes = 64 * 1024 * 1024;
inline constexpr std::size_t kMaxJobReportBytes = 16 * 1024 * 1024;

enum class JobStatus { kQueued, kRunning, kSucceeded, kFailed };
std::string_view JobStatusName(JobStatus s);

struct Job {
    std::int64_t id = 0;
    std::string kind;
    JobStatus status = JobStatus::kQueued;
    std::optional<std::int64_t> created_by;
    std::string created_by_name;
    boost::json::object params;
    std::int64_t total = 0;
    std::int64_t done = 0;
    boost::json::value result;  // null until finished
    std::string message;
    bool has_report = false;
    core::Timestamp created_at;
    std::optional<core::Timestamp> started_at;
    std::optional<core::Timestamp> finished_at;
};

boost::json::object ToJson(const Job& job);

struct JobOutcome {
    bool succeeded = true;
    boost::json::value result;          // stored as the job's result
    std::optional<std::string> report;  // a downloadable report (e.g. CSV of row errors)
    std::string message;                // a sentence for people
};

// Called with (rows done, rows total) as work proceeds; cheap, may be called often.
using ProgressFn = std::function<void(std::int64_t, std::int64_t)>;
// Runs one job as the principal that submitted it. Exceptions count as failures (logged).
using JobHandler = std::function<JobOutcome(const core::Principal& submitter, const Job& job,
                                            const std::string& input, const ProgressFn& progress)>;

class JobQueue {
public:
    JobQueue(storage::Database& db, const core::Clock& clock);
    ~JobQueue();
    JobQueue(const JobQueue&) = delete;
    JobQueue& operator=(const JobQueue&) = delete;

    // Register every handler before Start().
    void Register(std::string kind, JobHandler handler);
    core::Result<Job> Submit(const core::Principal& actor, std::string kind, boost::json::object params,
                             std::string_view input);
    core::Result<Job> Get(const core::Principal& actor, std::int64_t id);
    // The report of a finished job; kNotFound when there is none.
    core::Result<std::string> Report(const core::Principal& actor, std::int64_t id);

    void Start();
    void Stop();
    // Runs queued jobs on the calling thread until none is left (command line, tests).
    void RunPending();

private:
    bool RunOne();
    void Loop();

    storage::Database& db_;
    const core::Clock& clock_;
    std::map<std::string, JobHandler, std::less<>> handlers_;  // written before Start() only
    std::mutex mu_;
    std::condition_variable cv_;
    bool stop_ = false;                                                 // guarded by mu_
    bool wake_ = false;                                                 // guarded by mu_
    std::map<std::int64_t, std::pair<std::int64_t, std::int64_t>> progress_;  // guarded by mu_
    std::thread worker_;
};

}  // namespace customsdesk::jobs
