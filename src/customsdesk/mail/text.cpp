// HtmlToText and StripQuotedReply (declared in parse.hpp): pure text functions.
#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "customsdesk/core/utf8.hpp"
#include "customsdesk/mail/parse.hpp"

namespace customsdesk::mail {

namespace {

std::string LowerAscii(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// The named entities mail HTML actually uses; unknown ones are kept as written.
constexpr std::array<std::pair<std::string_view, char32_t>, 50> kEntities{{
    {"amp", U'&'},         {"lt", U'<'},          {"gt", U'>'},          {"quot", U'"'},        {"apos", U'\''},
    {"nbsp", U' '},        {"auml", U'ä'},        {"ouml", U'ö'},        {"aring", U'å'},       {"Auml", U'Ä'},
    {"Ouml", U'Ö'},        {"Aring", U'Å'},       {"uuml", U'ü'},        {"Uuml", U'Ü'},        {"eacute", U'é'},
    {"Eacute", U'É'},      {"egrave", U'è'},      {"agrave", U'à'},      {"aacute", U'á'},      {"oacute", U'ó'},
    {"iacute", U'í'},      {"uacute", U'ú'},      {"ccedil", U'ç'},      {"ntilde", U'ñ'},      {"szlig", U'ß'},
    {"oslash", U'ø'},      {"Oslash", U'Ø'},      {"aelig", U'æ'},       {"AElig", U'Æ'},       {"scaron", U'š'},
    {"Scaron", U'Š'},      {"zcaron", U'ž'},      {"Zcaron", U'Ž'},      {"euro", U'€'},        {"pound", U'£'},
    {"copy", U'©'},        {"reg", U'®'},         {"trade", U'™'},       {"deg", U'°'},         {"ndash", U'–'},
    {"mdash", U'—'},       {"hellip", U'…'},      {"lsquo", U'‘'},       {"rsquo", U'’'},       {"ldquo", U'“'},
    {"rdquo", U'”'},       {"laquo", U'«'},       {"raquo", U'»'},       {"bull", U'•'},        {"middot", U'·'},
}};

// Decodes the entity at s[i] == '&' into `out`; returns the index after it, or i + 1 (and appends '&')
// when it is not a recognised entity.
std::size_t DecodeEntity(std::string_view s, std::size_t i, std::string& out) {
    std::size_t end = s.find(';', i);
    if (end == std::string_view::npos || end - i > 12) {
        out.push_back('&');
        return i + 1;
    }
    std::string_view name = s.substr(i + 1, end - i - 1);
    if (name.size() >= 2 && name[0] == '#') {
        char32_t cp = 0;
        bool hex = name[1] == 'x' || name[1] == 'X';
        std::string_view digits = name.substr(hex ? 2 : 1);
        bool ok = !digits.empty();
        for (char c : digits) {
            int v;
            if (c >= '0' && c <= '9') {
                v = c - '0';
            } else if (hex && c >= 'a' && c <= 'f') {
                v = c - 'a' + 10;
            } else if (hex && c >= 'A' && c <= 'F') {
                v = c - 'A' + 10;
            } else {
                ok = false;
                break;
            }
            cp = cp * (hex ? 16 : 10) + static_cast<char32_t>(v);
            if (cp > 0x10FFFF) {
                ok = false;
                break;
            }
        }
        if (ok) {
            if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) cp = U'\uFFFD';
            if (cp == 0xA0) cp = U' ';
            core::AppendUtf8(out, cp);
            return end + 1;
        }
    } else {
        for (const auto& [entity, cp] : kEntities) {
            if (entity == name) {
                core::AppendUtf8(out, cp);
                return end + 1;
            }
        }
    }
    out.push_back('&');
    return i + 1;
}

bool IsBlockTag(std::string_view tag) {
    static constexpr std::array<std::string_view, 24> kBlocks{
        "p",  "div", "tr", "table", "ul", "ol", "h1", "h2", "h3",      "h4",      "h5",    "h6",
        "hr", "pre", "blockquote", "section", "article", "header", "footer", "address", "dl", "dt", "dd", "center"};
    return std::find(kBlocks.begin(), kBlocks.end(), tag) != kBlocks.end();
}

// Removes blanks at line starts and ends, turns runs of blank lines into one empty line, trims.
std::string TidyLines(std::string_view text) {
    std::string out;
    std::size_t pos = 0;
    int blank_run = 0;
    bool started = false;
    while (pos <= text.size()) {
        std::size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos) eol = text.size();
        std::string_view line = text.substr(pos, eol - pos);
        while (!line.empty() && IsSpace(line.front())) line.remove_prefix(1);
        while (!line.empty() && IsSpace(line.back())) line.remove_suffix(1);
        if (line.empty()) {
            ++blank_run;
        } else {
            if (started) out += blank_run > 0 ? "\n\n" : "\n";
            out.append(line);
            started = true;
            blank_run = 0;
        }
        pos = eol + 1;
    }
    return out;
}

}  // namespace

std::string HtmlToText(std::string_view html) {
    std::string out;
    out.reserve(html.size() / 2);
    bool in_pre = false;
    bool pending_space = false;
    std::size_t i = 0;
    auto newline = [&](int count) {  // a line break (<br>): always one more
        pending_space = false;
        for (int k = 0; k < count; ++k) out.push_back('\n');
    };
    auto flush_space = [&] {
        if (pending_space && !out.empty() && out.back() != '\n' && out.back() != ' ') out.push_back(' ');
        pending_space = false;
    };
    auto block_break = [&](int count) {  // block edges: at least `count` line breaks, not one per tag
        pending_space = false;
        if (out.empty()) return;
        int have = 0;
        for (auto it = out.rbegin(); it != out.rend() && *it == '\n'; ++it) ++have;
        for (int k = have; k < count; ++k) out.push_back('\n');
    };
    while (i < html.size()) {
        char c = html[i];
        if (c == '<') {
            if (html.substr(i, 4) == "<!--") {
                std::size_t end = html.find("-->", i + 4);
                i = end == std::string_view::npos ? html.size() : end + 3;
                continue;
            }
            std::size_t j = i + 1;
            bool closing = false;
            if (j < html.size() && html[j] == '/') {
                closing = true;
                ++j;
            }
            std::size_t name_start = j;
            while (j < html.size() && (std::isalnum(static_cast<unsigned char>(html[j])) || html[j] == '!' ||
                                       html[j] == '?')) {
                ++j;
            }
            if (j == name_start) {  // a lone '<' in text
                flush_space();
                out.push_back('<');
                ++i;
                continue;
            }
            std::string tag = LowerAscii(html.substr(name_start, j - name_start));
            // Find the end of the tag, honouring quoted attribute values.
            char quote = 0;
            while (j < html.size()) {
                char d = html[j];
                if (quote != 0) {
                    if (d == quote) quote = 0;
                } else if (d == '"' || d == '\'') {
                    quote = d;
                } else if (d == '>') {
                    break;
                }
                ++j;
            }
            i = j < html.size() ? j + 1 : html.size();
            if (!closing && (tag == "script" || tag == "style" || tag == "head" || tag == "title")) {
                // Skip to the matching end tag (case-insensitive).
                std::string lower_rest = LowerAscii(html.substr(i));
                std::size_t end = lower_rest.find("</" + tag);
                if (end == std::string::npos) {
                    i = html.size();
                } else {
                    std::size_t gt = html.find('>', i + end);
                    i = gt == std::string_view::npos ? html.size() : gt + 1;
                }
                continue;
            }
            if (tag == "br") {
                newline(1);
            } else if (tag == "li" && !closing) {
                block_break(1);
                out += "- ";
            } else if (tag == "td" || tag == "th") {
                if (closing) pending_space = true;
            } else if (tag == "pre") {
                in_pre = !closing;
                block_break(2);
            } else if (IsBlockTag(tag) || tag == "body" || tag == "html") {
                block_break(tag == "p" || tag == "table" || tag.starts_with('h') ? 2 : 1);
            } else if (tag == "img" && !closing) {
                pending_space = true;
            }
            continue;
        }
        if (!in_pre && IsSpace(c)) {
            pending_space = true;
            ++i;
            continue;
        }
        flush_space();
        if (c == '&') {
            i = DecodeEntity(html, i, out);
            continue;
        }
        out.push_back(c);
        ++i;
    }
    return TidyLines(out);
}

namespace {

std::string_view Trim(std::string_view s) {
    while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
    while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
    return s;
}

bool EndsWithAttribution(std::string_view line) {
    line = Trim(line);
    // Swedish and German put the verb before the name: "Den 2 mars 2026 skrev Kundtjänst <x@y>:".
    if (line.ends_with(':') && ((line.starts_with("Den ") && line.find(" skrev ") != std::string_view::npos) ||
                                (line.starts_with("Am ") && line.find(" schrieb ") != std::string_view::npos))) {
        return true;
    }
    for (std::string_view ending : {"wrote:", "kirjoitti:", "skrev:", "schrieb:", "a écrit :", "a écrit:"}) {
        if (line.ends_with(ending)) return true;
    }
    return false;
}

bool StartsWithAny(std::string_view line, std::initializer_list<std::string_view> prefixes) {
    for (std::string_view p : prefixes) {
        if (line.starts_with(p)) return true;
    }
    return false;
}

bool IsOriginalMessageSeparator(std::string_view line) {
    line = Trim(line);
    if (!line.starts_with("-----") || !line.ends_with("-----")) return false;
    std::string lower = LowerAscii(line);
    return lower.find("original message") != std::string::npos ||
           lower.find("alkuper") != std::string::npos ||  // "Alkuperäinen viesti"
           lower.find("ursprungligt meddelande") != std::string::npos ||
           lower.find("forwarded message") != std::string::npos ||
           lower.find("välitetty viesti") != std::string::npos;
}

bool IsHeaderBlockStart(std::string_view line) {
    return StartsWithAny(Trim(line), {"From:", "Lähettäjä:", "Från:", "Von:"});
}
bool IsHeaderBlockSecond(std::string_view line) {
    return StartsWithAny(Trim(line), {"Sent:", "Lähetetty:", "Skickat:", "Gesendet:", "Date:", "Päivämäärä:"});
}

// The first line of the attribution ending on line n: it may be split over two lines ("On Mon, 2 Mar
// 2026 at 10:00, Name <addr>" + "wrote:"), or be a bare "kirjoitti:" under the date and the name.
std::size_t AttributionStart(const std::vector<std::string_view>& lines, std::size_t n) {
    if (n == 0 || Trim(lines[n - 1]).empty()) return n;
    std::string_view line = Trim(lines[n]);
    std::string_view previous = Trim(lines[n - 1]);
    const bool bare = line.find(' ') == std::string_view::npos;
    if (bare || (previous.starts_with("On ") && !line.starts_with("On "))) return n - 1;
    return n;
}

}  // namespace

std::string StripQuotedReply(std::string_view text) {
    std::vector<std::string_view> lines;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos) eol = text.size();
        std::string_view line = text.substr(pos, eol - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines.push_back(line);
        pos = eol + 1;
    }
    std::size_t cut = lines.size();
    for (std::size_t n = 0; n < lines.size(); ++n) {
        std::string_view line = lines[n];
        std::string_view trimmed = Trim(line);
        if (trimmed.starts_with('>')) {
            cut = n;
            // An attribution line (or two) right above the quote belongs to the thread too.
            std::size_t k = n;
            while (k > 0 && Trim(lines[k - 1]).empty()) --k;
            if (k > 0 && EndsWithAttribution(lines[k - 1])) cut = AttributionStart(lines, k - 1);
            break;
        }
        if (EndsWithAttribution(line)) {
            cut = AttributionStart(lines, n);
            break;
        }
        if (IsOriginalMessageSeparator(line)) {
            cut = n;
            break;
        }
        if (trimmed.starts_with("________________________________") && n + 1 < lines.size() &&
            IsHeaderBlockStart(lines[n + 1])) {
            cut = n;
            break;
        }
        if (IsHeaderBlockStart(line)) {
            bool block = false;
            for (std::size_t k = n + 1; k < lines.size() && k <= n + 3; ++k) {
                if (IsHeaderBlockSecond(lines[k])) block = true;
            }
            if (block) {
                cut = n;
                break;
            }
        }
    }
    std::string out;
    for (std::size_t n = 0; n < cut; ++n) {
        if (n > 0) out.push_back('\n');
        out.append(lines[n]);
    }
    std::string_view kept = Trim(out);
    if (kept.empty()) return std::string(Trim(text));
    // Keep leading indentation of the first line out of it; trailing blanks go.
    std::string_view head = out;
    while (!head.empty() && (head.front() == '\n' || head.front() == '\r')) head.remove_prefix(1);
    while (!head.empty() && IsSpace(head.back())) head.remove_suffix(1);
    return std::string(head);
}

}  // namespace customsdesk::mail
