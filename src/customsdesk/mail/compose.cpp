// ComposeMessage, GenerateMessageId and DotStuff (declared in smtp_client.hpp).
#include <array>
#include <random>

#include "customsdesk/core/utf8.hpp"
#include "customsdesk/mail/gmime_support.hpp"
#include "customsdesk/mail/smtp_client.hpp"

namespace customsdesk::mail {

namespace {

using detail::GChars;
using detail::GPtr;

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

bool ValidAddress(std::string_view addr) {
    if (addr.empty() || addr.size() > 320 || HasLineBreak(addr)) return false;
    if (addr.find_first_of(" <>\t,;") != std::string_view::npos) return false;
    auto at = addr.rfind('@');
    return at != std::string_view::npos && at > 0 && at + 1 < addr.size();
}

bool ValidMessageId(std::string_view id) {
    return !id.empty() && id.size() <= 998 && !HasLineBreak(id) &&
           id.find_first_of(" <>\t") == std::string_view::npos;
}

std::string Bracketed(const std::vector<std::string>& ids) {
    std::string out;
    for (const auto& id : ids) {
        if (!out.empty()) out.push_back(' ');
        out += "<" + id + ">";
    }
    return out;
}

}  // namespace

std::string GenerateMessageId(std::string_view domain) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    static constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    std::string id;
    for (int i = 0; i < 24; ++i) id.push_back(kAlphabet[rng() % 36]);
    id.push_back('@');
    id.append(domain.empty() ? std::string_view("customsdesk.invalid") : domain);
    return id;
}

core::Result<std::string> ComposeMessage(const OutboundMessage& message) {
    core::FieldErrors errors;
    if (!ValidAddress(message.from.address)) errors.Add("/from", "invalid", "a valid From address is required");
    if (message.to.empty()) errors.Add("/to", "required", "at least one recipient is required");
    for (std::size_t i = 0; i < message.to.size(); ++i) {
        if (!ValidAddress(message.to[i].address)) {
            errors.Add("/to/" + std::to_string(i), "invalid", "not a valid address");
        }
    }
    if (!ValidMessageId(message.message_id)) errors.Add("/message_id", "invalid", "a bare Message-ID is required");
    if (!message.in_reply_to.empty() && !ValidMessageId(message.in_reply_to)) {
        errors.Add("/in_reply_to", "invalid", "not a bare Message-ID");
    }
    for (std::size_t i = 0; i < message.references.size(); ++i) {
        if (!ValidMessageId(message.references[i])) {
            errors.Add("/references/" + std::to_string(i), "invalid", "not a bare Message-ID");
        }
    }
    if (!core::IsValidUtf8(message.subject) || !core::IsValidUtf8(message.text) ||
        !core::IsValidUtf8(message.from.name)) {
        errors.Add("/text", "encoding", "texts must be UTF-8");
    }
    if (auto ok = errors.ToResult("The outbound message is invalid."); !ok) return core::Fail(ok.error());

    detail::EnsureGMime();
    GPtr<GMimeMessage> msg(g_mime_message_new(TRUE));
    GMimeObject* object = GMIME_OBJECT(msg.get());
    g_mime_message_add_mailbox(msg.get(), GMIME_ADDRESS_TYPE_FROM,
                               message.from.name.empty() ? nullptr : message.from.name.c_str(),
                               message.from.address.c_str());
    for (const auto& to : message.to) {
        g_mime_message_add_mailbox(msg.get(), GMIME_ADDRESS_TYPE_TO, to.name.empty() ? nullptr : to.name.c_str(),
                                   to.address.c_str());
    }
    std::string subject = message.subject;
    for (char& c : subject) {
        if (c == '\r' || c == '\n') c = ' ';
    }
    g_mime_message_set_subject(msg.get(), subject.c_str(), "utf-8");
    if (message.date) {
        GDateTime* date = g_date_time_new_from_unix_utc(message.date->time_since_epoch().count());
        if (date != nullptr) {
            g_mime_message_set_date(msg.get(), date);
            g_date_time_unref(date);
        }
    }
    g_mime_message_set_message_id(msg.get(), message.message_id.c_str());
    if (!message.in_reply_to.empty()) {
        g_mime_object_set_header(object, "In-Reply-To", ("<" + message.in_reply_to + ">").c_str(), nullptr);
    }
    if (!message.references.empty()) {
        g_mime_object_set_header(object, "References", Bracketed(message.references).c_str(), nullptr);
    }
    if (message.auto_generated) g_mime_object_set_header(object, "Auto-Submitted", "auto-generated", nullptr);

    // The body stays UTF-8: g_mime_text_part_set_text would pick the "best" charset (Latin-1 for
    // Finnish text), which is legal but not what we promise.
    GPtr<GMimeTextPart> body(g_mime_text_part_new_with_subtype("plain"));
    GPtr<GMimeStream> content(g_mime_stream_mem_new_with_buffer(message.text.data(), message.text.size()));
    GPtr<GMimeDataWrapper> wrapper(g_mime_data_wrapper_new_with_stream(content.get(), GMIME_CONTENT_ENCODING_DEFAULT));
    g_mime_part_set_content(GMIME_PART(body.get()), wrapper.get());
    g_mime_text_part_set_charset(body.get(), "utf-8");
    g_mime_part_set_content_encoding(GMIME_PART(body.get()),
                                     message.encoding == OutboundMessage::BodyEncoding::kBase64
                                         ? GMIME_CONTENT_ENCODING_BASE64
                                         : GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
    g_mime_message_set_mime_part(msg.get(), GMIME_OBJECT(body.get()));

    std::unique_ptr<GMimeFormatOptions, decltype(&g_mime_format_options_free)> format(g_mime_format_options_new(),
                                                                                       &g_mime_format_options_free);
    g_mime_format_options_set_newline_format(format.get(), GMIME_NEWLINE_FORMAT_DOS);
    GChars text(g_mime_object_to_string(object, format.get()));
    if (!text) return core::Fail(core::Error::Internal("GMime could not serialise the message"));
    return std::string(text.get());
}

std::string DotStuff(std::string_view data) {
    std::string out;
    out.reserve(data.size() + data.size() / 50 + 8);
    bool line_start = true;
    for (std::size_t i = 0; i < data.size(); ++i) {
        char c = data[i];
        if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < data.size() && data[i + 1] == '\n') ++i;
            out += "\r\n";
            line_start = true;
            continue;
        }
        if (line_start && c == '.') out.push_back('.');
        out.push_back(c);
        line_start = false;
    }
    if (!line_start) out += "\r\n";
    out += ".\r\n";
    return out;
}

}  // namespace customsdesk::mail
