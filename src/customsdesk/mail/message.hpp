// Mail messages as the rest of customsdesk sees them: plain values, no GMime types.
//
// InboundMessage is what ParseMessage (parse.hpp) makes of an RFC 5322/MIME message: every text is
// UTF-8 (whatever charset the sender used), Message-IDs are bare (no angle brackets), attachments hold
// their decoded bytes. OutboundMessage is what SmtpClient (smtp_client.hpp) sends.
// Thread-safety: plain values.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace customsdesk::mail {

// One mailbox: "Matti Meikäläinen <matti@example.fi>" → {address "matti@example.fi", name "Matti Meikäläinen"}.
struct Mailbox {
    std::string address;  // addr-spec, as written (the domain is not lower-cased)
    std::string name;     // display name, decoded to UTF-8; empty when there is none

    friend bool operator==(const Mailbox&, const Mailbox&) = default;
};

struct Attachment {
    std::string filename;      // decoded (RFC 2231 / RFC 2047) to UTF-8; may be empty (e.g. inline image)
    std::string content_type;  // lower-case "type/subtype", e.g. "application/pdf"
    std::string content_id;    // bare Content-ID for inline parts, else empty
    bool is_inline = false;    // Content-Disposition: inline (or no disposition) rather than attachment
    std::string data;          // the decoded bytes (base64 / quoted-printable undone)
};

struct InboundMessage {
    Mailbox from;
    std::vector<Mailbox> to;
    std::vector<Mailbox> cc;
    std::vector<Mailbox> reply_to;
    std::string subject;  // decoded (RFC 2047) to UTF-8, unfolded; empty when missing
    std::string message_id;                 // bare; empty when the message has none
    std::string in_reply_to;                // bare; the first id of In-Reply-To, empty when none
    std::vector<std::string> references;    // bare ids of References, oldest first
    std::optional<std::chrono::sys_seconds> date;  // Date header; nullopt when missing or unparsable
    std::string text;     // the body as UTF-8 plain text ("\n" line ends); made from the HTML when there is no text part
    std::string html;     // the HTML body as UTF-8 when the message has one, else empty
    bool text_from_html = false;  // true when `text` was produced from `html`
    std::vector<Attachment> attachments;
    // Sent by a machine, not a person (RFC 3834 Auto-Submitted other than "no", Precedence bulk /
    // junk / list / auto_reply, X-Autoreply / X-Autorespond, a delivery report multipart/report):
    // out-of-office answers and bounces. `automatic_reason` names the header that said so.
    bool automatic = false;
    std::string automatic_reason;
};

// What SmtpClient sends: one text/plain UTF-8 body, threading headers.
struct OutboundMessage {
    enum class BodyEncoding { kQuotedPrintable, kBase64 };

    Mailbox from;
    std::vector<Mailbox> to;
    std::string subject;                  // UTF-8; non-ASCII is RFC 2047-encoded on the wire
    std::string message_id;               // bare; required (see GenerateMessageId)
    std::string in_reply_to;              // bare; empty: no In-Reply-To header
    std::vector<std::string> references;  // bare; empty: no References header
    std::optional<std::chrono::sys_seconds> date;  // nullopt: the Date header is left out
    std::string text;                     // UTF-8 body
    BodyEncoding encoding = BodyEncoding::kQuotedPrintable;
    bool auto_generated = false;          // adds "Auto-Submitted: auto-generated" (RFC 3834): no auto-replies
};

}  // namespace customsdesk::mail
