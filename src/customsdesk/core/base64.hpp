// Unpadded base64url (RFC 4648 §5) for opaque cursors and tokens. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace customsdesk::core {

std::string Base64UrlEncode(std::string_view bytes);
// nullopt on any character outside the alphabet or an impossible length.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace customsdesk::core
