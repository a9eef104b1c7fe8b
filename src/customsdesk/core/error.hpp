// Error values and Result<T>: how every module reports an expected failure.
//
// Expected failures (bad input, missing record, conflict, refused access) are returned as
// `Result<T>` = `std::expected<T, Error>`; exceptions are kept for bugs and outages.
// `Error` is protocol-neutral: the HTTP layer maps `ErrorCode` to a status and an RFC 9457
// problem+json body in exactly one place (http/problem.hpp).
// Thread-safety: plain values, no shared state.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace customsdesk::core {

enum class ErrorCode {
    kInvalidArgument,     // the input is malformed or violates a rule (400 / 422)
    kNotFound,            // no such record, or the caller may not know it exists (404)
    kAlreadyExists,       // a unique key is taken (409)
    kConflict,            // the record changed meanwhile or the transition is illegal (409)
    kFailedPrecondition,  // the system is not in a state that allows this (409/412)
    kUnauthenticated,     // no valid credentials (401)
    kPermissionDenied,    // authenticated but not allowed (403)
    kResourceExhausted,   // throttled or a limit was hit (429 / 413)
    kUnavailable,         // a dependency is down, try again (503)
    kInternal,            // a bug or an outage (500)
};

// Stable, lowercase name of a code, e.g. "invalid_argument"; used in problem+json `type` URIs.
std::string_view ErrorCodeName(ErrorCode code);

// One violation tied to one input field. `pointer` is an RFC 6901 JSON pointer ("/business_id")
// or, for XML input, an XPath; `code` is a stable machine-readable token ("checksum", "required").
struct FieldError {
    std::string pointer;
    std::string code;
    std::string message;

    friend bool operator==(const FieldError&, const FieldError&) = default;
};

struct Error {
    ErrorCode code = ErrorCode::kInternal;
    std::string message;
    std::vector<FieldError> fields;
    // Optional stable sub-type for problem+json, e.g. "duplicate-organisation"; empty uses the code name.
    std::string type;

    static Error InvalidArgument(std::string message, std::vector<FieldError> fields = {}) {
        return {ErrorCode::kInvalidArgument, std::move(message), std::move(fields), {}};
    }
    static Error NotFound(std::string message) { return {ErrorCode::kNotFound, std::move(message), {}, {}}; }
    static Error AlreadyExists(std::string message, std::vector<FieldError> fields = {}) {
        return {ErrorCode::kAlreadyExists, std::move(message), std::move(fields), {}};
    }
    static Error Conflict(std::string message) { return {ErrorCode::kConflict, std::move(message), {}, {}}; }
    static Error FailedPrecondition(std::string message) {
        return {ErrorCode::kFailedPrecondition, std::move(message), {}, {}};
    }
    static Error Unauthenticated(std::string message) {
        return {ErrorCode::kUnauthenticated, std::move(message), {}, {}};
    }
    static Error PermissionDenied(std::string message) {
        return {ErrorCode::kPermissionDenied, std::move(message), {}, {}};
    }
    static Error ResourceExhausted(std::string message) {
        return {ErrorCode::kResourceExhausted, std::move(message), {}, {}};
    }
    static Error Unavailable(std::string message) { return {ErrorCode::kUnavailable, std::move(message), {}, {}}; }
    static Error Internal(std::string message) { return {ErrorCode::kInternal, std::move(message), {}, {}}; }

    Error&& WithType(std::string t) && {
        type = std::move(t);
        return std::move(*this);
    }
};

template <typename T>
using Result = std::expected<T, Error>;

// `return Fail(Error::NotFound("..."));` reads better than std::unexpected.
inline std::unexpected<Error> Fail(Error e) { return std::unexpected<Error>(std::move(e)); }

// Accumulates field errors during validation; `ToResult()` is ok when nothing was added.
class FieldErrors {
public:
    void Add(std::string pointer, std::string code, std::string message) {
        errors_.push_back({std::move(pointer), std::move(code), std::move(message)});
    }
    void Append(const std::vector<FieldError>& more) { errors_.insert(errors_.end(), more.begin(), more.end()); }
    [[nodiscard]] bool empty() const { return errors_.empty(); }
    [[nodiscard]] const std::vector<FieldError>& errors() const { return errors_; }
    [[nodiscard]] Result<void> ToResult(std::string message = "The request has invalid fields.") const {
        if (errors_.empty()) return {};
        return Fail(Error::InvalidArgument(std::move(message), errors_));
    }

private:
    std::vector<FieldError> errors_;
};

}  // namespace customsdesk::core
