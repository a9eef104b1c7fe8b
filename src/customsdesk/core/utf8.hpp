// UTF-8 encoding and strict decoding of code points. Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace customsdesk::core {

// Appends the UTF-8 form of `cp` (a Unicode scalar value) to `out`.
void AppendUtf8(std::string& out, char32_t cp);

// Decodes the code point at `i` and advances `i` past it. Overlong forms, surrogates, values above
// U+10FFFF and truncated or malformed sequences give nullopt and advance `i` by one byte.
std::optional<char32_t> NextCodePoint(std::string_view s, std::size_t& i);

[[nodiscard]] bool IsValidUtf8(std::string_view s);

}  // namespace customsdesk::core
