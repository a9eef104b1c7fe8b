// Internal helpers shared by the storage implementations. Not for use outside storage/.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace customsdesk::storage::detail {

// A URL with the password (userinfo after ':' and any `password=` query parameter) replaced by "***".
std::string MaskPassword(std::string_view url);

}  // namespace customsdesk::storage::detail
