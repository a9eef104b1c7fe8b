// Rules engine benchmark: evaluates data/rules/risk-profile.dmn (100 rules, 12 inputs, FIRST)
// over N generated input rows through the compiled, allocation-free path (CompiledTable::
// MatchSlotPointers), single-threaded, and reports evaluations per second (median of --runs).
// Also times TCK case 0004-simpletable-U, and writes the reason code of the first --check-n
// rows (computed through the full Evaluate path, cross-checked against the fast path) so that
// run.sh can compare them with the peer engine's answers.
//
// Rows are generated from bench/rules/pools.json with xorshift32 (seed 2463534242): for each
// row, for each input in table order, index = next() % pool size. peer/peer.js does the same.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "customsdesk/rules/dmn_xml.hpp"
#include "customsdesk/rules/model.hpp"

namespace rules = customsdesk::rules;

namespace {

struct XorShift32 {
    uint32_t x = 2463534242u;
    uint32_t Next() {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        return x;
    }
};

std::string ReadAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::cerr << "cannot read " << path << "\n";
        std::exit(2);
    }
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

rules::Model LoadModel(const std::string& path) {
    auto defs = rules::ImportDmn(ReadAll(path));
    if (!defs) {
        std::cerr << defs.error().message << "\n";
        std::exit(2);
    }
    auto m = rules::Model::Compile(std::move(*defs));
    if (!m) {
        std::cerr << m.error().message << "\n";
        std::exit(2);
    }
    return std::move(*m);
}

rules::Value Cents(int64_t cents) { return rules::Value(*rules::Decimal::Make(cents, -2)); }

// Number pools: deterministic formulas shared with peer.js.
std::vector<rules::Value> NumberPool(const std::string& name, size_t size) {
    std::vector<rules::Value> out;
    static const int kFindings[16] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 3, 4, 5};
    for (size_t i = 0; i < size; ++i) {
        int64_t k = static_cast<int64_t>(i);
        if (name == "customsValue") out.push_back(Cents((k * 2654435761LL) % 50000000LL));
        if (name == "grossMass") out.push_back(Cents((k * 40503LL) % 4000000LL));
        if (name == "complianceScore") out.push_back(rules::Value::Number(k % 101));
        if (name == "declarantAgeDays") out.push_back(rules::Value::Number((k * 7919LL) % 5000LL));
        if (name == "previousFindings") out.push_back(rules::Value::Number(kFindings[k % 16]));
    }
    return out;
}

struct Workload {
    std::vector<std::vector<rules::Value>> pools;  // per slot
    std::vector<uint16_t> rows;                    // n * slots indices
    size_t slots = 0;
};

double Median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// Times `n` evaluations through MatchSlotPointers; returns evaluations per second.
double TimeFastPath(const rules::CompiledTable& table, const Workload& w, size_t n, uint64_t& checksum,
                    size_t& fallbacks) {
    std::vector<const rules::Value*> ptrs(w.slots);
    std::vector<const rules::Value*> bases(w.slots);
    for (size_t s = 0; s < w.slots; ++s) bases[s] = w.pools[s].data();
    rules::SlotMatch match;
    rules::EvalContext ctx;
    auto start = std::chrono::steady_clock::now();
    for (size_t r = 0; r < n; ++r) {
        const uint16_t* row = &w.rows[r * w.slots];
        for (size_t s = 0; s < w.slots; ++s) ptrs[s] = bases[s] + row[s];
        table.MatchSlotPointers(ptrs, match);
        if (match.status == rules::MatchStatus::kNeedsFullEvaluation) {
            ++fallbacks;
            std::vector<rules::Value> vals;
            for (auto* p : ptrs) vals.push_back(*p);
            (void)table.EvaluateSlots(vals, ctx);
        }
        checksum += static_cast<uint64_t>(match.decided_rule + 1);
    }
    auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return static_cast<double>(n) / secs;
}

}  // namespace

int main(int argc, char** argv) {
    std::map<std::string, std::string> opt = {{"--dmn", "data/rules/risk-profile.dmn"},
                                              {"--pools", "bench/rules/pools.json"},
                                              {"--n", "1000000"},
                                              {"--runs", "5"},
                                              {"--check-n", "20000"},
                                              {"--check-out", ""},
                                              {"--tck", "tests/conformance/dmn-tck/TestCases"}};
    for (int i = 1; i + 1 < argc; i += 2) opt[argv[i]] = argv[i + 1];
    const size_t n = std::stoul(opt["--n"]);
    const int runs = std::stoi(opt["--runs"]);
    const size_t check_n = std::min(n, static_cast<size_t>(std::stoul(opt["--check-n"])));

    rules::Model model = LoadModel(opt["--dmn"]);
    const rules::CompiledTable* table = model.DecisionTableOf("Control Channel");
    if (table == nullptr) {
        std::cerr << "no decision table 'Control Channel'\n";
        return 2;
    }
    boost::json::value pools = boost::json::parse(ReadAll(opt["--pools"]));
    const size_t number_pool = static_cast<size_t>(pools.at("numberPoolSize").as_int64());
    // Input order of the generator = table input order; slots follow the table's slot_names().
    const auto& src = table->source();
    Workload w;
    w.slots = table->slot_names().size();
    std::vector<size_t> slot_of_input;
    std::vector<size_t> pool_size_by_input;
    w.pools.resize(w.slots);
    for (const auto& in : src.inputs) {
        const std::string& name = in.expression;
        size_t slot = static_cast<size_t>(std::find(table->slot_names().begin(), table->slot_names().end(), name) -
                                          table->slot_names().begin());
        slot_of_input.push_back(slot);
        std::vector<rules::Value> pool;
        if (pools.as_object().contains(name)) {
            for (const auto& v : pools.at(name).as_array()) {
                if (v.is_string()) pool.push_back(rules::Value(std::string(v.as_string())));
                if (v.is_int64()) pool.push_back(rules::Value::Number(v.as_int64()));
            }
        } else {
            pool = NumberPool(name, number_pool);
        }
        pool_size_by_input.push_back(pool.size());
        w.pools[slot] = std::move(pool);
    }
    w.rows.resize(n * w.slots);
    XorShift32 rng;
    for (size_t r = 0; r < n; ++r)
        for (size_t i = 0; i < src.inputs.size(); ++i)
            w.rows[r * w.slots + slot_of_input[i]] = static_cast<uint16_t>(rng.Next() % pool_size_by_input[i]);

    // Correctness: the full path and the fast path agree; write reason codes for the peer check.
    {
        std::ofstream check;
        if (!opt["--check-out"].empty()) check.open(opt["--check-out"]);
        size_t disagreements = 0;
        rules::SlotMatch match;
        std::vector<const rules::Value*> ptrs(w.slots);
        std::vector<rules::Value> vals(w.slots);
        for (size_t r = 0; r < check_n; ++r) {
            for (size_t s = 0; s < w.slots; ++s) {
                ptrs[s] = &w.pools[s][w.rows[r * w.slots + s]];
                vals[s] = *ptrs[s];
            }
            rules::EvalContext ctx;
            rules::Value full = table->EvaluateSlots(vals, ctx);
            table->MatchSlotPointers(ptrs, match);
            std::string reason = "none";
            if (full.Is(rules::ValueKind::kContext)) {
                const rules::Value* rc = full.AsContext().Find("reasonCode");
                if (rc != nullptr && rc->Is(rules::ValueKind::kString)) reason = rc->AsString();
            }
            std::string fast = match.decided_rule >= 0 ? src.rules[static_cast<size_t>(match.decided_rule)].id : "none";
            if (fast != reason) ++disagreements;
            if (check.is_open()) check << reason << "\n";
        }
        std::printf("check: %zu rows, fast path vs full evaluation disagreements: %zu\n", check_n, disagreements);
        if (disagreements != 0) return 1;
    }

    std::vector<double> rates;
    uint64_t checksum = 0;
    size_t fallbacks = 0;
    for (int run = 0; run < runs; ++run) rates.push_back(TimeFastPath(*table, w, n, checksum, fallbacks));
    std::printf("risk-profile: %zu rules x %zu inputs, %zu evaluations per run, %d runs\n", table->rule_count(),
                src.inputs.size(), n, runs);
    std::printf("risk-profile: indexed columns %zu/%zu, fallbacks to full evaluation %zu, checksum %llu\n",
                table->indexed_columns(), src.inputs.size(), fallbacks, static_cast<unsigned long long>(checksum));
    std::printf("risk-profile compiled: median %.0f evaluations/s (min %.0f, max %.0f)\n", Median(rates),
                *std::min_element(rates.begin(), rates.end()), *std::max_element(rates.begin(), rates.end()));
    std::printf("RESULT customsdesk_rate %.0f\n", Median(rates));

    // TCK 0004-simpletable-U: Age x RiskCategory x isAffordable.
    rules::Model tck = LoadModel(opt["--tck"] + "/compliance-level-2/0004-simpletable-U/0004-simpletable-U.dmn");
    const rules::CompiledTable* t4 = tck.DecisionTableOf("Approval Status");
    if (t4 == nullptr) return 2;
    Workload w4;
    w4.slots = t4->slot_names().size();
    w4.pools.resize(w4.slots);
    for (size_t s = 0; s < w4.slots; ++s) {
        const std::string& name = t4->slot_names()[s];
        if (name == "Age")
            for (int a = 0; a < 100; ++a) w4.pools[s].push_back(rules::Value::Number(a));
        if (name == "RiskCategory")
            for (const char* c : {"High", "Low", "Medium"}) w4.pools[s].push_back(rules::Value(std::string(c)));
        if (name == "isAffordable") w4.pools[s] = {rules::Value(true), rules::Value(false)};
    }
    w4.rows.resize(n * w4.slots);
    for (size_t r = 0; r < n; ++r)
        for (size_t s = 0; s < w4.slots; ++s)
            w4.rows[r * w4.slots + s] = static_cast<uint16_t>(rng.Next() % w4.pools[s].size());
    std::vector<double> rates4;
    size_t fallbacks4 = 0;
    for (int run = 0; run < runs; ++run) rates4.push_back(TimeFastPath(*t4, w4, n, checksum, fallbacks4));
    std::printf("0004-simpletable-U compiled: median %.0f evaluations/s (fallbacks %zu)\n", Median(rates4), fallbacks4);
    return 0;
}
