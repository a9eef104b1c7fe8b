#include <gtest/gtest.h>

#include "customsdesk/mail/parse.hpp"

namespace customsdesk::mail {
namespace {

TEST(HtmlToText, DropsScriptsStylesAndComments) {
    EXPECT_EQ(HtmlToText("<style>a{}</style><SCRIPT>x<y</SCRIPT><p>Hello <!-- hidden --> world</p>"), "Hello world");
}

TEST(HtmlToText, BlocksBecomeLinesAndEntitiesDecode) {
    EXPECT_EQ(HtmlToText("<div>R&auml;k&#228;&#xE4;</div><div>A &lt;b&gt; &amp; c&nbsp;d</div>"), "Räkää\nA <b> & c d");
    EXPECT_EQ(HtmlToText("<p>one</p><p>two</p>"), "one\n\ntwo");
    EXPECT_EQ(HtmlToText("a<br>b<br/>c"), "a\nb\nc");
}

TEST(HtmlToText, AttributesWithAngleBracketsAndBrokenMarkup) {
    EXPECT_EQ(HtmlToText("<a title=\"x > y\" href='z'>link</a> text"), "link text");
    EXPECT_EQ(HtmlToText("1 < 2 and &unknown; &#xZZ; <"), "1 < 2 and &unknown; &#xZZ; <");
    EXPECT_EQ(HtmlToText("<p>unterminated <b"), "unterminated");
    EXPECT_EQ(HtmlToText("<script>never closed"), "");
}

TEST(HtmlToText, PreKeepsLineBreaks) {
    EXPECT_EQ(HtmlToText("<pre>a  b\nc</pre>"), "a  b\nc");
}

TEST(StripQuotedReply, EnglishAttributionOnTwoLines) {
    EXPECT_EQ(StripQuotedReply("Thanks!\n\nOn Mon, 2 Mar 2026 at 10:00, Service Desk <sd@example.org>\nwrote:\n> old\n"),
              "Thanks!");
    EXPECT_EQ(StripQuotedReply("Thanks!\nOn Mon, 2 Mar 2026, Desk <sd@example.org> wrote:\n\n> old"), "Thanks!");
}

TEST(StripQuotedReply, FinnishAndSwedishAttribution) {
    EXPECT_EQ(StripQuotedReply("Kiitos.\n\nma 2.3.2026 klo 10.00 Asiakaspalvelu kirjoitti:\n> vanha"), "Kiitos.");
    EXPECT_EQ(StripQuotedReply("Tack.\n\nDen 2 mars 2026 skrev Kundtjänst:\n> gammal"), "Tack.");
}

TEST(StripQuotedReply, QuoteWithoutAttribution) {
    EXPECT_EQ(StripQuotedReply("New text\n> quoted\n> more"), "New text");
}

TEST(StripQuotedReply, OutlookSeparatorsAndHeaderBlocks) {
    EXPECT_EQ(StripQuotedReply("Vastaus\r\n\r\n-----Alkuperäinen viesti-----\r\nLähettäjä: X\r\n"), "Vastaus");
    EXPECT_EQ(StripQuotedReply("Answer\n________________________________\nFrom: X\nSent: today\n"), "Answer");
    EXPECT_EQ(StripQuotedReply("Vastaus\n\nLähettäjä: Tulli <x@y>\nLähetetty: maanantai\nAihe: z\n"), "Vastaus");
}

TEST(StripQuotedReply, NothingQuotedKeepsAllAndAllQuotedKeepsAll) {
    EXPECT_EQ(StripQuotedReply("Just text\nwith From: inside a sentence\n\n"), "Just text\nwith From: inside a sentence");
    EXPECT_EQ(StripQuotedReply("> only a quote\n> here"), "> only a quote\n> here");
}

TEST(ToUtf8, CharsetsConvert) {
    EXPECT_EQ(ToUtf8("\xE4\xF6\xE5", "ISO-8859-1"), "äöå");
    EXPECT_EQ(ToUtf8("\x80\x93x\x94", "windows-1252"), "€“x”");
    EXPECT_EQ(ToUtf8("\xA4", "iso-8859-15"), "€");
    EXPECT_EQ(ToUtf8("\xE4", "us-ascii"), "ä");          // 8-bit mislabelled as ASCII: read as Windows-1252
    EXPECT_EQ(ToUtf8("ä", "no-such-charset"), "ä");      // unknown charset, valid UTF-8
    EXPECT_EQ(ToUtf8("\xE4", "no-such-charset"), "ä");   // unknown charset, not UTF-8
    EXPECT_EQ(ToUtf8("a\xFF" "b", "utf-8"), "a\xEF\xBF\xBD" "b");  // invalid UTF-8 → U+FFFD
    EXPECT_EQ(ToUtf8("\x81", "windows-1252"), "\xEF\xBF\xBD");
    EXPECT_EQ(ToUtf8("\x1B$B$3$s$K$A$O\x1B(B", "iso-2022-jp"), "こんにちは");
}

}  // namespace
}  // namespace customsdesk::mail
