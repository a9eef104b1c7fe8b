// Reading inbound mail: RFC 5322 + MIME (through GMime 3) into an InboundMessage, and the text helpers
// around it (HTML to plain text, stripping the quoted thread of a reply, any charset to UTF-8).
//
// ParseMessage never throws and never crashes on any input (fuzz-tested): what it cannot make sense of
// is an error with a reason (code kInvalidArgument, or kResourceExhausted above kMaxMessageBytes), and
// the caller keeps the raw bytes for an administrator. A message needs a header block and a From
// mailbox; everything else is optional.
// Thread-safety: all functions are reentrant (GMime is initialised once, on first use).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "customsdesk/core/error.hpp"
#include "customsdesk/mail/message.hpp"

namespace customsdesk::mail {

// Larger messages are refused before parsing (Postfix's default message_size_limit is 10 MB).
inline constexpr std::size_t kMaxMessageBytes = 50 * 1024 * 1024;

[[nodiscard]] core::Result<InboundMessage> ParseMessage(std::string_view raw);

// Readable plain text from HTML: drops tags, comments, <head>, <script> and <style>; block elements
// become line breaks, <li> a "- " item; entities decoded; runs of blanks collapsed; at most one empty
// line in a row. Input is UTF-8.
[[nodiscard]] std::string HtmlToText(std::string_view html);

// The new text of a reply: everything before the quoted thread. The thread starts at the first of
// an attribution line ("On … wrote:", "… kirjoitti:", "… skrev:", also split over two lines), a
// line quoted with ">", an Outlook "-----Original Message-----" separator (also the Finnish and
// Swedish ones) or an Outlook header block ("From:"/"Lähettäjä:" followed by "Sent:"/"Lähetetty:").
// Trailing blank lines are removed. When nothing would be left, the whole text is returned trimmed.
[[nodiscard]] std::string StripQuotedReply(std::string_view text);

// `bytes` in `charset` (a MIME charset name, any case; empty = unknown) as UTF-8. ISO-8859-1 and
// US-ASCII are read as Windows-1252 (as browsers do: mail labelled Latin-1 often has “smart quotes”);
// an unknown charset or undecodable bytes fall back to UTF-8 if valid, else Windows-1252, and any byte
// still undecodable becomes U+FFFD. Line ends are not changed.
[[nodiscard]] std::string ToUtf8(std::string_view bytes, std::string_view charset);

}  // namespace customsdesk::mail
