#include "customsdesk/rules/dmn_xml.hpp"

#include <pugixml.hpp>

#include <array>
#include <sstream>

namespace customsdesk::rules {
namespace {

constexpr std::array<std::string_view, 5> kDmnNamespaces = {
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "https://www.omg.org/spec/DMN/20211108/MODEL/",
    "https://www.omg.org/spec/DMN/20230324/MODEL/",
};

bool IsDmnNamespace(std::string_view ns) {
    for (auto n : kDmnNamespaces)
        if (n == ns) return true;
    return false;
}

struct ImportError {
    std::string message;
};

std::string_view LocalName(const pugi::xml_node& n) {
    std::string_view name = n.name();
    size_t colon = name.find(':');
    return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

std::string_view NamespaceOf(const pugi::xml_node& n) {
    std::string_view name = n.name();
    size_t colon = name.find(':');
    std::string attr = colon == std::string_view::npos ? "xmlns" : "xmlns:" + std::string(name.substr(0, colon));
    for (pugi::xml_node p = n; p; p = p.parent()) {
        if (p.type() != pugi::node_element) break;
        pugi::xml_attribute a = p.attribute(attr.c_str());
        if (a) return a.value();
    }
    return "";
}

bool IsDmn(const pugi::xml_node& n, std::string_view local) {
    return n.type() == pugi::node_element && LocalName(n) == local && IsDmnNamespace(NamespaceOf(n));
}

pugi::xml_node Child(const pugi::xml_node& n, std::string_view local) {
    for (pugi::xml_node c : n.children())
        if (IsDmn(c, local)) return c;
    return {};
}

std::vector<pugi::xml_node> Children(const pugi::xml_node& n, std::string_view local) {
    std::vector<pugi::xml_node> out;
    for (pugi::xml_node c : n.children())
        if (IsDmn(c, local)) out.push_back(c);
    return out;
}

std::string TextOf(const pugi::xml_node& n) {
    pugi::xml_node t = Child(n, "text");
    return t ? t.text().get() : "";
}

std::string Attr(const pugi::xml_node& n, const char* name) { return n.attribute(name).value(); }

constexpr std::array<std::string_view, 12> kExpressionElements = {
    "literalExpression", "decisionTable", "context", "invocation", "functionDefinition", "list",
    "relation",          "conditional",   "filter",  "for",        "some",               "every",
};

bool IsExpressionElement(const pugi::xml_node& n) {
    for (auto e : kExpressionElements)
        if (IsDmn(n, e)) return true;
    return false;
}

pugi::xml_node ExpressionChild(const pugi::xml_node& n) {
    for (pugi::xml_node c : n.children())
        if (IsExpressionElement(c)) return c;
    return {};
}

ExpressionPtr ParseExpressionElement(const pugi::xml_node& n, int depth);

ExpressionPtr ExpressionIn(const pugi::xml_node& parent, int depth) {
    pugi::xml_node e = ExpressionChild(parent);
    if (!e) return nullptr;
    return ParseExpressionElement(e, depth + 1);
}

DecisionTable ParseTable(const pugi::xml_node& n) {
    DecisionTable t;
    t.id = Attr(n, "id");
    std::string hp = Attr(n, "hitPolicy");
    if (!hp.empty()) {
        auto p = ParseHitPolicy(hp);
        if (!p) throw ImportError{p.error().message};
        t.hit_policy = *p;
    }
    std::string agg = Attr(n, "aggregation");
    if (!agg.empty()) {
        auto a = ParseAggregation(agg);
        if (!a) throw ImportError{a.error().message};
        t.aggregation = *a;
    }
    t.output_label = Attr(n, "outputLabel");
    for (auto in : Children(n, "input")) {
        InputClause c;
        c.id = Attr(in, "id");
        c.label = Attr(in, "label");
        pugi::xml_node ie = Child(in, "inputExpression");
        c.expression = TextOf(ie);
        c.type_ref = Attr(ie, "typeRef");
        if (pugi::xml_node iv = Child(in, "inputValues")) c.input_values = TextOf(iv);
        t.inputs.push_back(std::move(c));
    }
    for (auto out : Children(n, "output")) {
        OutputClause c;
        c.id = Attr(out, "id");
        c.name = Attr(out, "name");
        c.label = Attr(out, "label");
        c.type_ref = Attr(out, "typeRef");
        if (pugi::xml_node ov = Child(out, "outputValues")) c.output_values = TextOf(ov);
        if (pugi::xml_node d = Child(out, "defaultOutputEntry")) {
            c.default_output = TextOf(d);
            c.has_default = true;
        }
        t.outputs.push_back(std::move(c));
    }
    for (auto a : Children(n, "annotation")) t.annotation_columns.push_back({Attr(a, "name")});
    if (t.inputs.size() > kMaxColumns || t.outputs.size() > kMaxColumns)
        throw ImportError{"decision table has more than " + std::to_string(kMaxColumns) + " columns"};
    if (t.outputs.empty()) throw ImportError{"decision table " + t.id + " has no output"};
    for (auto r : Children(n, "rule")) {
        if (t.rules.size() >= kMaxRules)
            throw ImportError{"decision table has more than " + std::to_string(kMaxRules) + " rules"};
        Rule rule;
        rule.id = Attr(r, "id");
        if (pugi::xml_node d = Child(r, "description")) rule.description = d.text().get();
        for (auto e : Children(r, "inputEntry")) rule.input_entries.push_back(TextOf(e));
        for (auto e : Children(r, "outputEntry")) rule.output_entries.push_back(TextOf(e));
        for (auto e : Children(r, "annotationEntry")) rule.annotations.push_back(TextOf(e));
        if (rule.input_entries.size() != t.inputs.size())
            throw ImportError{"rule " + rule.id + " has " + std::to_string(rule.input_entries.size()) +
                              " input entries for " + std::to_string(t.inputs.size()) + " inputs"};
        if (rule.output_entries.size() != t.outputs.size())
            throw ImportError{"rule " + rule.id + " has " + std::to_string(rule.output_entries.size()) +
                              " output entries for " + std::to_string(t.outputs.size()) + " outputs"};
        t.rules.push_back(std::move(rule));
    }
    return t;
}

ExpressionPtr ParseExpressionElement(const pugi::xml_node& n, int depth) {
    if (depth > kMaxBoxedDepth) throw ImportError{"boxed expressions nested too deeply"};
    auto e = std::make_shared<Expression>();
    e->id = Attr(n, "id");
    e->type_ref = Attr(n, "typeRef");
    std::string_view local = LocalName(n);
    if (local == "literalExpression") {
        e->kind = ExpressionKind::kLiteral;
        e->text = TextOf(n);
    } else if (local == "decisionTable") {
        e->kind = ExpressionKind::kDecisionTable;
        e->table = ParseTable(n);
    } else if (local == "context") {
        e->kind = ExpressionKind::kContext;
        for (auto ce : Children(n, "contextEntry")) {
            ContextEntry entry;
            if (pugi::xml_node v = Child(ce, "variable")) {
                entry.name = Attr(v, "name");
                entry.type_ref = Attr(v, "typeRef");
            }
            entry.value = ExpressionIn(ce, depth);
            e->entries.push_back(std::move(entry));
        }
    } else if (local == "invocation") {
        e->kind = ExpressionKind::kInvocation;
        pugi::xml_node callee = ExpressionChild(n);
        if (callee) e->callee = TextOf(callee);
        for (auto b : Children(n, "binding")) {
            Binding binding;
            binding.name = Attr(Child(b, "parameter"), "name");
            binding.value = ExpressionIn(b, depth);
            e->bindings.push_back(std::move(binding));
        }
    } else if (local == "functionDefinition") {
        e->kind = ExpressionKind::kFunctionDefinition;
        e->function_kind = Attr(n, "kind");
        for (auto p : Children(n, "formalParameter")) e->parameters.push_back(Attr(p, "name"));
        e->items.push_back(ExpressionIn(n, depth));
    } else if (local == "list") {
        e->kind = ExpressionKind::kList;
        for (pugi::xml_node c : n.children())
            if (IsExpressionElement(c)) e->items.push_back(ParseExpressionElement(c, depth + 1));
    } else if (local == "relation") {
        e->kind = ExpressionKind::kRelation;
        for (auto c : Children(n, "column")) e->columns.push_back(Attr(c, "name"));
        for (auto r : Children(n, "row")) {
            std::vector<ExpressionPtr> row;
            for (pugi::xml_node c : r.children())
                if (IsExpressionElement(c)) row.push_back(ParseExpressionElement(c, depth + 1));
            e->rows.push_back(std::move(row));
        }
    } else if (local == "conditional") {
        e->kind = ExpressionKind::kConditional;
        for (auto part : {"if", "then", "else"}) e->items.push_back(ExpressionIn(Child(n, part), depth));
    } else if (local == "filter") {
        e->kind = ExpressionKind::kFilter;
        for (auto part : {"in", "match"}) e->items.push_back(ExpressionIn(Child(n, part), depth));
    } else {
        e->kind = local == "for" ? ExpressionKind::kFor : (local == "some" ? ExpressionKind::kSome : ExpressionKind::kEvery);
        e->iterator_variable = Attr(n, "iteratorVariable");
        e->items.push_back(ExpressionIn(Child(n, "in"), depth));
        e->items.push_back(ExpressionIn(Child(n, local == "for" ? "return" : "satisfies"), depth));
    }
    return e;
}

ItemDefinition ParseItemDefinition(const pugi::xml_node& n, int depth) {
    if (depth > kMaxBoxedDepth) throw ImportError{"item definitions nested too deeply"};
    ItemDefinition d;
    d.name = Attr(n, "name");
    if (pugi::xml_node t = Child(n, "typeRef")) {
        d.type_ref = t.text().get();
    } else {
        d.type_ref = Attr(n, "typeRef");
    }
    d.is_collection = std::string_view(n.attribute("isCollection").value()) == "true";
    if (pugi::xml_node av = Child(n, "allowedValues")) d.allowed_values = TextOf(av);
    if (pugi::xml_node tc = Child(n, "typeConstraint")) d.type_constraint = TextOf(tc);
    if (Child(n, "functionItem")) d.is_function = true;
    for (auto c : Children(n, "itemComponent")) d.components.push_back(ParseItemDefinition(c, depth + 1));
    return d;
}

std::vector<Requirement> ParseRequirements(const pugi::xml_node& n) {
    std::vector<Requirement> out;
    for (auto ir : Children(n, "informationRequirement")) {
        if (auto d = Child(ir, "requiredDecision")) out.push_back({Requirement::Kind::kDecision, Attr(d, "href")});
        if (auto i = Child(ir, "requiredInput")) out.push_back({Requirement::Kind::kInput, Attr(i, "href")});
    }
    for (auto kr : Children(n, "knowledgeRequirement"))
        if (auto k = Child(kr, "requiredKnowledge")) out.push_back({Requirement::Kind::kKnowledge, Attr(k, "href")});
    return out;
}

Definitions ParseDefinitions(const pugi::xml_node& root) {
    Definitions defs;
    defs.id = Attr(root, "id");
    defs.name = Attr(root, "name");
    defs.ns = Attr(root, "namespace");
    defs.dmn_namespace = std::string(NamespaceOf(root));
    for (pugi::xml_node c : root.children()) {
        if (IsDmn(c, "itemDefinition")) {
            defs.item_definitions.push_back(ParseItemDefinition(c, 0));
        } else if (IsDmn(c, "inputData")) {
            InputData in;
            in.id = Attr(c, "id");
            in.name = Attr(c, "name");
            in.type_ref = Attr(Child(c, "variable"), "typeRef");
            defs.inputs.push_back(std::move(in));
        } else if (IsDmn(c, "decision")) {
            Decision d;
            d.id = Attr(c, "id");
            d.name = Attr(c, "name");
            d.type_ref = Attr(Child(c, "variable"), "typeRef");
            d.requirements = ParseRequirements(c);
            d.expression = ExpressionIn(c, 0);
            defs.decisions.push_back(std::move(d));
        } else if (IsDmn(c, "businessKnowledgeModel")) {
            BusinessKnowledgeModel b;
            b.id = Attr(c, "id");
            b.name = Attr(c, "name");
            b.type_ref = Attr(Child(c, "variable"), "typeRef");
            b.requirements = ParseRequirements(c);
            if (pugi::xml_node logic = Child(c, "encapsulatedLogic")) {
                for (auto p : Children(logic, "formalParameter")) b.parameters.push_back(Attr(p, "name"));
                b.body = ExpressionIn(logic, 0);
            }
            defs.bkms.push_back(std::move(b));
        } else if (IsDmn(c, "decisionService")) {
            DecisionService s;
            s.id = Attr(c, "id");
            s.name = Attr(c, "name");
            for (auto x : Children(c, "outputDecision")) s.output_decisions.push_back(Attr(x, "href"));
            for (auto x : Children(c, "encapsulatedDecision")) s.encapsulated.push_back(Attr(x, "href"));
            for (auto x : Children(c, "inputDecision")) s.input_decisions.push_back(Attr(x, "href"));
            for (auto x : Children(c, "inputData")) s.input_data.push_back(Attr(x, "href"));
            defs.services.push_back(std::move(s));
        }
    }
    return defs;
}

// ---- export ----

void AddText(pugi::xml_node parent, const char* element, const std::string& text) {
    parent.append_child(element).append_child("text").text().set(text.c_str());
}

void SetIf(pugi::xml_node n, const char* attr, const std::string& v) {
    if (!v.empty()) n.append_attribute(attr).set_value(v.c_str());
}

void WriteExpression(pugi::xml_node parent, const Expression& e);

void WriteExpressionIn(pugi::xml_node parent, const ExpressionPtr& e) {
    if (e) WriteExpression(parent, *e);
}

void WriteTable(pugi::xml_node n, const DecisionTable& t) {
    SetIf(n, "id", t.id);
    n.append_attribute("hitPolicy").set_value(HitPolicyName(t.hit_policy));
    if (t.aggregation != Aggregation::kNone) n.append_attribute("aggregation").set_value(AggregationName(t.aggregation));
    SetIf(n, "outputLabel", t.output_label);
    for (const auto& in : t.inputs) {
        auto x = n.append_child("input");
        SetIf(x, "id", in.id);
        SetIf(x, "label", in.label);
        auto ie = x.append_child("inputExpression");
        SetIf(ie, "typeRef", in.type_ref);
        ie.append_child("text").text().set(in.expression.c_str());
        if (!in.input_values.empty()) AddText(x, "inputValues", in.input_values);
    }
    for (const auto& out : t.outputs) {
        auto x = n.append_child("output");
        SetIf(x, "id", out.id);
        SetIf(x, "name", out.name);
        SetIf(x, "label", out.label);
        SetIf(x, "typeRef", out.type_ref);
        if (!out.output_values.empty()) AddText(x, "outputValues", out.output_values);
        if (out.has_default) AddText(x, "defaultOutputEntry", out.default_output);
    }
    for (const auto& a : t.annotation_columns) n.append_child("annotation").append_attribute("name").set_value(a.name.c_str());
    for (const auto& r : t.rules) {
        auto x = n.append_child("rule");
        SetIf(x, "id", r.id);
        if (!r.description.empty()) x.append_child("description").text().set(r.description.c_str());
        for (const auto& e : r.input_entries) AddText(x, "inputEntry", e);
        for (const auto& e : r.output_entries) AddText(x, "outputEntry", e);
        for (const auto& e : r.annotations) AddText(x, "annotationEntry", e);
    }
}

void WriteExpression(pugi::xml_node parent, const Expression& e) {
    static constexpr const char* kNames[] = {"literalExpression", "decisionTable", "context", "invocation",
                                             "functionDefinition", "list", "relation", "conditional",
                                             "filter", "for", "some", "every"};
    auto n = parent.append_child(kNames[static_cast<int>(e.kind)]);
    if (e.kind != ExpressionKind::kDecisionTable) SetIf(n, "id", e.id);
    SetIf(n, "typeRef", e.type_ref);
    switch (e.kind) {
        case ExpressionKind::kLiteral:
            n.append_child("text").text().set(e.text.c_str());
            break;
        case ExpressionKind::kDecisionTable:
            WriteTable(n, e.table);
            break;
        case ExpressionKind::kContext:
            for (const auto& ce : e.entries) {
                auto x = n.append_child("contextEntry");
                if (!ce.name.empty()) {
                    auto v = x.append_child("variable");
                    v.append_attribute("name").set_value(ce.name.c_str());
                    SetIf(v, "typeRef", ce.type_ref);
                }
                WriteExpressionIn(x, ce.value);
            }
            break;
        case ExpressionKind::kInvocation: {
            n.append_child("literalExpression").append_child("text").text().set(e.callee.c_str());
            for (const auto& b : e.bindings) {
                auto x = n.append_child("binding");
                x.append_child("parameter").append_attribute("name").set_value(b.name.c_str());
                WriteExpressionIn(x, b.value);
            }
            break;
        }
        case ExpressionKind::kFunctionDefinition:
            SetIf(n, "kind", e.function_kind);
            for (const auto& p : e.parameters) n.append_child("formalParameter").append_attribute("name").set_value(p.c_str());
            if (!e.items.empty()) WriteExpressionIn(n, e.items[0]);
            break;
        case ExpressionKind::kList:
            for (const auto& i : e.items) WriteExpressionIn(n, i);
            break;
        case ExpressionKind::kRelation:
            for (const auto& c : e.columns) n.append_child("column").append_attribute("name").set_value(c.c_str());
            for (const auto& r : e.rows) {
                auto row = n.append_child("row");
                for (const auto& i : r) WriteExpressionIn(row, i);
            }
            break;
        case ExpressionKind::kConditional: {
            const char* parts[] = {"if", "then", "else"};
            for (size_t i = 0; i < 3 && i < e.items.size(); ++i) WriteExpressionIn(n.append_child(parts[i]), e.items[i]);
            break;
        }
        case ExpressionKind::kFilter: {
            const char* parts[] = {"in", "match"};
            for (size_t i = 0; i < 2 && i < e.items.size(); ++i) WriteExpressionIn(n.append_child(parts[i]), e.items[i]);
            break;
        }
        case ExpressionKind::kFor:
        case ExpressionKind::kSome:
        case ExpressionKind::kEvery: {
            SetIf(n, "iteratorVariable", e.iterator_variable);
            const char* second = e.kind == ExpressionKind::kFor ? "return" : "satisfies";
            if (!e.items.empty()) WriteExpressionIn(n.append_child("in"), e.items[0]);
            if (e.items.size() > 1) WriteExpressionIn(n.append_child(second), e.items[1]);
            break;
        }
    }
}

void WriteItemDefinition(pugi::xml_node n, const ItemDefinition& d) {
    n.append_attribute("name").set_value(d.name.c_str());
    if (d.is_collection) n.append_attribute("isCollection").set_value("true");
    if (!d.type_ref.empty()) n.append_child("typeRef").text().set(d.type_ref.c_str());
    if (!d.allowed_values.empty()) AddText(n, "allowedValues", d.allowed_values);
    if (!d.type_constraint.empty()) AddText(n, "typeConstraint", d.type_constraint);
    if (d.is_function) n.append_child("functionItem");
    for (const auto& c : d.components) WriteItemDefinition(n.append_child("itemComponent"), c);
}

void WriteRequirements(pugi::xml_node n, const std::vector<Requirement>& reqs) {
    for (const auto& r : reqs) {
        if (r.kind == Requirement::Kind::kKnowledge) {
            n.append_child("knowledgeRequirement").append_child("requiredKnowledge").append_attribute("href").set_value(r.href.c_str());
        } else {
            const char* what = r.kind == Requirement::Kind::kDecision ? "requiredDecision" : "requiredInput";
            n.append_child("informationRequirement").append_child(what).append_attribute("href").set_value(r.href.c_str());
        }
    }
}

}  // namespace

const char* HitPolicyName(HitPolicy p) {
    switch (p) {
        case HitPolicy::kUnique:
            return "UNIQUE";
        case HitPolicy::kAny:
            return "ANY";
        case HitPolicy::kPriority:
            return "PRIORITY";
        case HitPolicy::kFirst:
            return "FIRST";
        case HitPolicy::kRuleOrder:
            return "RULE ORDER";
        case HitPolicy::kOutputOrder:
            return "OUTPUT ORDER";
        case HitPolicy::kCollect:
            return "COLLECT";
    }
    return "UNIQUE";
}

const char* AggregationName(Aggregation a) {
    switch (a) {
        case Aggregation::kSum:
            return "SUM";
        case Aggregation::kCount:
            return "COUNT";
        case Aggregation::kMin:
            return "MIN";
        case Aggregation::kMax:
            return "MAX";
        case Aggregation::kNone:
            break;
    }
    return "";
}

core::Result<HitPolicy> ParseHitPolicy(std::string_view t) {
    if (t == "UNIQUE" || t == "U") return HitPolicy::kUnique;
    if (t == "ANY" || t == "A") return HitPolicy::kAny;
    if (t == "PRIORITY" || t == "P") return HitPolicy::kPriority;
    if (t == "FIRST" || t == "F") return HitPolicy::kFirst;
    if (t == "RULE ORDER" || t == "R") return HitPolicy::kRuleOrder;
    if (t == "OUTPUT ORDER" || t == "O") return HitPolicy::kOutputOrder;
    if (t == "COLLECT" || t == "C") return HitPolicy::kCollect;
    return core::Fail(core::Error::InvalidArgument("unknown hit policy '" + std::string(t) + "'"));
}

core::Result<Aggregation> ParseAggregation(std::string_view t) {
    if (t == "SUM" || t == "+") return Aggregation::kSum;
    if (t == "COUNT" || t == "#") return Aggregation::kCount;
    if (t == "MIN" || t == "<") return Aggregation::kMin;
    if (t == "MAX" || t == ">") return Aggregation::kMax;
    return core::Fail(core::Error::InvalidArgument("unknown aggregation '" + std::string(t) + "'"));
}

core::Result<Definitions> ImportDmn(std::string_view xml) {
    if (xml.size() > kMaxDmnBytes)
        return core::Fail(core::Error::ResourceExhausted("DMN document larger than " + std::to_string(kMaxDmnBytes) + " bytes"));
    pugi::xml_document doc;
    pugi::xml_parse_result parsed = doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
    if (!parsed) {
        return core::Fail(core::Error::InvalidArgument("malformed DMN XML at byte " + std::to_string(parsed.offset) +
                                                       ": " + parsed.description()));
    }
    pugi::xml_node root = doc.document_element();
    if (!IsDmn(root, "definitions")) {
        return core::Fail(core::Error::InvalidArgument(
            "not a DMN document: the root must be a DMN 1.1-1.5 'definitions' element, found '" +
            std::string(root.name()) + "' in namespace '" + std::string(NamespaceOf(root)) + "'"));
    }
    try {
        return ParseDefinitions(root);
    } catch (const ImportError& e) {
        return core::Fail(core::Error::InvalidArgument("invalid DMN: " + e.message));
    }
}

std::string ExportDmn(const Definitions& defs) {
    pugi::xml_document doc;
    auto decl = doc.append_child(pugi::node_declaration);
    decl.append_attribute("version").set_value("1.0");
    decl.append_attribute("encoding").set_value("UTF-8");
    auto root = doc.append_child("definitions");
    root.append_attribute("xmlns").set_value(std::string(kDmn15Namespace).c_str());
    SetIf(root, "id", defs.id);
    SetIf(root, "name", defs.name);
    SetIf(root, "namespace", defs.ns);
    for (const auto& d : defs.item_definitions) WriteItemDefinition(root.append_child("itemDefinition"), d);
    for (const auto& in : defs.inputs) {
        auto n = root.append_child("inputData");
        SetIf(n, "id", in.id);
        SetIf(n, "name", in.name);
        auto v = n.append_child("variable");
        v.append_attribute("name").set_value(in.name.c_str());
        SetIf(v, "typeRef", in.type_ref);
    }
    for (const auto& d : defs.decisions) {
        auto n = root.append_child("decision");
        SetIf(n, "id", d.id);
        SetIf(n, "name", d.name);
        auto v = n.append_child("variable");
        v.append_attribute("name").set_value(d.name.c_str());
        SetIf(v, "typeRef", d.type_ref);
        WriteRequirements(n, d.requirements);
        WriteExpressionIn(n, d.expression);
    }
    for (const auto& b : defs.bkms) {
        auto n = root.append_child("businessKnowledgeModel");
        SetIf(n, "id", b.id);
        SetIf(n, "name", b.name);
        auto v = n.append_child("variable");
        v.append_attribute("name").set_value(b.name.c_str());
        SetIf(v, "typeRef", b.type_ref);
        WriteRequirements(n, b.requirements);
        auto logic = n.append_child("encapsulatedLogic");
        for (const auto& p : b.parameters) logic.append_child("formalParameter").append_attribute("name").set_value(p.c_str());
        WriteExpressionIn(logic, b.body);
    }
    for (const auto& s : defs.services) {
        auto n = root.append_child("decisionService");
        SetIf(n, "id", s.id);
        SetIf(n, "name", s.name);
        for (const auto& h : s.output_decisions) n.append_child("outputDecision").append_attribute("href").set_value(h.c_str());
        for (const auto& h : s.encapsulated) n.append_child("encapsulatedDecision").append_attribute("href").set_value(h.c_str());
        for (const auto& h : s.input_decisions) n.append_child("inputDecision").append_attribute("href").set_value(h.c_str());
        for (const auto& h : s.input_data) n.append_child("inputData").append_attribute("href").set_value(h.c_str());
    }
    std::ostringstream out;
    doc.save(out, "  ");
    return out.str();
}

}  // namespace customsdesk::rules
