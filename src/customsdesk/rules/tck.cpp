#include "customsdesk/rules/tck.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "customsdesk/rules/dmn_xml.hpp"
#include "customsdesk/rules/model.hpp"
#include "customsdesk/rules/temporal.hpp"

namespace customsdesk::rules {
namespace {

constexpr std::string_view kTestNamespace = "http://www.omg.org/spec/DMN/20160719/testcase";
constexpr std::string_view kXsiNamespace = "http://www.w3.org/2001/XMLSchema-instance";
constexpr size_t kMaxTestFileBytes = 32u << 20;

std::string_view Local(std::string_view name) {
    size_t c = name.find(':');
    return c == std::string_view::npos ? name : name.substr(c + 1);
}

std::string_view NsOfPrefix(const pugi::xml_node& n, std::string_view prefix) {
    std::string attr = prefix.empty() ? "xmlns" : "xmlns:" + std::string(prefix);
    for (pugi::xml_node p = n; p && p.type() == pugi::node_element; p = p.parent())
        if (pugi::xml_attribute a = p.attribute(attr.c_str())) return a.value();
    return "";
}

bool IsTest(const pugi::xml_node& n, std::string_view local) {
    if (n.type() != pugi::node_element) return false;
    std::string_view name = n.name();
    size_t c = name.find(':');
    std::string_view prefix = c == std::string_view::npos ? "" : name.substr(0, c);
    return Local(name) == local && NsOfPrefix(n, prefix) == kTestNamespace;
}

std::vector<pugi::xml_node> Kids(const pugi::xml_node& n, std::string_view local) {
    std::vector<pugi::xml_node> out;
    for (auto c : n.children())
        if (IsTest(c, local)) out.push_back(c);
    return out;
}

pugi::xml_node Kid(const pugi::xml_node& n, std::string_view local) {
    for (auto c : n.children())
        if (IsTest(c, local)) return c;
    return {};
}

// xsi:type / xsi:nil whatever the prefix.
std::string XsiAttr(const pugi::xml_node& n, std::string_view local) {
    for (auto a : n.attributes()) {
        std::string_view name = a.name();
        size_t c = name.find(':');
        if (c == std::string_view::npos || name.substr(c + 1) != local) continue;
        if (NsOfPrefix(n, name.substr(0, c)) == kXsiNamespace) return a.value();
    }
    return "";
}

// Parses a test value node (inputNode, expected, component, item).
Value ParseTestValue(const pugi::xml_node& n, int depth) {
    if (depth > 64) return {};
    if (pugi::xml_node v = Kid(n, "value")) {
        if (XsiAttr(v, "nil") == "true") return {};
        std::string type(Local(XsiAttr(v, "type")));
        std::string text = v.text().get();
        if (type == "decimal" || type == "double" || type == "integer" || type == "int" || type == "long" ||
            type == "float") {
            auto d = Decimal::Parse(text);
            return d ? Value(*d) : Value();
        }
        if (type == "boolean") return Value(text == "true");
        if (type == "date") {
            auto d = ParseDate(text);
            return d ? Value(*d) : Value();
        }
        if (type == "time") {
            auto t = ParseTime(text);
            return t ? Value(*t) : Value();
        }
        if (type == "dateTime") {
            auto t = ParseDateTime(text);
            return t ? Value(*t) : Value();
        }
        if (type == "duration" || type == "dayTimeDuration" || type == "yearMonthDuration") return ParseDuration(text);
        return Value(text);
    }
    if (pugi::xml_node l = Kid(n, "list")) {
        if (XsiAttr(l, "nil") == "true") return {};
        List items;
        for (auto item : Kids(l, "item")) items.push_back(ParseTestValue(item, depth + 1));
        return Value::MakeList(std::move(items));
    }
    auto comps = Kids(n, "component");
    if (!comps.empty()) {
        auto c = std::make_shared<Context>();
        for (auto comp : comps) c->Put(comp.attribute("name").value(), ParseTestValue(comp, depth + 1));
        return Value(ContextPtr(std::move(c)));
    }
    return {};
}

bool NumbersMatch(const Decimal& expected, const Decimal& actual) {
    if (expected == actual) return true;
    // Expected values from other engines often carry 8..17 digits of an irrational result:
    // accept the actual value when it is within one unit of the expected value's last place.
    int scale = expected.Scale();
    if (scale < 8) return false;
    auto diff = Decimal::Sub(expected, actual);
    auto ulp = Decimal::Make(1, -scale);
    return diff && ulp && diff->Abs() <= *ulp;
}

bool ValuesMatch(const Value& expected, const Value& actual) {
    if (expected.IsNull()) return actual.IsNull();
    if (expected.Is(ValueKind::kNumber) && actual.Is(ValueKind::kNumber))
        return NumbersMatch(expected.AsNumber(), actual.AsNumber());
    if (expected.Is(ValueKind::kList)) {
        if (!actual.Is(ValueKind::kList)) return false;
        const List &e = expected.AsList(), &a = actual.AsList();
        if (e.size() != a.size()) return false;
        for (size_t i = 0; i < e.size(); ++i)
            if (!ValuesMatch(e[i], a[i])) return false;
        return true;
    }
    if (expected.Is(ValueKind::kContext)) {
        if (!actual.Is(ValueKind::kContext)) return false;
        const Context &e = expected.AsContext(), &a = actual.AsContext();
        if (e.entries.size() != a.entries.size()) return false;
        for (const auto& [k, v] : e.entries) {
            const Value* av = a.Find(k);
            if (av == nullptr || !ValuesMatch(v, *av)) return false;
        }
        return true;
    }
    return SameValue(expected, actual);
}

struct LoadedModel {
    std::string file;
    std::optional<Model> model;
    std::string error;
};

std::string ReadFile(const std::filesystem::path& p, bool& ok) {
    ok = false;
    std::error_code ec;
    auto size = std::filesystem::file_size(p, ec);
    if (ec || size > kMaxTestFileBytes) return {};
    std::ifstream in(p, std::ios::binary);
    if (!in) return {};
    std::ostringstream s;
    s << in.rdbuf();
    ok = true;
    return s.str();
}

struct CaseResult {
    int passed = 0;
    int failed = 0;
};

CaseResult RunCase(const std::filesystem::path& dir, const std::string& case_name, const TckOptions& options,
                   std::ostream& out) {
    CaseResult result;
    std::vector<std::filesystem::path> dmn_files, test_files;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        std::string name = e.path().filename().string();
        if (e.path().extension() == ".dmn") dmn_files.push_back(e.path());
        if (e.path().extension() == ".xml" && name.find("-test-") != std::string::npos) test_files.push_back(e.path());
    }
    std::sort(dmn_files.begin(), dmn_files.end());
    std::sort(test_files.begin(), test_files.end());
    std::vector<LoadedModel> models;
    for (const auto& f : dmn_files) {
        LoadedModel lm;
        lm.file = f.filename().string();
        bool ok = false;
        std::string xml = ReadFile(f, ok);
        if (!ok) {
            lm.error = "cannot read " + lm.file;
        } else if (auto defs = ImportDmn(xml); !defs) {
            lm.error = defs.error().message;
        } else if (auto m = Model::Compile(std::move(*defs)); !m) {
            lm.error = m.error().message;
        } else {
            lm.model = std::move(*m);
        }
        models.push_back(std::move(lm));
    }
    for (const auto& tf : test_files) {
        bool ok = false;
        std::string xml = ReadFile(tf, ok);
        pugi::xml_document doc;
        if (!ok || !doc.load_buffer(xml.data(), xml.size())) {
            out << "FAIL " << case_name << "/" << tf.filename().string() << ": cannot read test file\n";
            ++result.failed;
            continue;
        }
        pugi::xml_node root = doc.document_element();
        std::string model_name;
        if (pugi::xml_node mn = Kid(root, "modelName")) model_name = mn.text().get();
        const LoadedModel* lm = nullptr;
        for (const auto& m : models)
            if (m.file == model_name) lm = &m;
        if (lm == nullptr && !models.empty()) lm = &models.front();
        for (auto tc : Kids(root, "testCase")) {
            std::string id = tc.attribute("id").value();
            std::string where = case_name + "/" + tf.filename().string() + " #" + id;
            try {
                if (lm == nullptr || !lm->model) {
                    out << "FAIL " << where << ": model did not load: " << (lm ? lm->error : "no model") << "\n";
                    ++result.failed;
                    continue;
                }
                Context inputs;
                for (auto in : Kids(tc, "inputNode")) inputs.Put(in.attribute("name").value(), ParseTestValue(in, 0));
                std::string invocable = tc.attribute("invocableName").value();
                std::string type = tc.attribute("type").value();
                bool all_ok = true;
                std::ostringstream why;
                std::optional<Value> service_result;
                for (auto rn : Kids(tc, "resultNode")) {
                    std::string node = rn.attribute("name").value();
                    bool error_expected = std::string_view(rn.attribute("errorResult").value()) == "true";
                    Value expected = ParseTestValue(Kid(rn, "expected"), 0);
                    EvalContext ctx(options.limits, lm->model->type_resolver());
                    Value actual;
                    if (type == "decisionService" && !invocable.empty()) {
                        if (!service_result) {
                            auto r = lm->model->Evaluate(invocable, inputs, ctx);
                            service_result = r ? *r : Value();
                        }
                        actual = *service_result;
                        if (actual.Is(ValueKind::kContext) && actual.AsContext().Find(node) != nullptr)
                            actual = *actual.AsContext().Find(node);
                    } else {
                        auto r = lm->model->Evaluate(node, inputs, ctx);
                        if (!r) {
                            ctx.Error(r.error().message);
                        } else {
                            actual = *r;
                        }
                    }
                    bool match = error_expected ? actual.IsNull() : ValuesMatch(expected, actual);
                    if (!match) {
                        all_ok = false;
                        why << " [" << node << ": expected " << (error_expected ? "error/null" : ToFeelLiteral(expected))
                            << ", got " << ToFeelLiteral(actual);
                        if (!ctx.errors().empty()) why << " (" << ctx.errors().front() << ")";
                        why << "]";
                    }
                }
                if (all_ok) {
                    ++result.passed;
                    if (options.verbose) out << "PASS " << where << "\n";
                } else {
                    ++result.failed;
                    out << "FAIL " << where << ":" << why.str() << "\n";
                }
            } catch (const std::exception& e) {
                ++result.failed;
                out << "FAIL " << where << ": exception: " << e.what() << "\n";
            }
        }
    }
    return result;
}

}  // namespace

int RunTck(const std::filesystem::path& dir, const TckOptions& options, std::ostream& out) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
        out << "not a directory: " << dir.string() << "\n0 passed, 0 failed\n";
        return 2;
    }
    std::map<std::string, std::filesystem::path> cases;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (!it->is_regular_file() || it->path().extension() != ".dmn") continue;
        std::filesystem::path folder = it->path().parent_path();
        cases.emplace(folder.lexically_relative(dir).generic_string(), folder);
    }
    int passed = 0, failed = 0;
    std::set<std::string> required_failed, seen;
    for (const auto& [rel, folder] : cases) {
        std::string name = folder.filename().string();
        seen.insert(name);
        CaseResult r = RunCase(folder, name, options, out);
        passed += r.passed;
        failed += r.failed;
        if (options.required_cases.count(name) != 0 && (r.failed > 0 || r.passed == 0)) required_failed.insert(name);
    }
    for (const auto& req : options.required_cases)
        if (seen.count(req) == 0) required_failed.insert(req);
    for (const auto& req : required_failed) out << "REQUIRED case failed or missing: " << req << "\n";
    out << passed << " passed, " << failed << " failed\n";
    return required_failed.empty() ? 0 : 1;
}

core::Result<std::set<std::string>> ReadTierCases(const std::filesystem::path& tiers_tsv,
                                                   const std::set<std::string>& tiers) {
    std::ifstream in(tiers_tsv);
    if (!in) return core::Fail(core::Error::NotFound("cannot read " + tiers_tsv.string()));
    std::set<std::string> out;
    std::string line;
    bool header = true;
    while (std::getline(in, line)) {
        if (header) {
            header = false;
            continue;
        }
        size_t t1 = line.find('\t');
        if (t1 == std::string::npos) continue;
        size_t t2 = line.find('\t', t1 + 1);
        std::string name = line.substr(0, t1);
        std::string tier = line.substr(t1 + 1, t2 == std::string::npos ? std::string::npos : t2 - t1 - 1);
        if (tiers.count(tier) != 0) out.insert(name);
    }
    return out;
}

}  // namespace customsdesk::rules
