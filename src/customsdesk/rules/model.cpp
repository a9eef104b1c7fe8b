#include "customsdesk/rules/model.hpp"

#include <set>

namespace customsdesk::rules {

struct CompiledExpression {
    ExpressionKind kind = ExpressionKind::kLiteral;
    std::string type_ref;
    NodePtr node;                                   // literal text; invocation callee
    std::shared_ptr<CompiledTable> table;
    std::vector<std::pair<std::string, std::shared_ptr<CompiledExpression>>> entries;  // context, bindings
    std::vector<std::string> params;                // function parameters, relation columns
    std::vector<std::shared_ptr<CompiledExpression>> items;
    std::vector<std::vector<std::shared_ptr<CompiledExpression>>> rows;
    std::string iterator;
    std::string owner;                              // decision name, for explanations
};

using CompiledPtr = std::shared_ptr<CompiledExpression>;

struct Model::State : TypeResolver, std::enable_shared_from_this<Model::State> {
    const Definitions* defs = nullptr;
    const NameSet* names = nullptr;
    std::map<std::string, const ItemDefinition*, std::less<>> types;
    std::map<const ItemDefinition*, NodePtr> allowed;  // parsed allowedValues / typeConstraint
    std::map<std::string, size_t, std::less<>> decision_by_name, decision_by_id, input_by_id, input_by_name,
        bkm_by_id, bkm_by_name, service_by_name, service_by_id;
    std::vector<CompiledPtr> decision_logic;
    std::vector<CompiledPtr> bkm_logic;
    std::vector<FunctionPtr> bkm_values;
    std::vector<FunctionPtr> service_values;

    struct Run {
        const Context* inputs = nullptr;
        std::map<size_t, Value> memo;
        std::set<size_t> active;
        std::vector<DecisionExplanation>* explanations = nullptr;
    };

    std::optional<bool> IsInstance(const Value& v, std::string_view type) const override {
        return ConformsTo(v, type, 0);
    }

    std::optional<bool> ConformsTo(const Value& v, std::string_view type, int depth) const {
        if (depth > 32) return std::nullopt;
        if (type.empty()) return true;
        auto it = types.find(type);
        if (it == types.end()) {
            size_t colon = type.find(':');
            if (colon != std::string_view::npos && type.substr(0, colon).find(' ') == std::string_view::npos) {
                it = types.find(type.substr(colon + 1));
                if (it == types.end()) return BuiltinInstanceOf(v, type.substr(colon + 1), nullptr);
            } else {
                if (v.IsNull()) return true;
                return BuiltinInstanceOf(v, type, this);
            }
        }
        return CheckItem(v, *it->second, depth + 1, true);
    }

    std::optional<bool> CheckItem(const Value& v, const ItemDefinition& d, int depth, bool honour_collection) const {
        if (v.IsNull()) return true;
        if (d.is_collection && honour_collection) {
            if (!v.Is(ValueKind::kList)) return false;
            for (const auto& e : v.AsList()) {
                auto m = CheckItem(e, d, depth + 1, false);
                if (!m || !*m) return m;
            }
            return true;
        }
        if (!d.components.empty()) {
            if (!v.Is(ValueKind::kContext)) return false;
            for (const auto& c : d.components) {
                const Value* e = v.AsContext().Find(c.name);
                auto m = CheckItem(e != nullptr ? *e : Value(), c, depth + 1, true);
                if (!m || !*m) return m;
            }
            return true;
        }
        if (!d.type_ref.empty()) {
            auto m = ConformsTo(v, d.type_ref, depth + 1);
            if (!m || !*m) return m;
        }
        auto a = allowed.find(&d);
        if (a != allowed.end()) {
            Scope empty;
            EvalContext ctx;
            auto m = MatchUnaryTests(*a->second, v, empty, ctx);
            if (!m || !*m) return false;
        }
        return true;
    }

    bool IsCollectionType(std::string_view type) const {
        auto it = types.find(type);
        if (it == types.end()) {
            size_t colon = type.find(':');
            if (colon != std::string_view::npos) it = types.find(type.substr(colon + 1));
        }
        return it != types.end() && it->second->is_collection;
    }

    Value Coerce(const Value& v, const std::string& type, EvalContext& ctx, const std::string& what) const {
        if (type.empty() || v.IsNull()) return v;
        auto m = ConformsTo(v, type, 0);
        if (!m || *m) return v;
        if (v.Is(ValueKind::kList) && v.AsList().size() == 1) {
            auto e = ConformsTo(v.AsList()[0], type, 0);
            if (e && *e) return v.AsList()[0];
        }
        if (IsCollectionType(type) && !v.Is(ValueKind::kList)) {
            Value wrapped = Value::MakeList({v});
            auto w = ConformsTo(wrapped, type, 0);
            if (w && *w) return wrapped;
        }
        ctx.Error(what + ": value " + ToFeelLiteral(v) + " does not conform to type '" + type + "'");
        return {};
    }

    Value Eval(const CompiledExpression& e, const Scope& scope, EvalContext& ctx, Run* run) const;
    Value EvaluateDecision(size_t idx, Run& run, EvalContext& ctx) const;
    void BindRequirements(const std::vector<Requirement>& reqs, Scope& scope, Run* run, EvalContext& ctx) const;
    Value CallBkm(size_t idx, std::span<const Value> args, EvalContext& ctx) const;
    Value CallService(size_t idx, std::span<const Value> args, EvalContext& ctx) const;
    FunctionPtr MakeFunction(const CompiledPtr& body, std::vector<std::string> params, const Scope& scope) const;
};

namespace {

std::string StripHref(const std::string& href) {
    size_t hash = href.find('#');
    return hash == std::string::npos ? href : href.substr(hash + 1);
}

void AddItemNames(const ItemDefinition& d, NameSet& names) {
    names.Add(d.name);
    for (const auto& c : d.components) AddItemNames(c, names);
}

void AddExpressionNames(const Expression* e, NameSet& names) {
    if (e == nullptr) return;
    for (const auto& c : e->entries) {
        names.Add(c.name);
        AddExpressionNames(c.value.get(), names);
    }
    for (const auto& b : e->bindings) {
        names.Add(b.name);
        AddExpressionNames(b.value.get(), names);
    }
    for (const auto& p : e->parameters) names.Add(p);
    for (const auto& c : e->columns) names.Add(c);
    for (const auto& i : e->items) AddExpressionNames(i.get(), names);
    for (const auto& r : e->rows)
        for (const auto& i : r) AddExpressionNames(i.get(), names);
    names.Add(e->iterator_variable);
    for (const auto& o : e->table.outputs) names.Add(o.name);
}

core::Result<CompiledPtr> CompileExpression(const Expression* e, const NameSet& names, const std::string& owner);

core::Result<CompiledPtr> CompileOptional(const ExpressionPtr& e, const NameSet& names, const std::string& owner) {
    if (!e) {
        auto c = std::make_shared<CompiledExpression>();
        auto lit = std::make_shared<Node>();
        c->node = lit;
        return c;
    }
    return CompileExpression(e.get(), names, owner);
}

core::Result<CompiledPtr> CompileExpression(const Expression* e, const NameSet& names, const std::string& owner) {
    auto c = std::make_shared<CompiledExpression>();
    c->kind = e->kind;
    c->type_ref = e->type_ref;
    c->owner = owner;
    auto fail = [&](const core::Error& err) {
        return core::Fail(core::Error::InvalidArgument("in '" + owner + "': " + err.message));
    };
    switch (e->kind) {
        case ExpressionKind::kLiteral: {
            auto n = ParseExpression(e->text.empty() ? "null" : e->text, names);
            if (!n) return fail(n.error());
            c->node = *n;
            break;
        }
        case ExpressionKind::kDecisionTable: {
            auto t = CompiledTable::Compile(e->table, names, owner);
            if (!t) return fail(t.error());
            c->table = std::make_shared<CompiledTable>(std::move(*t));
            break;
        }
        case ExpressionKind::kContext:
            for (const auto& entry : e->entries) {
                auto v = CompileOptional(entry.value, names, owner);
                if (!v) return std::unexpected(v.error());
                (*v)->type_ref = (*v)->type_ref.empty() ? entry.type_ref : (*v)->type_ref;
                c->entries.emplace_back(entry.name, *v);
            }
            break;
        case ExpressionKind::kInvocation: {
            auto n = ParseExpression(e->callee, names);
            if (!n) return fail(n.error());
            c->node = *n;
            for (const auto& b : e->bindings) {
                auto v = CompileOptional(b.value, names, owner);
                if (!v) return std::unexpected(v.error());
                c->entries.emplace_back(b.name, *v);
            }
            break;
        }
        case ExpressionKind::kFunctionDefinition:
        case ExpressionKind::kList:
        case ExpressionKind::kConditional:
        case ExpressionKind::kFilter:
        case ExpressionKind::kFor:
        case ExpressionKind::kSome:
        case ExpressionKind::kEvery:
            c->params = e->parameters;
            c->iterator = e->iterator_variable;
            if (e->kind == ExpressionKind::kFunctionDefinition && !e->function_kind.empty() && e->function_kind != "FEEL")
                return fail(core::Error::InvalidArgument("function kind '" + e->function_kind + "' is not supported"));
            for (const auto& i : e->items) {
                auto v = CompileOptional(i, names, owner);
                if (!v) return std::unexpected(v.error());
                c->items.push_back(*v);
            }
            break;
        case ExpressionKind::kRelation:
            c->params = e->columns;
            for (const auto& r : e->rows) {
                std::vector<CompiledPtr> row;
                for (const auto& i : r) {
                    auto v = CompileOptional(i, names, owner);
                    if (!v) return std::unexpected(v.error());
                    row.push_back(*v);
                }
                c->rows.push_back(std::move(row));
            }
            break;
    }
    return c;
}

}  // namespace

FunctionPtr Model::State::MakeFunction(const CompiledPtr& body, std::vector<std::string> params, const Scope& scope) const {
    auto fn = std::make_shared<Function>();
    fn->params = params;
    std::shared_ptr<Scope> closure = scope.Flatten();
    std::weak_ptr<const State> weak = shared_from_this();
    fn->native = [weak, body, closure, params](std::span<const Value> args, EvalContext& ctx) -> Value {
        auto state = weak.lock();
        if (!state) {
            ctx.Error("function used after its model was released");
            return {};
        }
        if (args.size() > params.size()) {
            ctx.Error("too many arguments");
            return {};
        }
        Scope s(closure.get());
        for (size_t i = 0; i < params.size(); ++i) s.Set(params[i], i < args.size() ? args[i] : Value());
        return state->Eval(*body, s, ctx, nullptr);
    };
    return fn;
}

Value Model::State::Eval(const CompiledExpression& e, const Scope& scope, EvalContext& ctx, Run* run) const {
    if (!ctx.Step()) return {};
    if (!ctx.Enter()) {
        ctx.Leave();
        return {};
    }
    struct Leave {
        EvalContext& c;
        ~Leave() { c.Leave(); }
    } leave{ctx};
    switch (e.kind) {
        case ExpressionKind::kLiteral:
            return rules::Evaluate(*e.node, scope, ctx);
        case ExpressionKind::kDecisionTable: {
            if (run != nullptr && run->explanations != nullptr) {
                DecisionExplanation ex;
                ex.decision = e.owner;
                Value v = e.table->Evaluate(scope, ctx, &ex.table);
                run->explanations->push_back(std::move(ex));
                return v;
            }
            return e.table->Evaluate(scope, ctx, nullptr);
        }
        case ExpressionKind::kContext: {
            Scope s(&scope);
            auto out = std::make_shared<Context>();
            for (const auto& [name, value] : e.entries) {
                Value v = Eval(*value, s, ctx, run);
                if (!value->type_ref.empty()) v = Coerce(v, value->type_ref, ctx, "context entry '" + name + "'");
                if (name.empty()) return v;  // the result entry
                s.Set(name, v);
                out->Put(name, std::move(v));
            }
            return Value(ContextPtr(std::move(out)));
        }
        case ExpressionKind::kInvocation: {
            Value fn = rules::Evaluate(*e.node, scope, ctx);
            if (!fn.Is(ValueKind::kFunction)) {
                ctx.Error("invocation of something that is not a function");
                return {};
            }
            std::vector<Value> args;
            std::vector<std::string> names;
            for (const auto& [name, value] : e.entries) {
                args.push_back(Eval(*value, scope, ctx, run));
                names.push_back(name);
            }
            return Invoke(*fn.AsFunction(), args, names, scope, ctx);
        }
        case ExpressionKind::kFunctionDefinition:
            return Value(MakeFunction(e.items.at(0), e.params, scope));
        case ExpressionKind::kList: {
            List out;
            for (const auto& i : e.items) out.push_back(Eval(*i, scope, ctx, run));
            return Value::MakeList(std::move(out));
        }
        case ExpressionKind::kRelation: {
            List out;
            for (const auto& row : e.rows) {
                auto c = std::make_shared<Context>();
                for (size_t i = 0; i < e.params.size() && i < row.size(); ++i) c->Put(e.params[i], Eval(*row[i], scope, ctx, run));
                out.push_back(Value(ContextPtr(std::move(c))));
            }
            return Value::MakeList(std::move(out));
        }
        case ExpressionKind::kConditional: {
            Value c = Eval(*e.items.at(0), scope, ctx, run);
            if (c.Is(ValueKind::kBoolean) && c.AsBool()) return Eval(*e.items.at(1), scope, ctx, run);
            return Eval(*e.items.at(2), scope, ctx, run);
        }
        case ExpressionKind::kFilter: {
            Value in = Eval(*e.items.at(0), scope, ctx, run);
            if (!in.Is(ValueKind::kList)) {
                if (in.IsNull()) return {};
                in = Value::MakeList({in});
            }
            List out;
            for (const auto& item : in.AsList()) {
                Scope s(&scope);
                if (item.Is(ValueKind::kContext))
                    for (const auto& [k, v] : item.AsContext().entries) s.Set(k, v);
                s.Set("item", item);
                Value keep = Eval(*e.items.at(1), s, ctx, run);
                if (keep.Is(ValueKind::kBoolean) && keep.AsBool()) out.push_back(item);
            }
            return Value::MakeList(std::move(out));
        }
        case ExpressionKind::kFor:
        case ExpressionKind::kSome:
        case ExpressionKind::kEvery: {
            Value in = Eval(*e.items.at(0), scope, ctx, run);
            if (!in.Is(ValueKind::kList)) {
                if (in.IsNull()) return {};
                in = Value::MakeList({in});
            }
            List out;
            for (const auto& item : in.AsList()) {
                Scope s(&scope);
                s.Set(e.iterator, item);
                Value r = Eval(*e.items.at(1), s, ctx, run);
                if (e.kind == ExpressionKind::kFor) {
                    out.push_back(std::move(r));
                } else {
                    bool t = r.Is(ValueKind::kBoolean) && r.AsBool();
                    if (e.kind == ExpressionKind::kSome && t) return Value(true);
                    if (e.kind == ExpressionKind::kEvery && !t) return Value(false);
                }
            }
            if (e.kind == ExpressionKind::kSome) return Value(false);
            if (e.kind == ExpressionKind::kEvery) return Value(true);
            return Value::MakeList(std::move(out));
        }
    }
    return {};
}

void Model::State::BindRequirements(const std::vector<Requirement>& reqs, Scope& scope, Run* run,
                                    EvalContext& ctx) const {
    for (const auto& r : reqs) {
        std::string id = StripHref(r.href);
        switch (r.kind) {
            case Requirement::Kind::kInput: {
                auto it = input_by_id.find(id);
                if (it == input_by_id.end()) {
                    ctx.Error("unresolved input requirement '" + r.href + "'");
                    break;
                }
                const InputData& in = defs->inputs[it->second];
                const Value* v = run != nullptr && run->inputs != nullptr ? run->inputs->Find(in.name) : nullptr;
                Value val = v != nullptr ? *v : Value();
                scope.Set(in.name, Coerce(val, in.type_ref, ctx, "input '" + in.name + "'"));
                break;
            }
            case Requirement::Kind::kDecision: {
                auto it = decision_by_id.find(id);
                if (it == decision_by_id.end()) {
                    ctx.Error("unresolved decision requirement '" + r.href + "'");
                    break;
                }
                if (run == nullptr) break;
                scope.Set(defs->decisions[it->second].name, EvaluateDecision(it->second, *run, ctx));
                break;
            }
            case Requirement::Kind::kKnowledge: {
                if (auto b = bkm_by_id.find(id); b != bkm_by_id.end()) {
                    scope.Set(defs->bkms[b->second].name, Value(bkm_values[b->second]));
                } else if (auto s = service_by_id.find(id); s != service_by_id.end()) {
                    scope.Set(defs->services[s->second].name, Value(service_values[s->second]));
                } else {
                    ctx.Error("unresolved knowledge requirement '" + r.href + "'");
                }
                break;
            }
        }
    }
}

Value Model::State::EvaluateDecision(size_t idx, Run& run, EvalContext& ctx) const {
    const Decision& d = defs->decisions[idx];
    if (run.inputs != nullptr) {
        if (const Value* given = run.inputs->Find(d.name)) return *given;
    }
    if (auto it = run.memo.find(idx); it != run.memo.end()) return it->second;
    if (run.active.count(idx) != 0) {
        ctx.Error("decision '" + d.name + "' requires itself");
        return {};
    }
    run.active.insert(idx);
    Scope scope;
    BindRequirements(d.requirements, scope, &run, ctx);
    Value v;
    if (decision_logic[idx]) {
        v = Eval(*decision_logic[idx], scope, ctx, &run);
        v = Coerce(v, d.type_ref, ctx, "decision '" + d.name + "'");
    } else {
        ctx.Error("decision '" + d.name + "' has no decision logic");
    }
    run.active.erase(idx);
    run.memo[idx] = v;
    return v;
}

Value Model::State::CallBkm(size_t idx, std::span<const Value> args, EvalContext& ctx) const {
    const BusinessKnowledgeModel& b = defs->bkms[idx];
    Scope scope;
    BindRequirements(b.requirements, scope, nullptr, ctx);
    Scope params(&scope);
    for (size_t i = 0; i < b.parameters.size(); ++i) params.Set(b.parameters[i], i < args.size() ? args[i] : Value());
    if (!bkm_logic[idx]) return {};
    // A BKM whose logic is itself a function definition: call that function with the same arguments.
    const CompiledExpression& body = *bkm_logic[idx];
    Value v = Eval(body, params, ctx, nullptr);
    return Coerce(v, b.type_ref, ctx, "business knowledge model '" + b.name + "'");
}

Value Model::State::CallService(size_t idx, std::span<const Value> args, EvalContext& ctx) const {
    const DecisionService& s = defs->services[idx];
    auto inputs = std::make_shared<Context>();
    size_t i = 0;
    for (const auto& h : s.input_decisions) {
        auto it = decision_by_id.find(StripHref(h));
        if (it != decision_by_id.end()) inputs->Put(defs->decisions[it->second].name, i < args.size() ? args[i] : Value());
        ++i;
    }
    for (const auto& h : s.input_data) {
        auto it = input_by_id.find(StripHref(h));
        if (it != input_by_id.end()) inputs->Put(defs->inputs[it->second].name, i < args.size() ? args[i] : Value());
        ++i;
    }
    Run run;
    run.inputs = inputs.get();
    std::vector<std::pair<std::string, Value>> outs;
    for (const auto& h : s.output_decisions) {
        auto it = decision_by_id.find(StripHref(h));
        if (it == decision_by_id.end()) {
            ctx.Error("unresolved output decision '" + h + "'");
            return {};
        }
        // Output decisions are computed, never taken from the arguments.
        const Decision& d = defs->decisions[it->second];
        Context without = *inputs;
        std::erase_if(without.entries, [&](const auto& kv) { return kv.first == d.name; });
        run.inputs = &without;
        outs.emplace_back(d.name, EvaluateDecision(it->second, run, ctx));
        run.inputs = inputs.get();
    }
    if (outs.size() == 1) return outs[0].second;
    auto c = std::make_shared<Context>();
    for (auto& [k, v] : outs) c->Put(k, std::move(v));
    return Value(ContextPtr(std::move(c)));
}

core::Result<Model> Model::Compile(Definitions defs_in) {
    Model m;
    m.defs_ = std::make_shared<const Definitions>(std::move(defs_in));
    const Definitions& defs = *m.defs_;
    auto names = std::make_shared<NameSet>();
    for (const auto& d : defs.item_definitions) AddItemNames(d, *names);
    for (const auto& in : defs.inputs) names->Add(in.name);
    for (const auto& d : defs.decisions) {
        names->Add(d.name);
        AddExpressionNames(d.expression.get(), *names);
    }
    for (const auto& b : defs.bkms) {
        names->Add(b.name);
        for (const auto& p : b.parameters) names->Add(p);
        AddExpressionNames(b.body.get(), *names);
    }
    for (const auto& s : defs.services) names->Add(s.name);
    m.names_ = names;
    auto state = std::make_shared<State>();
    state->defs = m.defs_.get();
    state->names = names.get();
    for (const auto& d : defs.item_definitions) state->types[d.name] = &d;
    std::vector<const ItemDefinition*> stack;
    for (const auto& d : defs.item_definitions) stack.push_back(&d);
    while (!stack.empty()) {
        const ItemDefinition* d = stack.back();
        stack.pop_back();
        for (const auto& c : d->components) stack.push_back(&c);
        const std::string& text = !d->allowed_values.empty() ? d->allowed_values : d->type_constraint;
        if (text.empty()) continue;
        auto tests = ParseUnaryTests(text, *names);
        if (!tests) return core::Fail(core::Error::InvalidArgument("allowed values of '" + d->name + "': " + tests.error().message));
        state->allowed[d] = *tests;
    }
    for (size_t i = 0; i < defs.inputs.size(); ++i) {
        state->input_by_id[defs.inputs[i].id] = i;
        state->input_by_name[defs.inputs[i].name] = i;
    }
    for (size_t i = 0; i < defs.decisions.size(); ++i) {
        const Decision& d = defs.decisions[i];
        state->decision_by_id[d.id] = i;
        state->decision_by_name[d.name] = i;
        if (!d.expression) {
            state->decision_logic.push_back(nullptr);
            continue;
        }
        auto c = CompileExpression(d.expression.get(), *names, d.name);
        if (!c) return std::unexpected(c.error());
        state->decision_logic.push_back(*c);
    }
    for (size_t i = 0; i < defs.bkms.size(); ++i) {
        const BusinessKnowledgeModel& b = defs.bkms[i];
        state->bkm_by_id[b.id] = i;
        state->bkm_by_name[b.name] = i;
        if (!b.body) {
            state->bkm_logic.push_back(nullptr);
        } else {
            auto c = CompileExpression(b.body.get(), *names, b.name);
            if (!c) return std::unexpected(c.error());
            state->bkm_logic.push_back(*c);
        }
    }
    std::weak_ptr<const State> weak = state;
    for (size_t i = 0; i < defs.bkms.size(); ++i) {
        auto fn = std::make_shared<Function>();
        fn->name = defs.bkms[i].name;
        fn->params = defs.bkms[i].parameters;
        fn->native = [weak, i](std::span<const Value> args, EvalContext& ctx) -> Value {
            auto s = weak.lock();
            if (!s) return {};
            return s->CallBkm(i, args, ctx);
        };
        state->bkm_values.push_back(std::move(fn));
    }
    for (size_t i = 0; i < defs.services.size(); ++i) {
        const DecisionService& s = defs.services[i];
        state->service_by_id[s.id] = i;
        state->service_by_name[s.name] = i;
        auto fn = std::make_shared<Function>();
        fn->name = s.name;
        for (const auto& h : s.input_decisions)
            if (auto it = state->decision_by_id.find(StripHref(h)); it != state->decision_by_id.end())
                fn->params.push_back(defs.decisions[it->second].name);
        for (const auto& h : s.input_data)
            if (auto it = state->input_by_id.find(StripHref(h)); it != state->input_by_id.end())
                fn->params.push_back(defs.inputs[it->second].name);
        fn->native = [weak, i](std::span<const Value> args, EvalContext& ctx) -> Value {
            auto st = weak.lock();
            if (!st) return {};
            return st->CallService(i, args, ctx);
        };
        state->service_values.push_back(std::move(fn));
    }
    m.state_ = state;
    return m;
}

core::Result<Value> Model::Evaluate(std::string_view name, const Context& inputs, EvalContext& ctx,
                                    std::vector<DecisionExplanation>* explanations) const {
    State::Run run;
    run.inputs = &inputs;
    run.explanations = explanations;
    if (auto it = state_->decision_by_name.find(name); it != state_->decision_by_name.end()) {
        // The requested decision is always computed, even if an input of the same name is given.
        Context without = inputs;
        std::erase_if(without.entries, [&](const auto& kv) { return kv.first == name; });
        run.inputs = &without;
        return state_->EvaluateDecision(it->second, run, ctx);
    }
    if (auto it = state_->service_by_name.find(name); it != state_->service_by_name.end()) {
        const Function& fn = *state_->service_values[it->second];
        std::vector<Value> args;
        for (const auto& p : fn.params) {
            const Value* v = inputs.Find(p);
            args.push_back(v != nullptr ? *v : Value());
        }
        return state_->CallService(it->second, args, ctx);
    }
    if (auto it = state_->bkm_by_name.find(name); it != state_->bkm_by_name.end()) {
        std::vector<Value> args;
        for (const auto& p : defs_->bkms[it->second].parameters) {
            const Value* v = inputs.Find(p);
            args.push_back(v != nullptr ? *v : Value());
        }
        return state_->CallBkm(it->second, args, ctx);
    }
    return core::Fail(core::Error::NotFound("no decision, decision service or business knowledge model named '" +
                                            std::string(name) + "'"));
}

const CompiledTable* Model::DecisionTableOf(std::string_view decision) const {
    auto it = state_->decision_by_name.find(decision);
    if (it == state_->decision_by_name.end()) return nullptr;
    const auto& logic = state_->decision_logic[it->second];
    if (!logic || logic->kind != ExpressionKind::kDecisionTable) return nullptr;
    return logic->table.get();
}

const TypeResolver* Model::type_resolver() const { return state_.get(); }

std::optional<bool> Model::Conforms(const Value& v, std::string_view type_ref) const {
    return state_->ConformsTo(v, type_ref, 0);
}

}  // namespace customsdesk::rules
