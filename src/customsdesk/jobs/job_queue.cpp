#include "customsdesk/jobs/job_queue.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "customsdesk/core/base64.hpp"
#include "customsdesk/core/json.hpp"

namespace customsdesk::jobs {
namespace {

using core::Error;
using core::Fail;
using core::Result;

constexpr std::string_view kColumns =
    "id, kind, status, created_by, created_by_name, params, total, done, result, message, report IS NOT NULL, "
    "created_at, started_at, finished_at";
constexpr std::string_view kInsert =
    "INSERT INTO jobs (kind, status, created_by, created_by_name, params, input, created_at) "
    "VALUES ($1, 'queued', $2, $3, $4, $5, $6) RETURNING id";
constexpr std::string_view kRequeue = "UPDATE jobs SET status = 'queued', started_at = NULL WHERE status = 'running'";
constexpr std::string_view kNextQueued = "SELECT id FROM jobs WHERE status = 'queued' ORDER BY id LIMIT 1";
constexpr std::string_view kClaim =
    "UPDATE jobs SET status = 'running', started_at = $1 WHERE id = $2 AND status = 'queued'";
constexpr std::string_view kFinish =
    "UPDATE jobs SET status = $1, total = $2, done = $3, result = $4, report = $5, message = $6, finished_at = $7, "
    "input = NULL WHERE id = $8";
constexpr std::string_view kReport = "SELECT report, created_by FROM jobs WHERE id = $1";

Job FromRow(const storage::Row& r) {
    Job j;
    j.id = r.GetInt(0);
    j.kind = r.GetText(1);
    const auto& s = r.GetText(2);
    j.status = s == "running"     ? JobStatus::kRunning
               : s == "succeeded" ? JobStatus::kSucceeded
               : s == "failed"    ? JobStatus::kFailed
                                  : JobStatus::kQueued;
    j.created_by = r.GetOptInt(3);
    j.created_by_name = r.GetText(4);
    if (auto p = core::ParseJsonObject(r.GetText(5))) j.params = std::move(*p);
    j.total = r.GetInt(6);
    j.done = r.GetInt(7);
    if (auto t = r.GetOptText(8)) {
        if (auto v = core::ParseJson(*t)) j.result = std::move(*v);
    }
    j.message = r.GetText(9);
    j.has_report = r.GetBool(10);
    j.created_at = core::ParseTimestamp(r.GetText(11)).value_or(core::Timestamp{});
    if (auto t = r.GetOptText(12)) j.started_at = core::ParseTimestamp(*t);
    if (auto t = r.GetOptText(13)) j.finished_at = core::ParseTimestamp(*t);
    return j;
}

bool MayRead(const core::Principal& actor, std::optional<std::int64_t> owner) {
    if (actor.Has(core::Role::kAdmin) && actor.IsStaff()) return true;
    return owner && actor.user.valid() && *owner == actor.user.value();
}

}  // namespace

std::string_view JobStatusName(JobStatus s) {
    switch (s) {
        case JobStatus::kQueued: return "queued";
        case JobStatus::kRunning: return "running";
        case JobStatus::kSucceeded: return "succeeded";
        case JobStatus::kFailed: return "failed";
    }
    return "queued";
}

boost::json::object ToJson(const Job& j) {
    auto ts = [](const std::optional<core::Timestamp>& t) {
        return t ? boost::json::value(core::FormatTimestamp(*t)) : boost::json::value(nullptr);
    };
    return {{"id", j.id},
            {"kind", j.kind},
            {"status", JobStatusName(j.status)},
            {"created_by", j.created_by_name},
            {"params", j.params},
            {"progress", boost::json::object{{"done", j.done}, {"total", j.total}}},
            {"result", j.result},
            {"message", j.message},
            {"has_report", j.has_report},
            {"created_at", core::FormatTimestamp(j.created_at)},
            {"started_at", ts(j.started_at)},
            {"finished_at", ts(j.finished_at)}};
}

JobQueue::JobQueue(storage::Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}

JobQueue::~JobQueue() { Stop(); }

void JobQueue::Register(std::string kind, JobHandler handler) { handlers_[std::move(kind)] = std::move(handler); }

Result<Job> JobQueue::Submit(const core::Principal& actor, std::string kind, boost::json::object params,
                             std::string_view input) {
    if (input.size() > kMaxJobInputBytes) {
        return Fail(Error::ResourceExhausted(fmt::format("The input is larger than {} bytes.", kMaxJobInputBytes)));
    }
    if (!handlers_.contains(kind)) return Fail(Error::InvalidArgument("Unknown job kind " + kind + "."));
    const auto now = clock_.Now();
    auto job = storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<Job> {
        auto row = tx.QueryOne(kInsert, {kind, actor.user.valid() ? storage::Param(actor.user.value()) : storage::Null(),
                                         actor.username, boost::json::serialize(params), core::Base64UrlEncode(input),
                                         core::FormatTimestamp(now)});
        if (!row) return Fail(std::move(row.error()));
        Job j;
        j.id = (*row)->GetInt(0);
        j.kind = kind;
        j.created_by = actor.user.valid() ? std::optional<std::int64_t>(actor.user.value()) : std::nullopt;
        j.created_by_name = actor.username;
        j.params = params;
        j.created_at = now;
        return j;
    });
    if (job) {
        std::lock_guard lock(mu_);
        wake_ = true;
        cv_.notify_all();
    }
    return job;
}

Result<Job> JobQueue::Get(const core::Principal& actor, std::int64_t id) {
    auto job = storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<Job> {
        auto row = tx.QueryOne(fmt::format("SELECT {} FROM jobs WHERE id = $1", kColumns), {id});
        if (!row) return Fail(std::move(row.error()));
        if (!*row) return Fail(Error::NotFound(fmt::format("There is no job {}.", id)));
        return FromRow(**row);
    });
    if (!job) return job;
    if (!MayRead(actor, job->created_by)) return Fail(Error::NotFound(fmt::format("There is no job {}.", id)));
    std::lock_guard lock(mu_);
    if (auto it = progress_.find(id); it != progress_.end() && job->status == JobStatus::kRunning) {
        job->done = it->second.first;
        job->total = it->second.second;
    }
    return job;
}

Result<std::string> JobQueue::Report(const core::Principal& actor, std::int64_t id) {
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<std::string> {
        auto row = tx.QueryOne(kReport, {id});
        if (!row) return Fail(std::move(row.error()));
        if (!*row || !MayRead(actor, (*row)->GetOptInt(1))) {
            return Fail(Error::NotFound(fmt::format("There is no job {}.", id)));
        }
        if ((*row)->IsNull(0)) return Fail(Error::NotFound("The job has no report (yet)."));
        return (*row)->GetText(0);
    });
}

bool JobQueue::RunOne() {
    const auto now = clock_.Now();
    // Claim the oldest queued job and read its input.
    auto claimed = storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<std::optional<std::pair<Job, std::string>>> {
        auto next = tx.QueryOne(kNextQueued);
        if (!next) return Fail(std::move(next.error()));
        if (!*next) return std::optional<std::pair<Job, std::string>>{};
        const auto id = (*next)->GetInt(0);
        auto n = tx.Execute(kClaim, {core::FormatTimestamp(now), id});
        if (!n) return Fail(std::move(n.error()));
        if (*n != 1) return std::optional<std::pair<Job, std::string>>{};  // another process claimed it
        auto row = tx.QueryOne(fmt::format("SELECT {}, input FROM jobs WHERE id = $1", kColumns), {id});
        if (!row) return Fail(std::move(row.error()));
        Job job = FromRow(**row);
        auto input = core::Base64UrlDecode((*row)->GetText(14));
        return std::optional<std::pair<Job, std::string>>(std::make_pair(std::move(job), input.value_or("")));
    });
    if (!claimed) {
        spdlog::warn("event=job_claim_failed error=\"{}\"", claimed.error().message);
        return false;
    }
    if (!*claimed) return false;
    auto& [job, input] = **claimed;
    {
        std::lock_guard lock(mu_);
        progress_[job.id] = {0, 0};
    }
    ProgressFn progress = [this, id = job.id](std::int64_t done, std::int64_t total) {
        std::lock_guard lock(mu_);
        progress_[id] = {done, total};
    };
    core::Principal submitter;
    submitter.username = job.created_by_name;
    if (job.created_by) submitter.user = core::UserId(*job.created_by);
    JobOutcome outcome;
    auto handler = handlers_.find(job.kind);
    try {
        if (handler == handlers_.end()) {
            outcome = {false, nullptr, std::nullopt, "No handler for this kind of job."};
        } else {
            outcome = handler->second(submitter, job, input, progress);
        }
    } catch (const std::exception& e) {
        spdlog::error("event=job_failed id={} kind={} error=\"{}\"", job.id, job.kind, e.what());
        outcome = {false, nullptr, std::nullopt, "The job failed unexpectedly."};
    }
    std::pair<std::int64_t, std::int64_t> final_progress;
    {
        std::lock_guard lock(mu_);
        final_progress = progress_[job.id];
        progress_.erase(job.id);
    }
    if (outcome.report && outcome.report->size() > kMaxJobReportBytes) outcome.report->resize(kMaxJobReportBytes);
    const auto end = clock_.Now();
    auto done = storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<std::int64_t> {
        return tx.Execute(kFinish, {std::string(JobStatusName(outcome.succeeded ? JobStatus::kSucceeded
                                                                                : JobStatus::kFailed)),
                                    final_progress.second, final_progress.first,
                                    boost::json::serialize(outcome.result), storage::Opt(outcome.report),
                                    outcome.message, core::FormatTimestamp(end), job.id});
    });
    if (!done) spdlog::error("event=job_finish_failed id={} error=\"{}\"", job.id, done.error().message);
    return true;
}

void JobQueue::RunPending() {
    while (RunOne()) {
    }
}

void JobQueue::Loop() {
    for (;;) {
        {
            std::unique_lock lock(mu_);
            cv_.wait_for(lock, std::chrono::seconds(2), [this] { return stop_ || wake_; });
            if (stop_) return;
            wake_ = false;
        }
        RunPending();
    }
}

void JobQueue::Start() {
    auto r = storage::InWriteTx(db_, [](storage::Transaction& tx) { return tx.Execute(kRequeue); });
    if (!r) spdlog::warn("event=job_requeue_failed error=\"{}\"", r.error().message);
    std::lock_guard lock(mu_);
    stop_ = false;
    wake_ = true;
    worker_ = std::thread([this] { Loop(); });
}

void JobQueue::Stop() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
        cv_.notify_all();
    }
    if (worker_.joinable()) worker_.join();
}

}  // namespace customsdesk::jobs
