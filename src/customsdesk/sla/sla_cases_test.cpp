// Data-driven SLA tests: every tests/cases/sla/*.txt file holds calendars, policies and checks
// (business-time arithmetic, holiday tables, request timelines); the format is described at the top
// of each file and in docs/sla.md. Each check is registered as its own test case
// (file:line), so a failure names the exact line.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include <fmt/format.h>

#include "customsdesk/sla/calendar.hpp"
#include "customsdesk/sla/evaluation.hpp"
#include "customsdesk/sla/holidays.hpp"

#ifndef SLA_CASES_DIR
#error "SLA_CASES_DIR must name tests/cases/sla"
#endif

namespace customsdesk::sla {
namespace {

std::vector<std::string> Words(const std::string& line) {
    std::vector<std::string> out;
    std::istringstream in(line.substr(0, line.find('#')));
    std::string w;
    while (in >> w) out.push_back(w);
    return out;
}

struct Block {
    int line = 0;
    std::vector<std::string> head;                       // words of the unindented line
    std::vector<std::pair<int, std::vector<std::string>>> body;  // indented lines
};

struct Document {
    std::string file;
    std::vector<Block> blocks;
};

Document ReadDocument(const std::filesystem::path& path) {
    Document doc{path.filename().string(), {}};
    std::ifstream in(path);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        auto words = Words(line);
        if (words.empty()) continue;
        if (line[0] == ' ' || line[0] == '\t') {
            if (doc.blocks.empty()) throw std::runtime_error(fmt::format("{}:{}: indented line outside a block", doc.file, n));
            doc.blocks.back().body.emplace_back(n, std::move(words));
        } else {
            doc.blocks.push_back({n, std::move(words), {}});
        }
    }
    return doc;
}

std::vector<std::shared_ptr<const Document>>& Documents() {
    static std::vector<std::shared_ptr<const Document>> docs = [] {
        std::vector<std::filesystem::path> files;
        for (const auto& e : std::filesystem::directory_iterator(SLA_CASES_DIR))
            if (e.path().extension() == ".txt") files.push_back(e.path());
        std::sort(files.begin(), files.end());
        std::vector<std::shared_ptr<const Document>> out;
        for (const auto& f : files) out.push_back(std::make_shared<const Document>(ReadDocument(f)));
        return out;
    }();
    return docs;
}

bool IsCheck(const Block& b) { return b.head[0] != "calendar" && b.head[0] != "policy"; }

struct CaseRef {
    std::size_t doc = 0;
    std::size_t block = 0;
};

std::vector<CaseRef> AllCases() {
    std::vector<CaseRef> out;
    const auto& docs = Documents();
    for (std::size_t d = 0; d < docs.size(); ++d)
        for (std::size_t b = 0; b < docs[d]->blocks.size(); ++b)
            if (IsCheck(docs[d]->blocks[b])) out.push_back({d, b});
    return out;
}

std::string CaseName(const testing::TestParamInfo<CaseRef>& info) {
    const auto& doc = *Documents()[info.param.doc];
    std::string name = doc.file.substr(0, doc.file.find('.')) + "_L" + std::to_string(doc.blocks[info.param.block].line);
    if (doc.blocks[info.param.block].head[0] == "timeline" && doc.blocks[info.param.block].head.size() > 1)
        name += "_" + doc.blocks[info.param.block].head[1];
    std::replace_if(name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
    return name;
}

// Builds the calendars and policies of a document (definitions before the check).
struct Context {
    std::map<std::string, BusinessCalendar> calendars;
    std::map<std::string, SlaTargets> policies;
};

std::vector<std::size_t> DayRange(const std::string& text) {
    std::vector<std::size_t> out;
    auto index = [](std::string_view key) -> std::size_t {
        for (std::size_t i = 0; i < kWeekdayKeys.size(); ++i)
            if (kWeekdayKeys[i] == key) return i;
        throw std::runtime_error("unknown weekday " + std::string(key));
    };
    std::istringstream in(text);
    std::string part;
    while (std::getline(in, part, ',')) {
        auto dash = part.find('-');
        if (dash == std::string::npos) {
            out.push_back(index(part));
        } else {
            for (auto i = index(part.substr(0, dash)); i <= index(part.substr(dash + 1)); ++i) out.push_back(i);
        }
    }
    return out;
}

BusinessCalendar BuildCalendar(const Block& b) {
    CalendarSpec spec;
    spec.time_zone.clear();
    for (const auto& [line, w] : b.body) {
        const auto at = fmt::format("line {}", line);
        if (w[0] == "zone") {
            spec.time_zone = w.at(1);
        } else if (w[0] == "hours") {
            for (auto d : DayRange(w.at(1))) {
                for (std::size_t i = 2; i < w.size(); ++i) {
                    auto dash = w[i].find('-');
                    auto s = ParseClockMinutes(w[i].substr(0, dash));
                    auto e = ParseClockMinutes(w[i].substr(dash + 1));
                    if (!s || !e) throw std::runtime_error("bad hours at " + at);
                    spec.weekly_hours[d].push_back({*s, *e});
                }
            }
        } else if (w[0] == "holidays") {
            spec.holiday_rule_set = w.at(1);
        } else if (w[0] == "extra") {
            spec.extra_holidays.push_back(ParseIsoDate(w.at(1)).value());
        } else if (w[0] == "closure") {
            const auto& r = w.at(1);
            auto dots = r.find("..");
            auto a = r.substr(0, dots);
            auto z = r.substr(dots + 2);
            std::string reason;
            for (std::size_t i = 2; i < w.size(); ++i) reason += (i > 2 ? " " : "") + w[i];
            if (a.size() == 10) {
                spec.closures.push_back(Closure::Days(ParseIsoDate(a).value(), ParseIsoDate(z).value(), reason));
            } else {
                spec.closures.push_back({ParseLocalDateTime(a).value(), ParseLocalDateTime(z).value(), reason, false});
            }
        } else {
            throw std::runtime_error("unknown calendar line at " + at);
        }
    }
    auto cal = BusinessCalendar::Create(spec);
    if (!cal) throw std::runtime_error(fmt::format("calendar at line {}: {}", b.line, cal.error().message));
    return *cal;
}

SlaTargets BuildPolicy(const Block& b) {
    SlaTargets t;
    for (const auto& [line, w] : b.body) {
        if (w[0] == "first_response") t.first_response_minutes = std::stoll(w.at(1));
        else if (w[0] == "next_response") t.next_response_minutes = std::stoll(w.at(1));
        else if (w[0] == "resolution") t.resolution_minutes = std::stoll(w.at(1));
        else if (w[0] == "warning") {
            const auto& v = w.at(1);
            if (v.ends_with("%")) t.warning = {WarningThreshold::Kind::kPercentOfTarget, std::stoll(v)};
            else if (v.ends_with("min")) t.warning = {WarningThreshold::Kind::kMinutesBeforeDue, std::stoll(v)};
            else throw std::runtime_error(fmt::format("bad warning at line {}", line));
        } else {
            throw std::runtime_error(fmt::format("unknown policy line {}", line));
        }
    }
    return t;
}

Context ContextBefore(const Document& doc, std::size_t upto) {
    Context ctx;
    for (std::size_t i = 0; i < upto; ++i) {
        const auto& b = doc.blocks[i];
        if (b.head[0] == "calendar") ctx.calendars.insert_or_assign(b.head.at(1), BuildCalendar(b));
        if (b.head[0] == "policy") ctx.policies.insert_or_assign(b.head.at(1), BuildPolicy(b));
    }
    return ctx;
}

// Local time of the calendar, or an instant with an offset ("Z", "+03:00").
Timestamp ParseTime(const std::string& text, const BusinessCalendar& cal) {
    if (text.size() > 16 && (text.back() == 'Z' || text[16] == '+' || text[16] == '-')) {
        std::string full = text.substr(0, 16) + ":00" + text.substr(16);
        if (auto t = core::ParseTimestamp(full)) return *t;
        throw std::runtime_error("bad instant " + text);
    }
    auto local = ParseLocalDateTime(text);
    if (!local) throw std::runtime_error("bad local time " + text);
    return cal.ToUtc(*local);
}

std::string Show(std::optional<Timestamp> t, const BusinessCalendar& cal) {
    if (!t) return "none";
    const auto info = cal.zone().get_info(date::floor<std::chrono::seconds>(*t));
    const auto local = date::local_seconds{date::floor<std::chrono::seconds>(*t).time_since_epoch() + info.offset};
    const auto off = std::chrono::duration_cast<std::chrono::minutes>(info.offset).count();
    return fmt::format("{}{}{:02}:{:02} ({})", FormatLocalDateTime(local), off < 0 ? '-' : '+', std::abs(off) / 60,
                       std::abs(off) % 60, core::FormatTimestamp(*t));
}

const BusinessCalendar& Cal(const Context& ctx, const std::string& name) {
    auto it = ctx.calendars.find(name);
    if (it == ctx.calendars.end()) throw std::runtime_error("no calendar " + name);
    return it->second;
}

std::string Attr(const std::vector<std::string>& head, const std::string& key) {
    for (const auto& w : head)
        if (w.starts_with(key + "=")) return w.substr(key.size() + 1);
    throw std::runtime_error("missing " + key + "=");
}

void RunHolidays(const Block& b) {
    const int year = std::stoi(b.head.at(2));
    auto got = HolidaysFor(b.head.at(1), year);
    ASSERT_TRUE(got.has_value()) << "unknown rule set " << b.head.at(1);
    std::vector<std::string> want;
    for (const auto& [line, w] : b.body) want.push_back(w.at(0) + " " + w.at(1));
    std::vector<std::string> have;
    for (const auto& h : *got) have.push_back(FormatIsoDate(h.date) + " " + h.key);
    EXPECT_EQ(have, want);
}

void RunTimeline(const Block& b, const Context& ctx) {
    const auto& cal = Cal(ctx, Attr(b.head, "calendar"));
    const auto pol = ctx.policies.find(Attr(b.head, "policy"));
    ASSERT_NE(pol, ctx.policies.end());
    std::vector<SlaEvent> events;
    std::optional<Timestamp> now;
    bool expectations = false;
    std::vector<std::pair<int, std::vector<std::string>>> expected;
    for (const auto& [line, w] : b.body) {
        if (w[0] == "----") {
            expectations = true;
        } else if (expectations) {
            expected.emplace_back(line, w);
        } else if (w[0] == "now") {
            now = ParseTime(w.at(1), cal);
        } else {
            SlaEvent e;
            e.at = ParseTime(w.at(0), cal);
            auto kind = ParseEventKind(w.at(1));
            ASSERT_TRUE(kind.has_value()) << "line " << line << ": unknown event " << w.at(1);
            e.kind = *kind;
            if (e.kind == EventKind::kStatusChanged) e.status = w.at(2);
            events.push_back(e);
        }
    }
    ASSERT_TRUE(now.has_value()) << "timeline without `now`";
    auto result = EvaluateSla(cal, pol->second, events, *now);
    ASSERT_TRUE(result.has_value()) << result.error().message;
    for (const auto& [line, w] : expected) {
        SCOPED_TRACE(fmt::format("expectation at line {}", line));
        if (w[0] == "next_check") {
            std::optional<Timestamp> want;
            if (w.at(1) != "none") want = ParseTime(w.at(1), cal);
            EXPECT_EQ(Show(result->next_check, cal), Show(want, cal));
            continue;
        }
        std::optional<Metric> metric;
        for (auto m : {Metric::kFirstResponse, Metric::kNextResponse, Metric::kResolution})
            if (MetricName(m) == w[0]) metric = m;
        ASSERT_TRUE(metric.has_value()) << "unknown metric " << w[0];
        const auto& got = result->Get(*metric);
        EXPECT_EQ(SlaStateName(got.state), w.at(1)) << w[0];
        for (std::size_t i = 2; i < w.size(); ++i) {
            auto eq = w[i].find('=');
            const auto key = w[i].substr(0, eq);
            const auto val = w[i].substr(eq + 1);
            if (key == "due") EXPECT_EQ(Show(got.due, cal), Show(ParseTime(val, cal), cal)) << w[0] << " due";
            else if (key == "warning")
                EXPECT_EQ(Show(got.warning_at, cal), Show(ParseTime(val, cal), cal)) << w[0] << " warning";
            else if (key == "completed")
                EXPECT_EQ(Show(got.completed_at, cal), Show(ParseTime(val, cal), cal)) << w[0] << " completed";
            else if (key == "elapsed") EXPECT_EQ(got.elapsed_seconds, std::stoll(val) * 60) << w[0] << " elapsed";
            else if (key == "breaches") EXPECT_EQ(got.breached_cycles, std::stoi(val)) << w[0] << " breaches";
            else FAIL() << "unknown attribute " << key;
        }
    }
}

class SlaCases : public testing::TestWithParam<CaseRef> {};

TEST_P(SlaCases, Holds) {
    const auto& doc = *Documents()[GetParam().doc];
    const auto& b = doc.blocks[GetParam().block];
    SCOPED_TRACE(fmt::format("{}:{}", doc.file, b.line));
    const Context ctx = ContextBefore(doc, GetParam().block);
    const auto& w = b.head;
    if (w[0] == "holidays") {
        RunHolidays(b);
    } else if (w[0] == "easter") {
        ASSERT_EQ(w.at(2), "=>");
        EXPECT_EQ(FormatIsoDate(EasterSunday(std::stoi(w.at(1)))), w.at(3));
    } else if (w[0] == "add") {
        // add CAL TIME +MIN => TIME
        ASSERT_EQ(w.size(), 6u);
        const auto& cal = Cal(ctx, w[1]);
        auto got = cal.AddBusinessMinutes(ParseTime(w[2], cal), std::stoll(w[3]));
        EXPECT_EQ(Show(got, cal), Show(ParseTime(w[5], cal), cal));
    } else if (w[0] == "between") {
        ASSERT_EQ(w.size(), 6u);
        const auto& cal = Cal(ctx, w[1]);
        EXPECT_EQ(cal.BusinessMinutesBetween(ParseTime(w[2], cal), ParseTime(w[3], cal)), std::stoll(w[5]));
    } else if (w[0] == "open") {
        ASSERT_EQ(w.size(), 5u);
        const auto& cal = Cal(ctx, w[1]);
        EXPECT_EQ(cal.IsOpen(ParseTime(w[2], cal)) ? "yes" : "no", w[4]);
    } else if (w[0] == "timeline") {
        RunTimeline(b, ctx);
    } else {
        FAIL() << "unknown check '" << w[0] << "'";
    }
}

INSTANTIATE_TEST_SUITE_P(Files, SlaCases, testing::ValuesIn(AllCases()), CaseName);

TEST(SlaCaseFiles, AreFound) { EXPECT_GE(AllCases().size(), 80u); }

}  // namespace
}  // namespace customsdesk::sla
