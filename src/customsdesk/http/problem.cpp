#include "customsdesk/http/problem.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace customsdesk::http {

namespace {

constexpr std::string_view kMalformedJsonCode = "malformed_json";
constexpr std::string_view kPreconditionFailedType = "precondition-failed";
constexpr std::string_view kInternalDetail = "An unexpected error occurred. Quote the request id when reporting it.";

std::string TypeFor(const core::Error& error) {
    if (!error.type.empty()) return error.type;
    std::string name(core::ErrorCodeName(error.code));
    std::replace(name.begin(), name.end(), '_', '-');
    return name;
}

Response BuildProblem(unsigned status, std::string_view type, std::string_view title, std::string_view detail,
                      std::string_view instance, std::string_view request_id,
                      const std::vector<core::FieldError>* fields) {
    boost::json::object body;
    body["type"] = std::string(kProblemTypeBase) + std::string(type);
    body["title"] = title;
    body["status"] = status;
    body["detail"] = detail;
    body["instance"] = instance;
    body["request_id"] = request_id;
    if (fields != nullptr && !fields->empty()) {
        boost::json::array errors;
        for (const auto& f : *fields) {
            errors.push_back(boost::json::object{{"pointer", f.pointer}, {"code", f.code}, {"message", f.message}});
        }
        body["errors"] = std::move(errors);
    }
    Response r;
    r.status = status;
    r.body = boost::json::serialize(body);
    r.Set("Content-Type", "application/problem+json");
    r.Set("Cache-Control", "no-store");
    if (status == 401) r.Set("WWW-Authenticate", "Bearer");
    return r;
}

}  // namespace

unsigned StatusFor(core::ErrorCode code) {
    using core::ErrorCode;
    switch (code) {
        case ErrorCode::kInvalidArgument: return 400;
        case ErrorCode::kNotFound: return 404;
        case ErrorCode::kAlreadyExists: return 409;
        case ErrorCode::kConflict: return 409;
        case ErrorCode::kFailedPrecondition: return 409;
        case ErrorCode::kUnauthenticated: return 401;
        case ErrorCode::kPermissionDenied: return 403;
        case ErrorCode::kResourceExhausted: return 429;
        case ErrorCode::kUnavailable: return 503;
        case ErrorCode::kInternal: return 500;
    }
    return 500;
}

unsigned StatusFor(const core::Error& error) {
    if (error.code == core::ErrorCode::kInvalidArgument) {
        bool validation = std::any_of(error.fields.begin(), error.fields.end(),
                                      [](const core::FieldError& f) { return f.code != kMalformedJsonCode; });
        return validation ? 422 : 400;
    }
    if (error.code == core::ErrorCode::kFailedPrecondition && error.type == kPreconditionFailedType) return 412;
    return StatusFor(error.code);
}

std::string_view TitleFor(unsigned status) {
    switch (status) {
        case 400: return "Bad request";
        case 401: return "Authentication required";
        case 403: return "Permission denied";
        case 404: return "Not found";
        case 405: return "Method not allowed";
        case 408: return "Request timeout";
        case 409: return "Conflict";
        case 412: return "Precondition failed";
        case 413: return "Content too large";
        case 414: return "URI too long";
        case 415: return "Unsupported media type";
        case 422: return "Validation failed";
        case 429: return "Too many requests";
        case 431: return "Request header fields too large";
        case 500: return "Internal server error";
        case 501: return "Not implemented";
        case 503: return "Service unavailable";
        default: return "Error";
    }
}

Response Problem(const core::Error& error, std::string_view instance, std::string_view request_id) {
    unsigned status = StatusFor(error);
    bool internal = error.code == core::ErrorCode::kInternal;
    return BuildProblem(status, TypeFor(error), TitleFor(status), internal ? kInternalDetail : error.message, instance,
                        request_id, internal ? nullptr : &error.fields);
}

Response Problem(unsigned status, std::string_view type, std::string_view title, std::string_view detail,
                 std::string_view instance, std::string_view request_id) {
    return BuildProblem(status, type, title, detail, instance, request_id, nullptr);
}

}  // namespace customsdesk::http
