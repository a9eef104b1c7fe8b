#include "customsdesk/api/handler_support.hpp"

#include <charconv>

#include "customsdesk/core/json.hpp"

namespace customsdesk::api {

const core::Principal& PrincipalOf(const http::Request& request) {
    auto it = request.context.find(kPrincipalKey);
    if (it == request.context.end()) throw std::logic_error("no principal on an authenticated route");
    return std::any_cast<const core::Principal&>(it->second);
}

http::Response ErrorResponse(const http::Request& request, const core::Error& error) {
    if (error.type == "unsupported-media-type") {
        return http::Problem(415, error.type, "Unsupported media type", error.message, request.path,
                             request.request_id);
    }
    return http::Problem(error, request.path, request.request_id);
}

http::Response NotFound(const http::Request& request) {
    return ErrorResponse(request, core::Error::NotFound("No such resource."));
}

core::Result<boost::json::object> JsonBody(const http::Request& request, bool merge_patch) {
    const auto type = request.Header("Content-Type").value_or("");
    const auto base = type.substr(0, type.find(';'));
    auto trimmed = std::string(base);
    while (!trimmed.empty() && trimmed.back() == ' ') trimmed.pop_back();
    for (char& c : trimmed) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (trimmed != "application/json" && !(merge_patch && trimmed == "application/merge-patch+json")) {
        return core::Fail(core::Error::InvalidArgument("Send the body as application/json.",
                                                       {{"/headers/content-type", "unsupported_media_type",
                                                         "Expected application/json."}})
                              .WithType("unsupported-media-type"));
    }
    return core::ParseJsonObject(request.body);
}

std::optional<std::int64_t> PathId(const http::Request& request, std::string_view name) {
    const auto text = request.PathParam(name);
    std::int64_t v = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || ptr != text.data() + text.size() || v <= 0) return std::nullopt;
    return v;
}

std::optional<std::int64_t> QueryInt(const http::Request& request, std::string_view name, core::FieldErrors& errors,
                                     std::int64_t min, std::int64_t max) {
    const auto text = request.QueryParam(name);
    if (!text) return std::nullopt;
    std::int64_t v = 0;
    auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
    if (ec != std::errc() || ptr != text->data() + text->size() || v < min || v > max) {
        errors.Add("/query/" + std::string(name), "range",
                   "Expected an integer from " + std::to_string(min) + " to " + std::to_string(max) + ".");
        return std::nullopt;
    }
    return v;
}

core::Result<std::optional<std::int64_t>> IfMatchVersion(const http::Request& request) {
    auto match = request.Header("If-Match");
    if (!match) return std::optional<std::int64_t>{};
    std::string_view m = *match;
    if (m.starts_with("W/")) m.remove_prefix(2);
    if (m.size() >= 2 && m.front() == '"' && m.back() == '"') m = m.substr(1, m.size() - 2);
    std::int64_t v = 0;
    auto [ptr, ec] = std::from_chars(m.data(), m.data() + m.size(), v);
    if (ec != std::errc() || ptr != m.data() + m.size()) {
        return core::Fail(core::Error::FailedPrecondition("If-Match does not name a version of this record.")
                              .WithType("precondition-failed"));
    }
    return std::optional<std::int64_t>(v);
}

}  // namespace customsdesk::api
