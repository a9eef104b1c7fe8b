#include "customsdesk/mail/parse.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>

#include "customsdesk/core/utf8.hpp"
#include "customsdesk/mail/gmime_support.hpp"

namespace customsdesk::mail {

namespace detail {

void EnsureGMime() {
    static std::once_flag once;
    std::call_once(once, [] { g_mime_init(); });
}

std::string StreamBytes(GMimeStream* stream) {
    GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));
    if (bytes == nullptr || bytes->len == 0) return {};
    return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

}  // namespace detail

namespace {

using detail::GChars;
using detail::GPtr;
using detail::Str;

// Parts nested deeper than this are not walked (a message of nested multiparts is a known attack).
constexpr int kMaxDepth = 32;
constexpr std::size_t kMaxParts = 1000;

std::string Lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

// Valid UTF-8 with every undecodable byte replaced by U+FFFD.
std::string SanitizeUtf8(std::string_view s) {
    if (core::IsValidUtf8(s)) return std::string(s);
    std::string out;
    out.reserve(s.size() + 16);
    std::size_t i = 0;
    while (i < s.size()) {
        std::size_t start = i;
        auto cp = core::NextCodePoint(s, i);
        if (cp) {
            out.append(s.substr(start, i - start));
        } else {
            core::AppendUtf8(out, U'\uFFFD');
        }
    }
    return out;
}

std::optional<std::string> Convert(std::string_view bytes, const char* from) {
    gsize read = 0;
    gsize written = 0;
    GError* error = nullptr;
    char* converted = g_convert(bytes.data(), static_cast<gssize>(bytes.size()), "UTF-8", from, &read, &written,
                                &error);
    if (error != nullptr) {
        g_error_free(error);
        g_free(converted);
        return std::nullopt;
    }
    std::string out(converted, written);
    g_free(converted);
    return out;
}

// Windows-1252 by table: glibc's CP1252 refuses the five unassigned bytes, which we map to U+FFFD.
std::string FromWindows1252(std::string_view bytes) {
    static constexpr char32_t kHigh[32] = {
        U'\u20AC', U'\uFFFD', U'\u201A', U'\u0192', U'\u201E', U'\u2026', U'\u2020', U'\u2021',
        U'\u02C6', U'\u2030', U'\u0160', U'\u2039', U'\u0152', U'\uFFFD', U'\u017D', U'\uFFFD',
        U'\uFFFD', U'\u2018', U'\u2019', U'\u201C', U'\u201D', U'\u2022', U'\u2013', U'\u2014',
        U'\u02DC', U'\u2122', U'\u0161', U'\u203A', U'\u0153', U'\uFFFD', U'\u017E', U'\u0178'};
    std::string out;
    out.reserve(bytes.size() + bytes.size() / 4);
    for (unsigned char c : bytes) {
        if (c < 0x80) {
            out.push_back(static_cast<char>(c));
        } else if (c < 0xA0) {
            core::AppendUtf8(out, kHigh[c - 0x80]);
        } else {
            core::AppendUtf8(out, static_cast<char32_t>(c));
        }
    }
    return out;
}

std::string NormaliseNewlines(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r') {
            out.push_back('\n');
            if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

std::string TrimTrailing(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
    return s;
}

std::vector<Mailbox> Mailboxes(InternetAddressList* list, int depth = 0) {
    std::vector<Mailbox> out;
    if (list == nullptr || depth > 4) return out;
    const int n = internet_address_list_length(list);
    for (int i = 0; i < n && i < 1000; ++i) {
        InternetAddress* ia = internet_address_list_get_address(list, i);
        if (ia == nullptr) continue;
        if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
            std::string addr = Str(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)));
            if (addr.empty()) continue;
            out.push_back({SanitizeUtf8(addr), SanitizeUtf8(Str(internet_address_get_name(ia)))});
        } else if (INTERNET_ADDRESS_IS_GROUP(ia)) {
            auto members = Mailboxes(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)), depth + 1);
            out.insert(out.end(), members.begin(), members.end());
        }
    }
    return out;
}

std::string DecodedContent(GMimePart* part) {
    GMimeDataWrapper* content = g_mime_part_get_content(part);
    if (content == nullptr) return {};
    GPtr<GMimeStream> stream(g_mime_stream_mem_new());
    if (g_mime_data_wrapper_write_to_stream(content, stream.get()) < 0) return {};
    return detail::StreamBytes(stream.get());
}

std::string MimeType(GMimeObject* object) {
    GMimeContentType* ct = g_mime_object_get_content_type(object);
    if (ct == nullptr) return "application/octet-stream";
    GChars type(g_mime_content_type_get_mime_type(ct));
    return type ? Lower(type.get()) : std::string("application/octet-stream");
}

struct Walker {
    InboundMessage& message;
    std::size_t parts = 0;
    std::vector<std::string> texts;

    void Walk(GMimeObject* object, int depth) {
        if (object == nullptr || depth > kMaxDepth || ++parts > kMaxParts) return;
        if (GMIME_IS_MULTIPART(object)) {
            GMimeMultipart* multipart = GMIME_MULTIPART(object);
            const int n = g_mime_multipart_get_count(multipart);
            const bool alternative = MimeType(object) == "multipart/alternative";
            if (alternative) {
                WalkAlternative(multipart, n, depth);
                return;
            }
            for (int i = 0; i < n; ++i) Walk(g_mime_multipart_get_part(multipart, i), depth + 1);
            return;
        }
        if (GMIME_IS_MESSAGE_PART(object)) {
            // A forwarded message travels as an attachment, whole.
            GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
            Attachment a;
            a.content_type = "message/rfc822";
            if (inner != nullptr) {
                GChars bytes(g_mime_object_to_string(GMIME_OBJECT(inner), nullptr));
                a.data = Str(bytes.get());
                std::string subject = SanitizeUtf8(Str(g_mime_message_get_subject(inner)));
                a.filename = (subject.empty() ? std::string("message") : subject) + ".eml";
            }
            message.attachments.push_back(std::move(a));
            return;
        }
        if (GMIME_IS_PART(object)) Leaf(GMIME_PART(object));
    }

    // multipart/alternative: the text/plain and text/html bodies; other alternatives (e.g. a nested
    // multipart/related holding the HTML and its images) are walked as usual.
    void WalkAlternative(GMimeMultipart* multipart, int n, int depth) {
        for (int i = 0; i < n; ++i) {
            GMimeObject* child = g_mime_multipart_get_part(multipart, i);
            if (child == nullptr) continue;
            const std::string type = MimeType(child);
            if (GMIME_IS_PART(child) && (type == "text/plain" || type == "text/html") &&
                !g_mime_part_is_attachment(GMIME_PART(child))) {
                Leaf(GMIME_PART(child));
            } else {
                Walk(child, depth + 1);
            }
        }
    }

    void Leaf(GMimePart* part) {
        GMimeObject* object = GMIME_OBJECT(part);
        const std::string type = MimeType(object);
        const bool attachment = g_mime_part_is_attachment(part);
        const std::string filename = SanitizeUtf8(Str(g_mime_part_get_filename(part)));
        if (!attachment && filename.empty() && (type == "text/plain" || type == "text/html")) {
            std::string charset = Str(g_mime_object_get_content_type_parameter(object, "charset"));
            std::string text = NormaliseNewlines(ToUtf8(DecodedContent(part), charset));
            if (type == "text/plain") {
                texts.push_back(TrimTrailing(std::move(text)));
            } else if (message.html.empty()) {
                message.html = std::move(text);
            }
            return;
        }
        Attachment a;
        a.filename = filename;
        a.content_type = type;
        a.content_id = SanitizeUtf8(Str(g_mime_part_get_content_id(part)));
        a.is_inline = !attachment;
        a.data = DecodedContent(part);
        message.attachments.push_back(std::move(a));
    }
};

bool HasHeaderBlock(std::string_view raw) {
    // The first line must look like a header field ("Name:" with printable name characters); GMime
    // itself takes anything, so garbage would otherwise become a message with an empty header.
    std::size_t i = 0;
    while (i < raw.size() && (raw[i] == '\r' || raw[i] == '\n')) ++i;
    if (raw.substr(i).starts_with("From ")) {  // mbox "From " line: skip it
        std::size_t eol = raw.find('\n', i);
        if (eol == std::string_view::npos) return false;
        i = eol + 1;
    }
    std::size_t n = 0;
    for (; i < raw.size(); ++i, ++n) {
        unsigned char c = static_cast<unsigned char>(raw[i]);
        if (c == ':') return n > 0;
        if (c <= 32 || c >= 127) return false;
    }
    return false;
}

}  // namespace

std::string ToUtf8(std::string_view bytes, std::string_view charset) {
    std::string name = Lower(charset);
    if (name.empty() || name == "utf-8" || name == "utf8" || name == "us-ascii" || name == "ascii" ||
        name == "iso-8859-1" || name == "latin1" || name == "iso_8859-1" || name == "windows-1252" ||
        name == "cp1252" || name == "x-unknown" || name == "unknown-8bit" || name == "default") {
        // UTF-8, US-ASCII and unknown labels: the bytes as UTF-8 when valid (8-bit "US-ASCII" is a
        // common mislabel); unknown or ASCII labels with invalid UTF-8 are read as Windows-1252.
        // Latin-1 and Windows-1252: the Windows-1252 table.
        const bool utf8_first = name.empty() || name == "utf-8" || name == "utf8" || name == "us-ascii" ||
                                name == "ascii" || name == "x-unknown" || name == "unknown-8bit" ||
                                name == "default";
        if (utf8_first && core::IsValidUtf8(bytes)) return std::string(bytes);
        if (name == "utf-8" || name == "utf8") return SanitizeUtf8(bytes);
        return FromWindows1252(bytes);
    }
    detail::EnsureGMime();
    const char* iconv_name = g_mime_charset_iconv_name(name.c_str());
    if (iconv_name != nullptr) {
        if (auto converted = Convert(bytes, iconv_name)) return SanitizeUtf8(*converted);
    }
    if (core::IsValidUtf8(bytes)) return std::string(bytes);
    return FromWindows1252(bytes);
}

core::Result<InboundMessage> ParseMessage(std::string_view raw) {
    if (raw.size() > kMaxMessageBytes) {
        return core::Fail(core::Error::ResourceExhausted("the message is larger than the limit of " +
                                                         std::to_string(kMaxMessageBytes) + " bytes"));
    }
    if (raw.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        return core::Fail(core::Error::InvalidArgument("the message is empty"));
    }
    if (!HasHeaderBlock(raw)) {
        return core::Fail(core::Error::InvalidArgument("the message does not start with a header field"));
    }
    detail::EnsureGMime();

    GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
    GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
    g_mime_parser_set_format(parser.get(), raw.starts_with("From ") ? GMIME_FORMAT_MBOX : GMIME_FORMAT_MESSAGE);

    std::unique_ptr<GMimeParserOptions, decltype(&g_mime_parser_options_free)> options(
        g_mime_parser_options_new(), &g_mime_parser_options_free);
    const char* fallback[] = {"UTF-8", "windows-1252", nullptr};
    g_mime_parser_options_set_fallback_charsets(options.get(), fallback);
    g_mime_parser_options_set_rfc2047_compliance_mode(options.get(), GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_parameter_compliance_mode(options.get(), GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_address_compliance_mode(options.get(), GMIME_RFC_COMPLIANCE_LOOSE);

    GPtr<GMimeMessage> parsed(g_mime_parser_construct_message(parser.get(), options.get()));
    if (!parsed) return core::Fail(core::Error::InvalidArgument("the message could not be parsed as RFC 5322/MIME"));
    GMimeMessage* msg = parsed.get();

    InboundMessage out;
    auto from = Mailboxes(g_mime_message_get_from(msg));
    if (from.empty()) {
        auto sender = Mailboxes(g_mime_message_get_sender(msg));
        if (sender.empty()) return core::Fail(core::Error::InvalidArgument("the message has no From address"));
        from = std::move(sender);
    }
    out.from = from.front();
    if (out.from.address.find('@') == std::string::npos) {
        return core::Fail(core::Error::InvalidArgument("the From address '" + out.from.address + "' has no domain"));
    }
    out.to = Mailboxes(g_mime_message_get_to(msg));
    out.cc = Mailboxes(g_mime_message_get_cc(msg));
    out.reply_to = Mailboxes(g_mime_message_get_reply_to(msg));
    {
        std::string subject = SanitizeUtf8(Str(g_mime_message_get_subject(msg)));
        // Unfolded; stray CR/LF/TAB left by broken folding become spaces.
        std::replace_if(subject.begin(), subject.end(), [](char c) { return c == '\r' || c == '\n' || c == '\t'; },
                        ' ');
        auto first = subject.find_first_not_of(' ');
        auto last = subject.find_last_not_of(' ');
        out.subject = first == std::string::npos ? std::string() : subject.substr(first, last - first + 1);
    }
    out.message_id = SanitizeUtf8(Str(g_mime_message_get_message_id(msg)));
    if (const char* irt = g_mime_object_get_header(GMIME_OBJECT(msg), "In-Reply-To")) {
        GChars id(g_mime_utils_decode_message_id(irt));
        out.in_reply_to = SanitizeUtf8(Str(id.get()));
    }
    if (const char* refs_header = g_mime_object_get_header(GMIME_OBJECT(msg), "References")) {
        GMimeReferences* refs = g_mime_references_parse(options.get(), refs_header);
        if (refs != nullptr) {
            const int n = g_mime_references_length(refs);
            for (int i = 0; i < n && i < 1000; ++i) {
                out.references.push_back(SanitizeUtf8(Str(g_mime_references_get_message_id(refs, i))));
            }
            g_mime_references_free(refs);
        }
    }
    if (GDateTime* date = g_mime_message_get_date(msg)) {
        out.date = std::chrono::sys_seconds(std::chrono::seconds(g_date_time_to_unix(date)));
    }

    // Machine-sent mail (RFC 3834 and the common older headers).
    auto header = [&](const char* name) {
        std::string v = Lower(Str(g_mime_object_get_header(GMIME_OBJECT(msg), name)));
        auto first = v.find_first_not_of(" \t");
        return first == std::string::npos ? std::string() : v.substr(first, v.find_last_not_of(" \t\r\n") - first + 1);
    };
    if (std::string v = header("Auto-Submitted"); !v.empty() && v != "no") {
        out.automatic_reason = "Auto-Submitted: " + v;
    } else if (std::string p = header("Precedence"); p == "bulk" || p == "junk" || p == "list" || p == "auto_reply") {
        out.automatic_reason = "Precedence: " + p;
    } else if (g_mime_object_get_header(GMIME_OBJECT(msg), "X-Autoreply") != nullptr) {
        out.automatic_reason = "X-Autoreply";
    } else if (g_mime_object_get_header(GMIME_OBJECT(msg), "X-Autorespond") != nullptr) {
        out.automatic_reason = "X-Autorespond";
    } else if (MimeType(g_mime_message_get_mime_part(msg) ? g_mime_message_get_mime_part(msg) : GMIME_OBJECT(msg)) ==
               "multipart/report") {
        out.automatic_reason = "a delivery or read report (multipart/report)";
    }
    out.automatic = !out.automatic_reason.empty();

    Walker walker{out, 0, {}};
    walker.Walk(g_mime_message_get_mime_part(msg), 0);
    for (auto& t : walker.texts) {
        if (t.empty()) continue;
        if (!out.text.empty()) out.text += "\n\n";
        out.text += t;
    }
    if (out.text.empty() && !out.html.empty()) {
        out.text = HtmlToText(out.html);
        out.text_from_html = true;
    }
    return out;
}

}  // namespace customsdesk::mail
