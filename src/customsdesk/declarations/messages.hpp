// Violation messages in the caller's language (fi, sv, en), by stable violation code.
//
// Every violation has a code ("required", "unknown_country", "net_exceeds_gross", ...); the
// message is looked up here by code and language and formatted with up to two arguments
// (`{0}`, `{1}`). Codes without a text fall back to the English message given by the caller.
// Pure, thread-safe (constant tables).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace customsdesk::declarations {

enum class Language { kFi, kSv, kEn };
std::string_view LanguageName(Language l);
std::optional<Language> ParseLanguage(std::string_view code);  // "fi", "sv", "en" (case-insensitive)
// The first supported language of an Accept-Language header by q-value ("sv-FI;q=0.8, en" -> en);
// nullopt when none is supported.
std::optional<Language> FromAcceptLanguage(std::string_view header);

// The message for `code` in `lang` with `{0}`/`{1}` replaced; nullopt when the code has no text.
std::optional<std::string> Message(std::string_view code, Language lang, std::string_view arg0 = {},
                                   std::string_view arg1 = {});

}  // namespace customsdesk::declarations
