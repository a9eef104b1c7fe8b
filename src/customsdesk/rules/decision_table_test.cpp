#include "customsdesk/rules/decision_table.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "customsdesk/rules/dmn_xml.hpp"
#include "customsdesk/rules/model.hpp"
#include "customsdesk/rules/tck.hpp"

namespace customsdesk::rules {
namespace {

Value Feel(const std::string& text) {
    NameSet names;
    auto n = ParseExpression(text, names);
    EXPECT_TRUE(n.has_value()) << text;
    Scope scope;
    EvalContext ctx;
    return Evaluate(**n, scope, ctx);
}

std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// A table over five columns whose entries are drawn at random from realistic unary tests,
// including type mismatches, nulls, negations, ranges and tests that refer to another input.
DecisionTable RandomTable(std::mt19937& rng, HitPolicy hp, Aggregation agg, size_t rules, bool variables) {
    const std::vector<std::vector<std::string>> pools = {
        {"-", "< 10", "<= 10", "> 5", ">= 5", "[1..10]", "(1..10)", "]1..10[", "[5..20)", "5", "5, 7, 9", "not(5)",
         "not([1..10])", "null", "= 3", "-1.5", "[-5..0]", "not(< 3, > 8)", "\"x\""},
        {"-", "\"a\"", "\"a\",\"b\"", "not(\"c\")", "< \"m\"", "[\"b\"..\"d\"]", "null", ">= \"k\"", "\"\""},
        {"-", "< date(\"2024-01-01\")", "[date(\"2023-01-01\")..date(\"2023-12-31\")]", "date(\"2024-02-29\")",
         "not(date(\"2023-06-01\"))", ">= @\"2024-06-01\""},
        {"-", "true", "false", "null", "not(true)"},
        {"-", "> a", "[a..a+5]", "? > a * 2", "< 4"},
        {"-", "< 4", "[2..6]"},
        {"-", "< 10", "[1..10]", "(1..10)", "]1..10[", "5, 7, 9", "not(5)", "not([1..10])", "null", "= 3", "-1.5"},
    };
    DecisionTable t;
    t.id = "random";
    t.hit_policy = hp;
    t.aggregation = agg;
    const char* exprs[] = {"a", "s", "d", "b", "v"};
    for (const char* e : exprs) t.inputs.push_back({"", e, e, "", ""});
    OutputClause o1{"", "level", "", "", "\"high\",\"medium\",\"low\"", "", false};
    t.outputs.push_back(o1);
    bool two_outputs = agg == Aggregation::kNone && (rng() % 2 == 0);
    if (two_outputs) t.outputs.push_back({"", "score", "", "", "", "", false});
    if (agg != Aggregation::kNone) t.outputs[0].output_values.clear();
    const char* levels[] = {"\"high\"", "\"medium\"", "\"low\""};
    for (size_t r = 0; r < rules; ++r) {
        Rule rule;
        rule.id = "r" + std::to_string(r + 1);
        for (size_t c = 0; c < 5; ++c) {
            // Without variables every column is indexable (no refs, no mixed types).
            const auto& pool = pools[variables ? c : (c == 4 ? 5 : (c == 0 ? 6 : c))];
            rule.input_entries.push_back(pool[rng() % pool.size()]);
        }
        if (agg != Aggregation::kNone) {
            rule.output_entries.push_back(std::to_string(rng() % 7));
        } else {
            rule.output_entries.push_back(levels[rng() % 3]);
            if (two_outputs) rule.output_entries.push_back(std::to_string(r));
        }
        t.rules.push_back(std::move(rule));
    }
    return t;
}

std::vector<Value> RandomInputs(std::mt19937& rng) {
    const std::vector<std::string> a = {"-2", "0", "1", "3", "5", "5.5", "7", "9", "10", "10.0001", "20", "100",
                                        "null", "\"x\"", "-1.5"};
    const std::vector<std::string> s = {"\"a\"", "\"b\"", "\"c\"", "\"d\"", "\"k\"", "\"m\"", "\"z\"", "\"\"", "null", "5"};
    const std::vector<std::string> d = {"date(\"2022-12-31\")", "date(\"2023-06-01\")", "date(\"2024-02-29\")",
                                        "date(\"2024-06-01\")", "null", "\"2024-01-01\""};
    const std::vector<std::string> b = {"true", "false", "null", "1"};
    std::vector<Value> out;
    for (const auto* pool : {&a, &s, &d, &b, &a}) out.push_back(Feel((*pool)[rng() % pool->size()]));
    return out;
}

TEST(DecisionTable, CompiledAgreesWithInterpretedOnRandomInputs) {
    std::mt19937 rng(20240611);
    const std::pair<HitPolicy, Aggregation> policies[] = {
        {HitPolicy::kUnique, Aggregation::kNone},    {HitPolicy::kAny, Aggregation::kNone},
        {HitPolicy::kPriority, Aggregation::kNone},  {HitPolicy::kFirst, Aggregation::kNone},
        {HitPolicy::kRuleOrder, Aggregation::kNone}, {HitPolicy::kOutputOrder, Aggregation::kNone},
        {HitPolicy::kCollect, Aggregation::kNone},   {HitPolicy::kCollect, Aggregation::kSum},
        {HitPolicy::kCollect, Aggregation::kCount},  {HitPolicy::kCollect, Aggregation::kMin},
        {HitPolicy::kCollect, Aggregation::kMax},
    };
    NameSet names;
    size_t indexed = 0, fast_decided = 0;
    for (int round = 0; round < 12; ++round) {
        for (auto [hp, agg] : policies) {
            DecisionTable t = RandomTable(rng, hp, agg, 1 + rng() % 150, round % 2 == 0);
            auto compiled = CompiledTable::Compile(t, names, "result");
            ASSERT_TRUE(compiled.has_value()) << compiled.error().message;
            indexed += compiled->indexed_columns();
            for (int i = 0; i < 60; ++i) {
                std::vector<Value> in = RandomInputs(rng);
                Scope scope;
                const char* vars[] = {"a", "s", "d", "b", "v"};
                for (size_t k = 0; k < in.size(); ++k) scope.Set(vars[k], in[k]);
                EvalContext c1, c2;
                Explanation e1, e2;
                Value interpreted = compiled->EvaluateInterpreted(scope, c1, &e1);
                Value fast = compiled->Evaluate(scope, c2, &e2);
                ASSERT_TRUE(SameValue(interpreted, fast))
                    << HitPolicyName(hp) << ": interpreted " << ToFeelLiteral(interpreted) << " vs compiled "
                    << ToFeelLiteral(fast);
                ASSERT_EQ(e1.matched_rules, e2.matched_rules);
                // The slot hot path decides the same rule whenever it can decide alone.
                std::vector<Value> slots;
                for (const auto& name : compiled->slot_names())
                    slots.push_back(*scope.Find(name));
                SlotMatch m;
                compiled->MatchSlots(slots, m);
                if (m.status == MatchStatus::kOk && m.decided_rule >= 0) {
                    ++fast_decided;
                    ASSERT_FALSE(e1.decisive_rules.empty());
                    EXPECT_EQ(static_cast<size_t>(m.decided_rule), e1.decisive_rules[0]);
                } else if (m.status == MatchStatus::kNoMatch) {
                    EXPECT_TRUE(e1.matched_rules.empty());
                }
            }
        }
    }
    EXPECT_GT(indexed, 0u);
    EXPECT_GT(fast_decided, 0u);
}

DecisionTable SmallTable(HitPolicy hp, Aggregation agg = Aggregation::kNone) {
    DecisionTable t;
    t.id = "t";
    t.hit_policy = hp;
    t.aggregation = agg;
    t.inputs.push_back({"", "Age", "Age", "number", ""});
    t.outputs.push_back({"", "", "", "", "\"red\",\"yellow\",\"green\"", "", false});
    auto add = [&](std::string id, std::string test, std::string out, std::string note) {
        Rule r;
        r.id = std::move(id);
        r.input_entries = {std::move(test)};
        r.output_entries = {std::move(out)};
        r.annotations = {std::move(note)};
        t.rules.push_back(std::move(r));
    };
    add("young", "< 18", "\"yellow\"", "minors need consent");
    add("adult", ">= 18", "\"green\"", "adults");
    add("any", "-", "\"red\"", "catch-all");
    if (agg != Aggregation::kNone) {
        for (auto& r : t.rules) r.output_entries = {r.id == "young" ? "1" : (r.id == "adult" ? "2" : "5")};
        t.outputs[0].output_values.clear();
    }
    return t;
}

Value RunTable(const DecisionTable& t, int64_t age, Explanation* ex = nullptr) {
    NameSet names;
    auto c = CompiledTable::Compile(t, names, "Result");
    EXPECT_TRUE(c.has_value());
    Scope s;
    s.Set("Age", Value::Number(age));
    EvalContext ctx;
    return c->Evaluate(s, ctx, ex);
}

TEST(DecisionTable, HitPolicies) {
    EXPECT_EQ(ToFeelLiteral(RunTable(SmallTable(HitPolicy::kFirst), 10)), "\"yellow\"");
    EXPECT_EQ(ToFeelLiteral(RunTable(SmallTable(HitPolicy::kPriority), 10)), "\"red\"");
    EXPECT_EQ(ToFeelLiteral(RunTable(SmallTable(HitPolicy::kRuleOrder), 10)), "[\"yellow\", \"red\"]");
    EXPECT_EQ(ToFeelLiteral(RunTable(SmallTable(HitPolicy::kOutputOrder), 30)), "[\"red\", \"green\"]");
    EXPECT_EQ(ToFeelLiteral(RunTable(SmallTable(HitPolicy::kUnique), 30)), "null");  // two rules match
    EXPECT_EQ(ToFeelLiteral(RunTable(SmallTable(HitPolicy::kAny), 30)), "null");     // they disagree
    EXPECT_EQ(ToFeelLiteral(RunTable(SmallTable(HitPolicy::kCollect, Aggregation::kSum), 30)), "7");
    EXPECT_EQ(ToFeelLiteral(RunTable(SmallTable(HitPolicy::kCollect, Aggregation::kCount), 30)), "2");
    EXPECT_EQ(ToFeelLiteral(RunTable(SmallTable(HitPolicy::kCollect, Aggregation::kMin), 30)), "2");
    EXPECT_EQ(ToFeelLiteral(RunTable(SmallTable(HitPolicy::kCollect, Aggregation::kMax), 30)), "5");
}

TEST(DecisionTable, ExplainsMatchedAndDecisiveRules) {
    Explanation ex;
    RunTable(SmallTable(HitPolicy::kPriority), 10, &ex);
    EXPECT_EQ(ex.matched_rule_ids, (std::vector<std::string>{"young", "any"}));
    EXPECT_EQ(ex.decisive_rules, (std::vector<size_t>{2}));
    ASSERT_EQ(ex.annotations.size(), 1u);
    EXPECT_EQ(ex.annotations[0], (std::vector<std::string>{"catch-all"}));
    EXPECT_NE(ex.reason.find("PRIORITY"), std::string::npos);
    EXPECT_EQ(ToFeelLiteral(ex.inputs.at(0)), "10");

    Explanation violation;
    RunTable(SmallTable(HitPolicy::kUnique), 30, &violation);
    EXPECT_NE(violation.reason.find("UNIQUE hit policy violated"), std::string::npos);
    EXPECT_EQ(violation.matched_rules.size(), 2u);
}

TEST(DecisionTable, DefaultOutputWhenNothingMatches) {
    DecisionTable t = SmallTable(HitPolicy::kFirst);
    t.rules.pop_back();
    t.rules[0].input_entries = {"< 0"};
    t.rules[1].input_entries = {"> 200"};
    t.outputs[0].has_default = true;
    t.outputs[0].default_output = "\"green\"";
    Explanation ex;
    EXPECT_EQ(ToFeelLiteral(RunTable(t, 30, &ex)), "\"green\"");
    EXPECT_TRUE(ex.used_default);
}

TEST(DecisionTable, RejectsBadTables) {
    NameSet names;
    DecisionTable t = SmallTable(HitPolicy::kFirst);
    t.rules[0].input_entries = {">= (1"};
    auto c = CompiledTable::Compile(t, names, "x");
    ASSERT_FALSE(c.has_value());
    EXPECT_NE(c.error().message.find("rule 1, input 1"), std::string::npos) << c.error().message;
    EXPECT_NE(c.error().message.find("line 1, column"), std::string::npos) << c.error().message;

    DecisionTable agg = SmallTable(HitPolicy::kFirst);
    agg.aggregation = Aggregation::kSum;
    EXPECT_FALSE(CompiledTable::Compile(agg, names, "x").has_value());

    DecisionTable huge = SmallTable(HitPolicy::kFirst);
    huge.rules.resize(kMaxRules + 1, huge.rules[0]);
    auto h = CompiledTable::Compile(huge, names, "x");
    ASSERT_FALSE(h.has_value());
    EXPECT_EQ(h.error().code, core::ErrorCode::kResourceExhausted);
}

TEST(DmnXml, RejectsMalformedAndForeignDocuments) {
    auto bad = ImportDmn("<definitions");
    ASSERT_FALSE(bad.has_value());
    EXPECT_NE(bad.error().message.find("malformed DMN XML"), std::string::npos);
    auto foreign = ImportDmn("<definitions xmlns=\"urn:other\"/>");
    ASSERT_FALSE(foreign.has_value());
    EXPECT_NE(foreign.error().message.find("not a DMN document"), std::string::npos);
    std::string policy = ReadFile("data/rules/risk-profile.dmn");
    size_t at = policy.find("hitPolicy=\"FIRST\"");
    ASSERT_NE(at, std::string::npos);
    policy.replace(at, 17, "hitPolicy=\"SOMETIMES\"");
    auto p = ImportDmn(policy);
    ASSERT_FALSE(p.has_value());
    EXPECT_NE(p.error().message.find("unknown hit policy 'SOMETIMES'"), std::string::npos);
}

TEST(DmnXml, MatchesElementsByNamespaceNotPrefix) {
    const std::string xml = R"(<?xml version="1.0"?>
<x:definitions xmlns:x="http://www.omg.org/spec/DMN/20180521/MODEL/" id="d" name="n" namespace="urn:n">
  <x:decision id="dec" name="Out"><x:literalExpression><x:text>1 + 1</x:text></x:literalExpression></x:decision>
  <y:decision xmlns:y="urn:not-dmn" id="ignored" name="Ignored"/>
</x:definitions>)";
    auto defs = ImportDmn(xml);
    ASSERT_TRUE(defs.has_value()) << defs.error().message;
    ASSERT_EQ(defs->decisions.size(), 1u);
    auto model = Model::Compile(std::move(*defs));
    ASSERT_TRUE(model.has_value());
    EvalContext ctx;
    EXPECT_EQ(ToFeelLiteral(*model->Evaluate("Out", Context{}, ctx)), "2");
}

TEST(DmnXml, RoundTripKeepsModelAndResults) {
    std::string original = ReadFile("data/rules/risk-profile.dmn");
    auto first = ImportDmn(original);
    ASSERT_TRUE(first.has_value());
    std::string exported = ExportDmn(*first);
    auto second = ImportDmn(exported);
    ASSERT_TRUE(second.has_value()) << second.error().message;
    EXPECT_EQ(ExportDmn(*second), exported);
    auto m1 = Model::Compile(std::move(*first));
    auto m2 = Model::Compile(std::move(*second));
    ASSERT_TRUE(m1.has_value() && m2.has_value());
    std::mt19937 rng(7);
    const char* countries[] = {"CN", "IR", "DE", "AE", "KZ"};
    const char* headings[] = {"2933", "9304", "8542", "2402", "6109"};
    for (int i = 0; i < 300; ++i) {
        Context in;
        in.Put("originCountry", Value(std::string(countries[rng() % 5])));
        in.Put("commodityHeading", Value(std::string(headings[rng() % 5])));
        in.Put("customsValue", Value::Number(static_cast<int64_t>(rng() % 300000)));
        in.Put("grossMass", Value::Number(static_cast<int64_t>(rng() % 30000)));
        in.Put("customerGroup", Value(std::string(rng() % 2 ? "new" : "trusted")));
        in.Put("aeoStatus", Value(std::string(rng() % 2 ? "none" : "AEOF")));
        in.Put("complianceScore", Value::Number(static_cast<int64_t>(rng() % 101)));
        in.Put("transportMode", Value::Number(static_cast<int64_t>(1 + rng() % 5)));
        in.Put("procedureCode", Value(std::string(rng() % 2 ? "4000" : "4200")));
        in.Put("declarantAgeDays", Value::Number(static_cast<int64_t>(rng() % 4000)));
        in.Put("route", Value(std::string(rng() % 2 ? "direct" : "transshipment")));
        in.Put("previousFindings", Value::Number(static_cast<int64_t>(rng() % 4)));
        EvalContext c1, c2;
        auto r1 = m1->Evaluate("Control Channel", in, c1);
        auto r2 = m2->Evaluate("Control Channel", in, c2);
        ASSERT_TRUE(r1.has_value() && r2.has_value());
        EXPECT_TRUE(SameValue(*r1, *r2));
    }
}

// Every TCK model survives export and re-import with identical TCK results.
TEST(DmnXml, RoundTripOfTheWholeTckGivesTheSameResults) {
    namespace fs = std::filesystem;
    const fs::path src = "tests/conformance/dmn-tck/TestCases";
    const fs::path dst = fs::temp_directory_path() / ("customsdesk-tck-roundtrip-" + std::to_string(::getpid()));
    fs::remove_all(dst);
    size_t models = 0;
    for (const auto& e : fs::recursive_directory_iterator(src)) {
        if (!e.is_regular_file()) continue;
        fs::path target = dst / fs::relative(e.path(), src);
        fs::create_directories(target.parent_path());
        if (e.path().extension() == ".dmn") {
            auto defs = ImportDmn(ReadFile(e.path().string()));
            if (!defs) {
                fs::copy_file(e.path(), target);
                continue;
            }
            std::ofstream(target) << ExportDmn(*defs);
            ++models;
        } else if (e.path().extension() == ".xml") {
            fs::copy_file(e.path(), target);
        }
    }
    std::ostringstream a, b;
    RunTck(src, {}, a);
    RunTck(dst, {}, b);
    fs::remove_all(dst);
    auto last_line = [](const std::string& s) {
        auto t = s.substr(0, s.size() - 1);
        return t.substr(t.rfind('\n') + 1);
    };
    EXPECT_GT(models, 100u);
    EXPECT_EQ(last_line(a.str()), last_line(b.str()));
}

TEST(Limits, HugeDeepAndRunawayExpressionsFailCleanly) {
    NameSet names;
    std::string huge = "1";
    while (huge.size() <= kMaxExpressionBytes) huge += " + 1";
    auto h = ParseExpression(huge, names);
    ASSERT_FALSE(h.has_value());
    EXPECT_EQ(h.error().code, core::ErrorCode::kResourceExhausted);

    std::string deep(100000, '(');
    deep += "1" + std::string(100000, ')');
    auto d = ParseExpression(deep, names);
    ASSERT_FALSE(d.has_value());
    EXPECT_NE(d.error().message.find("nested too deeply"), std::string::npos);

    auto loop = ParseExpression("for i in 1..100000 return for j in 1..100000 return i", names);
    ASSERT_TRUE(loop.has_value());
    EvalLimits small;
    small.max_steps = 200000;
    EvalContext ctx(small);
    Scope scope;
    EXPECT_TRUE(Evaluate(**loop, scope, ctx).IsNull());
    EXPECT_TRUE(ctx.limit_hit());

    auto recursion = ParseExpression("{f: function(n) f(n + 1), r: f(0)}.r", names);
    ASSERT_TRUE(recursion.has_value());
    EvalContext rctx;
    EXPECT_TRUE(Evaluate(**recursion, scope, rctx).IsNull());
    EXPECT_TRUE(rctx.limit_hit());

    auto range = ParseExpression("for i in 1..1000000000 return i", names);
    EvalContext big;
    EXPECT_TRUE(Evaluate(**range, scope, big).IsNull());
    EXPECT_TRUE(big.limit_hit());
}

TEST(Model, MissingInputsAreNull) {
    auto defs = ImportDmn(ReadFile(
        "tests/conformance/dmn-tck/TestCases/compliance-level-2/0004-simpletable-U/0004-simpletable-U.dmn"));
    ASSERT_TRUE(defs.has_value());
    auto model = Model::Compile(std::move(*defs));
    ASSERT_TRUE(model.has_value());
    Context in;
    in.Put("isAffordable", Value(false));
    EvalContext ctx;
    auto r = model->Evaluate("Approval Status", in, ctx);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(ToFeelLiteral(*r), "\"Declined\"");  // the all-dash rule on isAffordable = false
    auto missing = model->Evaluate("No Such Decision", in, ctx);
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().code, core::ErrorCode::kNotFound);
}

}  // namespace
}  // namespace customsdesk::rules
