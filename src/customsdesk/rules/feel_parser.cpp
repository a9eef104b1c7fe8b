// FEEL lexer and recursive-descent parser. Internally a syntax error unwinds with a private
// exception type that never leaves this file: the public entry points return core::Result.
#include <cctype>
#include <string>

#include "customsdesk/core/utf8.hpp"
#include "customsdesk/rules/feel_ast.hpp"
#include "customsdesk/rules/temporal.hpp"

namespace customsdesk::rules {
namespace {

constexpr std::string_view kMultiWordBuiltins[] = {
    "date and time", "years and months duration", "days and time duration", "string length", "upper case",
    "lower case", "substring before", "substring after", "starts with", "ends with", "list contains",
    "insert before", "index of", "distinct values", "get value", "get entries", "day of year", "day of week",
    "month of year", "week of year", "round up", "round down", "round half up", "round half down", "string join",
    "context put", "context merge", "list replace", "is", "time offset", "start included", "end included",
    "met by", "overlaps before", "overlaps after", "finished by", "started by", "number", "date", "time",
};

enum class Tok : uint8_t { kEnd, kNumber, kString, kName, kPunct, kTemporal };

struct Token {
    Tok kind = Tok::kEnd;
    std::string text;  // punct text, name text, decoded string, number text
    size_t begin = 0;
    size_t end = 0;
};

struct SyntaxError {
    size_t pos;
    std::string message;
};

bool IsNameStart(unsigned char c) { return std::isalpha(c) || c == '_' || c >= 0x80; }
bool IsNamePart(unsigned char c) { return IsNameStart(c) || std::isdigit(c) || c == '\''; }


class Parser {
public:
    Parser(std::string_view src, const NameSet& names) : src_(src), names_(names) { Advance(0); }

    NodePtr ParseExpressionAll() {
        NodePtr n = ParseExpr();
        ExpectEnd();
        return n;
    }

    NodePtr ParseUnaryTestsAll() {
        size_t start = SkipSpace(0);
        size_t end = src_.size();
        while (end > start && std::isspace(static_cast<unsigned char>(src_[end - 1]))) --end;
        if (src_.substr(start, end - start) == "-") return Make(NodeKind::kDash, start);
        if (tok_.kind == Tok::kName && tok_.text == "not") {
            Token after = Lex(tok_.end);
            if (after.kind == Tok::kPunct && after.text == "(") {
                size_t at = tok_.begin;
                Advance(after.end);
                auto tests = ParseTestList(")");
                Expect(")");
                if (tok_.kind == Tok::kEnd) {
                    auto n = Make(NodeKind::kNotTests, at);
                    n->kids.push_back(tests);
                    return n;
                }
                // `not(x) = y` style expression: re-parse from the start as an expression list.
                Advance(start);
            }
        }
        auto tests = ParseTestList("");
        ExpectEnd();
        return tests;
    }

    // Line and column of a byte offset; incremental (offsets mostly grow), so parsing stays linear.
    std::pair<int, int> LineCol(size_t pos) {
        if (pos < lc_pos_) lc_pos_ = 0, lc_line_ = 1, lc_col_ = 1;
        for (; lc_pos_ < pos && lc_pos_ < src_.size(); ++lc_pos_) {
            if (src_[lc_pos_] == '\n') {
                ++lc_line_;
                lc_col_ = 1;
            } else if ((static_cast<unsigned char>(src_[lc_pos_]) & 0xC0) != 0x80) {
                ++lc_col_;
            }
        }
        return {lc_line_, lc_col_};
    }

private:
    struct DepthGuard {
        explicit DepthGuard(Parser& p) : p_(p) {
            if (++p_.depth_ > kMaxParseDepth) throw SyntaxError{p_.tok_.begin, "expression nested too deeply"};
        }
        ~DepthGuard() { --p_.depth_; }
        DepthGuard(const DepthGuard&) = delete;
        DepthGuard& operator=(const DepthGuard&) = delete;
        Parser& p_;
    };

    std::shared_ptr<Node> Make(NodeKind k, size_t pos) {
        auto n = std::make_shared<Node>();
        n->kind = k;
        auto [l, c] = LineCol(pos);
        n->line = l;
        n->column = c;
        return n;
    }

    [[noreturn]] void Fail(size_t pos, std::string msg) { throw SyntaxError{pos, std::move(msg)}; }

    size_t SkipSpace(size_t i) const {
        while (i < src_.size()) {
            unsigned char c = static_cast<unsigned char>(src_[i]);
            if (std::isspace(c)) {
                ++i;
            } else if (c == 0xC2 && i + 1 < src_.size() && static_cast<unsigned char>(src_[i + 1]) == 0xA0) {
                i += 2;  // no-break space
            } else if (src_.substr(i, 2) == "//") {
                while (i < src_.size() && src_[i] != '\n') ++i;
            } else if (src_.substr(i, 2) == "/*") {
                size_t e = src_.find("*/", i + 2);
                i = e == std::string_view::npos ? src_.size() : e + 2;
            } else {
                break;
            }
        }
        return i;
    }

    Token Lex(size_t at) {
        Token t;
        size_t i = SkipSpace(at);
        t.begin = i;
        if (i >= src_.size()) {
            t.kind = Tok::kEnd;
            t.end = i;
            return t;
        }
        unsigned char c = static_cast<unsigned char>(src_[i]);
        if (std::isdigit(c) || (c == '.' && i + 1 < src_.size() && std::isdigit(static_cast<unsigned char>(src_[i + 1])))) {
            size_t j = i;
            while (j < src_.size() && std::isdigit(static_cast<unsigned char>(src_[j]))) ++j;
            if (j + 1 < src_.size() && src_[j] == '.' && std::isdigit(static_cast<unsigned char>(src_[j + 1]))) {
                ++j;
                while (j < src_.size() && std::isdigit(static_cast<unsigned char>(src_[j]))) ++j;
            }
            if (j < src_.size() && (src_[j] == 'e' || src_[j] == 'E')) {
                size_t k = j + 1;
                if (k < src_.size() && (src_[k] == '+' || src_[k] == '-')) ++k;
                if (k < src_.size() && std::isdigit(static_cast<unsigned char>(src_[k]))) {
                    while (k < src_.size() && std::isdigit(static_cast<unsigned char>(src_[k]))) ++k;
                    j = k;
                }
            }
            t.kind = Tok::kNumber;
            t.text = std::string(src_.substr(i, j - i));
            t.end = j;
            return t;
        }
        if (c == '"' || (c == '@' && i + 1 < src_.size() && src_[i + 1] == '"')) {
            bool temporal = c == '@';
            size_t j = i + (temporal ? 2 : 1);
            std::string out;
            while (true) {
                if (j >= src_.size()) Fail(i, "unterminated string literal");
                char d = src_[j];
                if (d == '"') break;
                if (d == '\\' && j + 1 < src_.size()) {
                    char e = src_[j + 1];
                    j += 2;
                    switch (e) {
                        case 'n':
                            out += '\n';
                            break;
                        case 't':
                            out += '\t';
                            break;
                        case 'r':
                            out += '\r';
                            break;
                        case '"':
                        case '\\':
                        case '\'':
                            out += e;
                            break;
                        case 'u':
                        case 'U': {
                            size_t len = e == 'u' ? 4 : 6;
                            if (j + len > src_.size()) Fail(j, "bad unicode escape");
                            uint32_t cp = static_cast<uint32_t>(std::stoul(std::string(src_.substr(j, len)), nullptr, 16));
                            j += len;
                            if (cp >= 0xD800 && cp <= 0xDBFF && src_.substr(j, 2) == "\\u" && j + 6 <= src_.size()) {
                                uint32_t lo = static_cast<uint32_t>(std::stoul(std::string(src_.substr(j + 2, 4)), nullptr, 16));
                                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                                    j += 6;
                                }
                            }
                            core::AppendUtf8(out, static_cast<char32_t>(cp));
                            break;
                        }
                        default:
                            out += '\\';
                            out += e;
                    }
                    continue;
                }
                out += d;
                ++j;
            }
            t.kind = temporal ? Tok::kTemporal : Tok::kString;
            t.text = std::move(out);
            t.end = j + 1;
            return t;
        }
        if (IsNameStart(c)) {
            size_t j = i;
            while (j < src_.size() && IsNamePart(static_cast<unsigned char>(src_[j]))) ++j;
            t.kind = Tok::kName;
            t.text = std::string(src_.substr(i, j - i));
            t.end = j;
            return t;
        }
        static constexpr std::string_view kPuncts[] = {"**", "..", "!=", "<=", ">=", "->", "+", "-", "*", "/", "(",
                                                       ")",  "[",  "]",  "{",  "}",  ",",  ".", ":", "=", "<", ">",
                                                       "?",  "@"};
        for (auto p : kPuncts) {
            if (src_.substr(i, p.size()) == p) {
                t.kind = Tok::kPunct;
                t.text = std::string(p);
                t.end = i + p.size();
                return t;
            }
        }
        Fail(i, "unexpected character '" + std::string(1, static_cast<char>(c)) + "'");
    }

    void Advance(size_t at) { tok_ = Lex(at); }
    void Next() { Advance(tok_.end); }
    bool IsPunct(std::string_view p) const { return tok_.kind == Tok::kPunct && tok_.text == p; }
    bool IsWord(std::string_view w) const { return tok_.kind == Tok::kName && tok_.text == w; }
    void Expect(std::string_view p) {
        if (!IsPunct(p)) Fail(tok_.begin, "expected '" + std::string(p) + "'" + Found());
        Next();
    }
    void ExpectWord(std::string_view w) {
        if (!IsWord(w)) Fail(tok_.begin, "expected '" + std::string(w) + "'" + Found());
        Next();
    }
    void ExpectEnd() {
        if (tok_.kind != Tok::kEnd) Fail(tok_.begin, "unexpected " + Describe());
    }
    std::string Describe() const {
        if (tok_.kind == Tok::kEnd) return "end of input";
        return "'" + std::string(src_.substr(tok_.begin, tok_.end - tok_.begin)) + "'";
    }
    std::string Found() const { return ", found " + Describe(); }

    // Longest known name starting at the current name token; returns its end offset and normalised text.
    std::pair<size_t, std::string> MatchName() {
        size_t best_end = tok_.end;
        std::string best = tok_.text;
        const auto& set = names_.names();
        for (auto it = set.lower_bound(tok_.text); it != set.end() && it->starts_with(tok_.text); ++it) {
            const std::string& cand = *it;
            if (cand.size() <= tok_.text.size()) continue;
            size_t i = tok_.begin, k = 0;
            bool ok = true;
            while (k < cand.size()) {
                if (cand[k] == ' ') {
                    if (i >= src_.size() || !std::isspace(static_cast<unsigned char>(src_[i]))) {
                        ok = false;
                        break;
                    }
                    while (i < src_.size() && std::isspace(static_cast<unsigned char>(src_[i]))) ++i;
                    ++k;
                    continue;
                }
                if (i >= src_.size() || src_[i] != cand[k]) {
                    ok = false;
                    break;
                }
                ++i;
                ++k;
            }
            if (!ok) continue;
            if (IsNamePart(static_cast<unsigned char>(cand.back())) && i < src_.size() &&
                IsNamePart(static_cast<unsigned char>(src_[i])))
                continue;
            if (i > best_end) {
                best_end = i;
                best = cand;
            }
        }
        return {best_end, best};
    }

    static bool IsKeyword(std::string_view w) {
        return w == "and" || w == "or" || w == "then" || w == "else" || w == "return" || w == "satisfies" ||
               w == "in" || w == "between" || w == "instance";
    }

    NodePtr ParseExpr() {
        DepthGuard g(*this);
        return ParseDisjunction();
    }

    NodePtr ParseDisjunction() {
        NodePtr l = ParseConjunction();
        while (IsWord("or")) {
            size_t at = tok_.begin;
            Next();
            auto n = Make(NodeKind::kOr, at);
            n->kids = {l, ParseConjunction()};
            l = n;
        }
        return l;
    }

    NodePtr ParseConjunction() {
        NodePtr l = ParseComparison();
        while (IsWord("and")) {
            size_t at = tok_.begin;
            Next();
            auto n = Make(NodeKind::kAnd, at);
            n->kids = {l, ParseComparison()};
            l = n;
        }
        return l;
    }

    bool AtComparisonOp() const {
        return tok_.kind == Tok::kPunct &&
               (tok_.text == "=" || tok_.text == "!=" || tok_.text == "<" || tok_.text == "<=" || tok_.text == ">" ||
                tok_.text == ">=");
    }

    NodePtr ParseComparison() {
        DepthGuard g(*this);
        NodePtr l = ParseAdditive();
        while (true) {
            size_t at = tok_.begin;
            if (AtComparisonOp()) {
                auto n = Make(NodeKind::kCompare, at);
                n->op = tok_.text;
                Next();
                n->kids = {l, ParseAdditive()};
                l = n;
            } else if (IsWord("between")) {
                Next();
                auto n = Make(NodeKind::kBetween, at);
                NodePtr lo = ParseAdditive();
                ExpectWord("and");
                n->kids = {l, lo, ParseAdditive()};
                l = n;
            } else if (IsWord("in")) {
                Next();
                auto n = Make(NodeKind::kIn, at);
                NodePtr rhs;
                if (IsPunct("(")) {
                    rhs = ParsePrimaryPostfix();
                } else {
                    rhs = ParsePositiveTest();
                }
                n->kids = {l, rhs};
                l = n;
            } else if (IsWord("instance")) {
                Next();
                ExpectWord("of");
                auto n = Make(NodeKind::kInstanceOf, at);
                n->op = ParseType();
                n->kids = {l};
                l = n;
            } else {
                return l;
            }
        }
    }

    std::string ParseType() {
        DepthGuard g(*this);
        if (tok_.kind != Tok::kName) Fail(tok_.begin, "expected a type name" + Found());
        auto [end, name] = MatchName();
        Advance(end);
        if ((name == "list" || name == "range" || name == "context" || name == "function") && IsPunct("<")) {
            Next();
            std::string out = name + "<";
            bool first = true;
            while (!IsPunct(">")) {
                if (!first) {
                    Expect(",");
                    out += ", ";
                }
                first = false;
                if (name == "context") {
                    if (tok_.kind != Tok::kName) Fail(tok_.begin, "expected a context entry name" + Found());
                    auto [e2, key] = MatchName();
                    Advance(e2);
                    Expect(":");
                    out += key + ": ";
                }
                out += ParseType();
            }
            Next();
            out += ">";
            if (name == "function" && IsPunct("->")) {
                Next();
                out += "->" + ParseType();
            }
            return out;
        }
        return name;
    }

    NodePtr ParseAdditive() {
        NodePtr l = ParseMultiplicative();
        while (IsPunct("+") || IsPunct("-")) {
            auto n = Make(NodeKind::kArith, tok_.begin);
            n->op = tok_.text;
            Next();
            n->kids = {l, ParseMultiplicative()};
            l = n;
        }
        return l;
    }

    NodePtr ParseMultiplicative() {
        NodePtr l = ParsePower();
        while (IsPunct("*") || IsPunct("/")) {
            auto n = Make(NodeKind::kArith, tok_.begin);
            n->op = tok_.text;
            Next();
            n->kids = {l, ParsePower()};
            l = n;
        }
        return l;
    }

    NodePtr ParsePower() {
        NodePtr l = ParseUnary();
        while (IsPunct("**")) {
            auto n = Make(NodeKind::kArith, tok_.begin);
            n->op = "**";
            Next();
            n->kids = {l, ParseUnary()};
            l = n;
        }
        return l;
    }

    NodePtr ParseUnary() {
        DepthGuard g(*this);
        if (IsPunct("-")) {
            auto n = Make(NodeKind::kNegate, tok_.begin);
            Next();
            n->kids = {ParseUnary()};
            return n;
        }
        return ParsePrimaryPostfix();
    }

    NodePtr ParsePrimaryPostfix() {
        NodePtr n = ParsePrimary();
        while (true) {
            size_t at = tok_.begin;
            if (IsPunct(".")) {
                Next();
                if (tok_.kind != Tok::kName) Fail(tok_.begin, "expected a name after '.'" + Found());
                auto [end, name] = MatchName();
                Advance(end);
                auto p = Make(NodeKind::kPath, at);
                p->name = name;
                p->kids = {n};
                n = p;
            } else if (IsPunct("[")) {
                // Inside a range's upper bound, `[` may close the range (`[1..10[`): try a filter,
                // and back off when it does not parse.
                Token save = tok_;
                int save_depth = depth_;
                try {
                    Next();
                    auto f = Make(NodeKind::kFilter, at);
                    f->kids = {n, ParseExpr()};
                    Expect("]");
                    n = f;
                } catch (const SyntaxError&) {
                    if (range_end_ == 0) throw;
                    tok_ = save;
                    depth_ = save_depth;
                    return n;
                }
            } else if (IsPunct("(")) {
                Next();
                auto c = Make(NodeKind::kCall, at);
                c->kids = {n};
                ParseArguments(*c);
                n = c;
            } else {
                return n;
            }
        }
    }

    void ParseArguments(Node& call) {
        bool named = false;
        bool first = true;
        while (!IsPunct(")")) {
            if (!first) Expect(",");
            first = false;
            // Named argument: name(s) followed by ':'.
            if (tok_.kind == Tok::kName) {
                size_t save = tok_.begin;
                std::string key;
                size_t end = tok_.end;
                Token t = tok_;
                while (t.kind == Tok::kName) {
                    key += (key.empty() ? "" : " ") + t.text;
                    end = t.end;
                    t = Lex(t.end);
                }
                if (t.kind == Tok::kPunct && t.text == ":") {
                    named = true;
                    Advance(t.end);
                    call.names.push_back(key);
                    call.kids.push_back(ParseExpr());
                    continue;
                }
                (void)end;
                Advance(save);
            }
            if (named) Fail(tok_.begin, "positional argument after named arguments");
            call.kids.push_back(ParseExpr());
        }
        Next();
        if (named && call.names.size() != call.kids.size() - 1) Fail(tok_.begin, "mixed named and positional arguments");
    }

    // A positive unary test: `< e`, `<= e`, `> e`, `>= e`, `= e`, `!= e`, or an expression.
    NodePtr ParsePositiveTest() {
        DepthGuard g(*this);
        if (AtComparisonOp()) {
            auto n = Make(NodeKind::kUnaryCmp, tok_.begin);
            n->op = tok_.text;
            Next();
            n->kids = {ParseAdditive()};
            return n;
        }
        return ParseExpr();
    }

    NodePtr ParseTestList(std::string_view closer) {
        auto list = Make(NodeKind::kTestList, tok_.begin);
        while (true) {
            list->kids.push_back(ParsePositiveTest());
            if (IsPunct(",")) {
                Next();
                continue;
            }
            break;
        }
        (void)closer;
        return list;
    }

    NodePtr FinishRange(NodePtr lo, bool low_closed, size_t at) {
        auto r = Make(NodeKind::kRange, at);
        r->low_closed = low_closed;
        ++range_end_;
        NodePtr hi = ParseExpr();
        --range_end_;
        r->kids = {lo, hi};
        if (IsPunct("]")) {
            r->high_closed = true;
        } else if (IsPunct(")") || IsPunct("[")) {
            r->high_closed = false;
        } else {
            Fail(tok_.begin, "expected ']' or ')' to close the range" + Found());
        }
        Next();
        return r;
    }

    NodePtr ParsePrimary() {
        DepthGuard g(*this);
        size_t at = tok_.begin;
        switch (tok_.kind) {
            case Tok::kEnd:
                Fail(at, "unexpected end of input");
            case Tok::kNumber: {
                auto d = Decimal::Parse(tok_.text);
                if (!d) Fail(at, "number out of range");
                auto n = Make(NodeKind::kLiteral, at);
                n->value = Value(*d);
                Next();
                return n;
            }
            case Tok::kString: {
                auto n = Make(NodeKind::kLiteral, at);
                n->value = Value(tok_.text);
                Next();
                return n;
            }
            case Tok::kTemporal: {
                auto n = Make(NodeKind::kLiteral, at);
                n->value = ParseTemporalLiteral(tok_.text);
                // An invalid literal is a runtime error (null), so one bad cell does not reject a model.
                if (n->value.IsNull()) n->op = "invalid temporal literal @\"" + tok_.text + "\"";
                Next();
                return n;
            }
            case Tok::kPunct:
                return ParsePunctPrimary(at);
            case Tok::kName:
                break;
        }
        const std::string w = tok_.text;  // a copy: tok_ changes as we advance
        if (w == "true" || w == "false") {
            auto n = Make(NodeKind::kLiteral, at);
            n->value = Value(w == "true");
            Next();
            return n;
        }
        if (w == "null") {
            Next();
            return Make(NodeKind::kLiteral, at);
        }
        if (w == "if") {
            Next();
            auto n = Make(NodeKind::kIf, at);
            NodePtr c = ParseExpr();
            ExpectWord("then");
            NodePtr t = ParseExpr();
            ExpectWord("else");
            n->kids = {c, t, ParseExpr()};
            return n;
        }
        if (w == "for" || w == "some" || w == "every") {
            Token after = Lex(tok_.end);
            if (after.kind == Tok::kName) return ParseIteration(w, at);
        }
        if (w == "function") {
            Token after = Lex(tok_.end);
            if (after.kind == Tok::kPunct && after.text == "(") return ParseFunctionDef(at);
        }
        if (IsKeyword(w)) Fail(at, "unexpected keyword '" + w + "'");
        auto [end, name] = MatchName();
        Advance(end);
        auto n = Make(NodeKind::kName, at);
        n->name = name;
        return n;
    }

    NodePtr ParseIteration(const std::string& which, size_t at) {
        Next();
        auto n = Make(which == "for" ? NodeKind::kFor : (which == "some" ? NodeKind::kSome : NodeKind::kEvery), at);
        while (true) {
            if (tok_.kind != Tok::kName) Fail(tok_.begin, "expected an iteration variable" + Found());
            auto [end, name] = MatchName();
            Advance(end);
            names_.Add(name);
            n->names.push_back(name);
            ExpectWord("in");
            NodePtr domain = ParseExpr();
            if (IsPunct("..")) {
                auto r = Make(NodeKind::kRangeIter, tok_.begin);
                Next();
                r->kids = {domain, ParseExpr()};
                domain = r;
            }
            n->kids.push_back(domain);
            if (IsPunct(",")) {
                Next();
                continue;
            }
            break;
        }
        if (which == "for") {
            ExpectWord("return");
        } else {
            ExpectWord("satisfies");
        }
        n->kids.push_back(ParseExpr());
        return n;
    }

    NodePtr ParseFunctionDef(size_t at) {
        Next();
        Expect("(");
        auto n = Make(NodeKind::kFunctionDef, at);
        bool first = true;
        while (!IsPunct(")")) {
            if (!first) Expect(",");
            first = false;
            if (tok_.kind != Tok::kName) Fail(tok_.begin, "expected a parameter name" + Found());
            auto [end, name] = MatchName();
            Advance(end);
            names_.Add(name);
            n->names.push_back(name);
            if (IsPunct(":")) {
                Next();
                ParseType();
            }
        }
        Next();
        if (IsWord("external")) {
            Next();
            n->op = "external";
        }
        n->kids = {ParseExpr()};
        return n;
    }

    NodePtr ParsePunctPrimary(size_t at) {
        const std::string p = tok_.text;
        if (p == "?") {
            Next();
            return Make(NodeKind::kQuestion, at);
        }
        if (p == "[") {
            Next();
            auto list = Make(NodeKind::kList, at);
            if (IsPunct("]")) {
                Next();
                return list;
            }
            NodePtr first = ParseExpr();
            if (IsPunct("..")) {
                Next();
                return FinishRange(first, true, at);
            }
            list->kids.push_back(first);
            while (IsPunct(",")) {
                Next();
                list->kids.push_back(ParseExpr());
            }
            Expect("]");
            return list;
        }
        if (p == "]") {
            Next();
            NodePtr lo = ParseExpr();
            Expect("..");
            return FinishRange(lo, false, at);
        }
        if (p == "(") {
            Next();
            NodePtr first = ParsePositiveTest();
            if (IsPunct("..")) {
                Next();
                return FinishRange(first, false, at);
            }
            if (IsPunct(",")) {
                auto list = Make(NodeKind::kTestList, at);
                list->kids.push_back(first);
                while (IsPunct(",")) {
                    Next();
                    list->kids.push_back(ParsePositiveTest());
                }
                Expect(")");
                return list;
            }
            Expect(")");
            return first;
        }
        if (p == "{") {
            Next();
            auto ctx = Make(NodeKind::kContext, at);
            bool first = true;
            while (!IsPunct("}")) {
                if (!first) Expect(",");
                first = false;
                std::string key;
                if (tok_.kind == Tok::kString) {
                    key = tok_.text;
                    Next();
                } else if (tok_.kind == Tok::kName) {
                    size_t start = tok_.begin;
                    size_t end = tok_.end;
                    Token t = tok_;
                    while (!(t.kind == Tok::kPunct && t.text == ":") && t.kind != Tok::kEnd) {
                        end = t.end;
                        t = Lex(t.end);
                    }
                    // Normalise internal whitespace runs to one space.
                    bool space = false;
                    for (char c : src_.substr(start, end - start)) {
                        if (std::isspace(static_cast<unsigned char>(c))) {
                            space = true;
                            continue;
                        }
                        if (space && !key.empty()) key += ' ';
                        space = false;
                        key += c;
                    }
                    Advance(end);
                } else {
                    Fail(tok_.begin, "expected a context key" + Found());
                }
                names_.Add(key);
                Expect(":");
                for (const auto& k : ctx->names)
                    if (k == key) Fail(tok_.begin, "duplicate context key '" + key + "'");
                ctx->names.push_back(key);
                ctx->kids.push_back(ParseExpr());
            }
            Next();
            return ctx;
        }
        if (AtComparisonOp()) return ParsePositiveTest();
        Fail(at, "unexpected " + Describe());
    }

    std::string_view src_;
    NameSet names_;
    Token tok_;
    int depth_ = 0;
    int range_end_ = 0;  // > 0 while parsing a range's upper bound
    size_t lc_pos_ = 0;
    int lc_line_ = 1;
    int lc_col_ = 1;
};

core::Result<NodePtr> Run(std::string_view text, const NameSet& names, bool unary) {
    if (text.size() > kMaxExpressionBytes) {
        return core::Fail(core::Error::ResourceExhausted("FEEL text longer than " +
                                                         std::to_string(kMaxExpressionBytes) + " bytes"));
    }
    try {
        Parser p(text, names);
        return unary ? p.ParseUnaryTestsAll() : p.ParseExpressionAll();
    } catch (const SyntaxError& e) {
        int line = 1, col = 1;
        for (size_t i = 0; i < e.pos && i < text.size(); ++i) {
            if (text[i] == '\n') {
                line = 1 + line;
                col = 1;
            } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
                ++col;
            }
        }
        return core::Fail(core::Error::InvalidArgument("FEEL syntax error at line " + std::to_string(line) +
                                                       ", column " + std::to_string(col) + ": " + e.message));
    } catch (const std::exception& e) {
        return core::Fail(core::Error::InvalidArgument(std::string("FEEL syntax error: ") + e.what()));
    }
}

}  // namespace

NameSet::NameSet() {
    for (auto n : kMultiWordBuiltins) names_.emplace(n);
}

void NameSet::Add(std::string_view name) {
    if (name.empty() || name.size() > 256) return;
    names_.emplace(name);
}

core::Result<NodePtr> ParseExpression(std::string_view text, const NameSet& names) { return Run(text, names, false); }
core::Result<NodePtr> ParseUnaryTests(std::string_view text, const NameSet& names) { return Run(text, names, true); }

}  // namespace customsdesk::rules
