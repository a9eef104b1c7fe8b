#include "customsdesk/rules/cli.hpp"

#include <fstream>
#include <sstream>

#include "customsdesk/rules/dmn_xml.hpp"
#include "customsdesk/rules/json_values.hpp"
#include "customsdesk/rules/model.hpp"
#include "customsdesk/rules/tck.hpp"

namespace customsdesk::rules {
namespace {

constexpr size_t kMaxJsonInputBytes = 1u << 20;

void Usage(std::ostream& err) {
    err << "usage: customsdesk rules tck DIR [--required-tiers TIERS.tsv --tiers A,B] [--require CASE ...] "
           "[--verbose]\n"
           "       customsdesk rules eval FILE.dmn --decision NAME [--input JSON] [--explain]\n";
}

std::set<std::string> SplitCommas(const std::string& s) {
    std::set<std::string> out;
    std::stringstream in(s);
    std::string part;
    while (std::getline(in, part, ','))
        if (!part.empty()) out.insert(part);
    return out;
}

int Tck(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    if (args.size() < 2) {
        Usage(err);
        return 2;
    }
    TckOptions opts;
    std::string tiers_file;
    std::set<std::string> tiers;
    for (size_t i = 2; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto next = [&]() -> const std::string* { return i + 1 < args.size() ? &args[++i] : nullptr; };
        if (a == "--verbose") {
            opts.verbose = true;
        } else if (a == "--required-tiers") {
            auto v = next();
            if (!v) return Usage(err), 2;
            tiers_file = *v;
        } else if (a == "--tiers") {
            auto v = next();
            if (!v) return Usage(err), 2;
            tiers = SplitCommas(*v);
        } else if (a == "--require") {
            auto v = next();
            if (!v) return Usage(err), 2;
            for (const auto& c : SplitCommas(*v)) opts.required_cases.insert(c);
        } else {
            err << "unknown option " << a << "\n";
            Usage(err);
            return 2;
        }
    }
    if (!tiers_file.empty()) {
        if (tiers.empty()) tiers = {"A", "B"};
        auto cases = ReadTierCases(tiers_file, tiers);
        if (!cases) {
            err << cases.error().message << "\n";
            return 2;
        }
        opts.required_cases.insert(cases->begin(), cases->end());
    }
    return RunTck(args[1], opts, out);
}

int Eval(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    if (args.size() < 2) {
        Usage(err);
        return 2;
    }
    std::string decision, input = "{}";
    bool explain = false;
    for (size_t i = 2; i < args.size(); ++i) {
        if (args[i] == "--decision" && i + 1 < args.size()) {
            decision = args[++i];
        } else if (args[i] == "--input" && i + 1 < args.size()) {
            input = args[++i];
        } else if (args[i] == "--explain") {
            explain = true;
        } else {
            err << "unknown option " << args[i] << "\n";
            Usage(err);
            return 2;
        }
    }
    if (decision.empty()) {
        err << "--decision is required\n";
        return 2;
    }
    std::ifstream in(args[1], std::ios::binary);
    if (!in) {
        err << "cannot read " << args[1] << "\n";
        return 1;
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    auto defs = ImportDmn(buf.str());
    if (!defs) {
        err << defs.error().message << "\n";
        return 1;
    }
    auto model = Model::Compile(std::move(*defs));
    if (!model) {
        err << model.error().message << "\n";
        return 1;
    }
    if (input.size() > kMaxJsonInputBytes) {
        err << "--input is larger than " << kMaxJsonInputBytes << " bytes\n";
        return 1;
    }
    boost::system::error_code ec;
    boost::json::value json = boost::json::parse(input, ec);
    if (ec || !json.is_object()) {
        err << "--input must be a JSON object: " << (ec ? ec.message() : "not an object") << "\n";
        return 1;
    }
    Context inputs;
    for (const auto& kv : json.get_object()) {
        std::string name(kv.key());
        std::string type;
        for (const auto& d : model->definitions().inputs)
            if (d.name == name) type = d.type_ref;
        inputs.Put(name, FromJson(kv.value(), type));
    }
    EvalContext ctx({}, model->type_resolver());
    std::vector<DecisionExplanation> ex;
    auto r = model->Evaluate(decision, inputs, ctx, explain ? &ex : nullptr);
    if (!r) {
        err << r.error().message << "\n";
        return 1;
    }
    if (explain) {
        out << "{\"result\":" << ToJson(*r) << ",\"explanation\":";
        out << ExplanationsToJson(ex);
        List errors;
        for (const auto& e : ctx.errors()) errors.push_back(Value(e));
        out << ",\"errors\":" << ToJson(Value::MakeList(errors)) << "}\n";
    } else {
        out << ToJson(*r) << "\n";
    }
    for (const auto& e : ctx.errors()) err << "warning: " << e << "\n";
    return 0;
}

}  // namespace

int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    try {
        if (args.empty()) {
            Usage(err);
            return 2;
        }
        if (args[0] == "tck") return Tck(args, out, err);
        if (args[0] == "eval") return Eval(args, out, err);
        Usage(err);
        return 2;
    } catch (const std::exception& e) {
        err << "internal error: " << e.what() << "\n";
        return 70;
    }
}

}  // namespace customsdesk::rules
