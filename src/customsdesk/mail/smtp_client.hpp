// Sending mail: composing an OutboundMessage (through GMime) and delivering it to one SMTP relay.
//
// SmtpClient speaks plain SMTP (RFC 5321: EHLO, falling back to HELO; MAIL FROM, RCPT TO, DATA with
// dot-stuffing; QUIT) to the configured relay, typically the local Postfix, which queues and delivers.
// No TLS and no AUTH: the relay is expected on the same host or a trusted network. Every step is
// bounded by a timeout. Errors:
//   kUnavailable         connection refused / reset, timeout, or a 4xx reply: try again later;
//   kFailedPrecondition  a 5xx reply (the relay refused the sender, a recipient or the message): do
//                        not retry without a change;
//   kInvalidArgument     the message itself is unusable (no recipient, CR/LF in an address, ...).
// Thread-safety: Send may be called from several threads at once (each call has its own connection).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "customsdesk/core/error.hpp"
#include "customsdesk/mail/message.hpp"

namespace customsdesk::mail {

struct SmtpSettings {
    std::string host = "127.0.0.1";
    std::uint16_t port = 25;
    std::string helo_name = "localhost";  // our name in EHLO
    std::chrono::milliseconds connect_timeout{10'000};
    std::chrono::milliseconds command_timeout{60'000};  // each reply; RFC 5321 suggests minutes
    std::chrono::milliseconds data_timeout{120'000};    // the reply to the final "."
};

// The whole message (headers + body) with CRLF line ends, ready for DATA. The body is text/plain;
// charset=utf-8 in quoted-printable or base64, the subject and display names RFC 2047-encoded when not
// ASCII, In-Reply-To and References as <id>.
[[nodiscard]] core::Result<std::string> ComposeMessage(const OutboundMessage& message);

// A new globally unique bare Message-ID "<random>@<domain>".
[[nodiscard]] std::string GenerateMessageId(std::string_view domain);

// `data` with CRLF line ends, lines starting with "." doubled, and the terminating ".\r\n" appended.
[[nodiscard]] std::string DotStuff(std::string_view data);

class SmtpClient {
public:
    explicit SmtpClient(SmtpSettings settings);

    // Composes and sends `message` to all of its To recipients; the envelope sender is its From.
    [[nodiscard]] core::Result<void> Send(const OutboundMessage& message) const;

    // Sends a ready message (`data`, any line ends) with an explicit envelope.
    [[nodiscard]] core::Result<void> SendRaw(std::string_view envelope_from, const std::vector<std::string>& recipients,
                                             std::string_view data) const;

    [[nodiscard]] const SmtpSettings& settings() const { return settings_; }

private:
    SmtpSettings settings_;
};

}  // namespace customsdesk::mail
