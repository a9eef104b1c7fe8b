#include "customsdesk/declarations/validation.hpp"

#include <algorithm>
#include <stdexcept>

#include "customsdesk/core/identifiers.hpp"
#include "customsdesk/reference/commodities.hpp"
#include "customsdesk/reference/countries.hpp"
#include "customsdesk/reference/currencies.hpp"
#include "customsdesk/reference/unlocode.hpp"
#include "customsdesk/rules/dmn_xml.hpp"

namespace customsdesk::declarations {

extern const std::string_view kDeclarationRulesDmn;

namespace {

class Check {
public:
    explicit Check(std::vector<Violation>& out) : out_(out) {}
    void Add(std::string pointer, std::string code, std::string a0 = {}, std::string a1 = {}) {
        Violation v;
        v.pointer = std::move(pointer);
        v.code = std::move(code);
        v.arg0 = std::move(a0);
        v.arg1 = std::move(a1);
        out_.push_back(std::move(v));
    }
    void Required(const std::string& pointer, const std::string& value) {
        if (value.empty()) Add(pointer, "required");
    }
    void Country(const std::string& pointer, const std::string& code, bool required) {
        if (code.empty()) {
            if (required) Add(pointer, "required");
            return;
        }
        if (reference::FindCountry(code) == nullptr) Add(pointer, "unknown_country", code);
    }
    void Eori(const std::string& pointer, const std::string& id) {
        if (id.empty()) return;  // "required" was reported by the reader
        auto c = core::CheckEori(id);
        if (!c.ok()) Add(pointer, c.code == "checksum" ? "checksum" : "format", "EORI number such as FI1234567-8");
    }
    void Party(const std::string& base, const declarations::Party& p) {
        Eori(base + "/identification_number", p.identification_number);
        Country(base + "/country", p.country, false);
    }

private:
    std::vector<Violation>& out_;
};

bool AllDigits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
bool AllAlnumUpper(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'); });
}

// A 6-digit HS subheading is valid when some CN8 code starts with it.
bool IsHs6(std::string_view code6) {
    const auto& all = reference::CnCodes();
    auto it = std::lower_bound(all.begin(), all.end(), code6,
                               [](const reference::Commodity& c, std::string_view k) { return c.code < k; });
    return it != all.end() && std::string_view(it->code).substr(0, 6) == code6;
}

void CheckCommodity(Check& c, const std::string& ptr, const std::string& code, DeclarationType type) {
    if (code.empty()) return;
    if (!AllDigits(code) || (code.size() != 8 && !(type == DeclarationType::kH7 && code.size() == 6))) {
        c.Add(ptr, "format", type == DeclarationType::kH7 ? "6 or 8 digits" : "8 digits (CN code)");
        return;
    }
    bool known = code.size() == 8 ? reference::FindCnCode(code) != nullptr : IsHs6(code);
    if (!known) c.Add(ptr, "unknown_commodity", code);
}

std::optional<Decimal> Sum(const std::vector<GoodsItem>& items, std::optional<Decimal> GoodsItem::*member) {
    Decimal total;
    for (const auto& it : items) {
        if (!(it.*member)) return std::nullopt;
        auto s = Decimal::Add(total, *(it.*member));
        if (!s) return std::nullopt;
        total = *s;
    }
    return total;
}

const std::string* Text(const rules::Context& c, std::string_view key) {
    const rules::Value* v = c.Find(key);
    return v != nullptr && v->Is(rules::ValueKind::kString) ? &v->AsString() : nullptr;
}

void CollectRows(const rules::Value& result, const std::string& prefix, std::vector<Violation>& out) {
    if (!result.Is(rules::ValueKind::kList)) return;
    for (const auto& row : result.AsList()) {
        if (!row.Is(rules::ValueKind::kContext)) continue;
        const auto& ctx = row.AsContext();
        Violation v;
        if (const auto* code = Text(ctx, "code")) v.code = *code;
        if (const auto* field = Text(ctx, "field")) v.pointer = prefix.empty() ? *field : prefix + "/" + *field;
        if (const auto* en = Text(ctx, "message_en")) v.en = *en;
        if (const auto* fi = Text(ctx, "message_fi")) v.fi = *fi;
        if (const auto* sv = Text(ctx, "message_sv")) v.sv = *sv;
        if (v.code.empty()) continue;
        if (v.fi.empty()) v.fi = v.en;
        if (v.sv.empty()) v.sv = v.en;
        out.push_back(std::move(v));
    }
}

}  // namespace

std::string_view BusinessRules::ShippedDmn() { return kDeclarationRulesDmn; }

std::shared_ptr<const BusinessRules> BusinessRules::Shipped() {
    static const std::shared_ptr<const BusinessRules> shipped = [] {
        auto defs = rules::ImportDmn(kDeclarationRulesDmn);
        if (!defs) throw std::runtime_error("declaration-rules.dmn: " + defs.error().message);
        auto model = rules::Model::Compile(std::move(*defs));
        if (!model) throw std::runtime_error("declaration-rules.dmn: " + model.error().message);
        return std::make_shared<const BusinessRules>(std::make_shared<const rules::Model>(std::move(*model)),
                                                     "shipped");
    }();
    return shipped;
}

namespace {
// Distinct input combinations remembered per rule set version; past this the memo starts again.
constexpr std::size_t kMemoLimit = 20000;

// Appends a field of a memo key: its length, then its text (no separator can be confused).
void KeyPart(std::string& key, std::string_view part) {
    key += std::to_string(part.size());
    key += ':';
    key += part;
}
}  // namespace

std::shared_ptr<const std::vector<Violation>> BusinessRules::Evaluate(std::string_view decision,
                                                                      const std::string& key,
                                                                      const std::function<rules::Context()>& inputs) const {
    {
        std::shared_lock lock(memo_mu_);
        if (auto it = memo_.find(key); it != memo_.end()) return it->second;
    }
    auto found = std::make_shared<std::vector<Violation>>();
    rules::EvalContext ctx(rules::EvalLimits{}, model_->type_resolver());
    auto r = model_->Evaluate(decision, inputs(), ctx);
    if (r) CollectRows(*r, "", *found);
    std::unique_lock lock(memo_mu_);
    if (memo_.size() >= kMemoLimit) memo_.clear();
    memo_.emplace(key, found);
    return found;
}

void BusinessRules::Apply(const Declaration& d, std::vector<Violation>& out) const {
    using rules::Value;
    const auto* dest = reference::FindCountry(d.country_of_destination);
    const std::string_view type = TypeName(d.type);
    auto header = [&] {
        rules::Context c;
        c.Put("declarationType", Value::Str(type));
        c.Put("additionalType", Value::Str(d.additional_type));
        c.Put("dispatchCountry", d.country_of_dispatch.empty() ? Value() : Value::Str(d.country_of_dispatch));
        c.Put("destinationCountry", d.country_of_destination.empty() ? Value() : Value::Str(d.country_of_destination));
        c.Put("destinationInEu", dest == nullptr ? Value() : Value(dest->eu_member));
        c.Put("transportMode", d.transport.mode_at_border ? Value::Number(*d.transport.mode_at_border) : Value());
        c.Put("hasRepresentative", Value(d.representative.has_value()));
        return c;
    };
    // The key holds every input the contexts are built from (destinationInEu follows from the
    // destination country).
    std::string key = "D";
    for (std::string_view part : {type, std::string_view(d.additional_type), std::string_view(d.country_of_dispatch),
                                  std::string_view(d.country_of_destination)})
        KeyPart(key, part);
    KeyPart(key, d.transport.mode_at_border ? std::to_string(*d.transport.mode_at_border) : "-");
    KeyPart(key, d.representative ? "r" : "");
    for (const auto& v : *Evaluate("Declaration Violations", key, header)) out.push_back(v);

    for (std::size_t i = 0; i < d.items.size(); ++i) {
        const auto& it = d.items[i];
        const std::string requested = it.procedure_code.size() >= 2 ? it.procedure_code.substr(0, 2) : "";
        const std::string previous = it.procedure_code.size() >= 4 ? it.procedure_code.substr(2, 2) : "";
        const std::string chapter = it.commodity_code.size() >= 2 ? it.commodity_code.substr(0, 2) : "";
        auto in = [&] {
            rules::Context c;
            c.Put("declarationType", Value::Str(type));
            c.Put("requestedProcedure", requested.empty() ? Value() : Value::Str(requested));
            c.Put("previousProcedure", previous.empty() ? Value() : Value::Str(previous));
            c.Put("additionalProcedure",
                  it.additional_procedure.empty() ? Value() : Value::Str(it.additional_procedure));
            c.Put("chapter", chapter.empty() ? Value() : Value::Str(chapter));
            c.Put("supportingDocuments", Value::Number(static_cast<int64_t>(it.supporting_documents.size())));
            return c;
        };
        std::string item_key = "I";
        for (std::string_view part : {type, std::string_view(requested), std::string_view(previous),
                                      std::string_view(it.additional_procedure), std::string_view(chapter)})
            KeyPart(item_key, part);
        KeyPart(item_key, std::to_string(it.supporting_documents.size()));
        const std::string prefix = "/items/" + std::to_string(i);
        for (const auto& v : *Evaluate("Item Violations", item_key, in)) {
            out.push_back(v);
            if (!v.pointer.empty()) out.back().pointer = prefix + "/" + v.pointer;
        }
    }
}

std::vector<Violation> Validate(const Declaration& d, const ValidationContext& vctx) {
    std::vector<Violation> out;
    Check c(out);
    const bool import = IsImport(d.type);

    // LRN: an..22 of letters, digits and - _ / .
    if (!std::all_of(d.lrn.begin(), d.lrn.end(), [](char ch) {
            return (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '-' ||
                   ch == '_' || ch == '/' || ch == '.';
        }))
        c.Add("/lrn", "format", "letters, digits and - _ / .");

    c.Party("/declarant", d.declarant);
    if (import) {
        if (!d.importer) c.Add("/importer", "required");
        else c.Party("/importer", *d.importer);
        if (d.exporter) c.Party("/exporter", *d.exporter);
    } else {
        if (!d.exporter) c.Add("/exporter", "required");
        else c.Party("/exporter", *d.exporter);
        if (d.importer) c.Add("/importer", "not_allowed", "B1");
    }
    if (d.representative) {
        c.Eori("/representative/identification_number", d.representative->identification_number);
        if (!d.representative->status.empty() && d.representative->status != "2" && d.representative->status != "3")
            c.Add("/representative/status", "unknown_value", d.representative->status, "2, 3");
    }

    if (d.office_of_lodgement.empty()) c.Add("/office_of_lodgement", "required");
    else if (d.office_of_lodgement.size() != 8 || !AllAlnumUpper(d.office_of_lodgement) ||
             reference::FindCountry(d.office_of_lodgement.substr(0, 2)) == nullptr)
        c.Add("/office_of_lodgement", "format", "customs office reference number such as FI002000");

    c.Country("/country_of_dispatch", d.country_of_dispatch, true);
    c.Country("/country_of_destination", d.country_of_destination, true);
    if (d.location_of_goods.empty()) {
        if (d.type != DeclarationType::kH7) c.Add("/location_of_goods", "required");
    } else if (reference::FindLocation(d.location_of_goods) == nullptr) {
        c.Add("/location_of_goods", "unknown_location", d.location_of_goods);
    }
    if (d.transport.mode_at_border) {
        int m = *d.transport.mode_at_border;
        if (m < 1 || m > 9 || m == 6) c.Add("/transport/mode_at_border", "unknown_value", std::to_string(m),
                                            "1, 2, 3, 4, 5, 7, 8, 9");
    } else if (d.type != DeclarationType::kH7) {
        c.Add("/transport/mode_at_border", "required");
    }
    c.Country("/transport/nationality", d.transport.nationality, false);

    if (d.invoice_currency.empty()) {
        if (d.invoice_amount) c.Add("/invoice_currency", "required");
    } else if (reference::FindCurrency(d.invoice_currency) == nullptr) {
        c.Add("/invoice_currency", "unknown_currency", d.invoice_currency);
    }
    if (d.invoice_amount && d.invoice_amount->IsZero()) c.Add("/invoice_amount", "not_positive");
    if (d.total_gross_mass && d.total_gross_mass->IsZero()) c.Add("/total_gross_mass", "not_positive");

    std::int64_t packages = 0;
    bool all_packages = true;
    for (std::size_t i = 0; i < d.items.size(); ++i) {
        const auto& it = d.items[i];
        const std::string base = "/items/" + std::to_string(i);
        CheckCommodity(c, base + "/commodity_code", it.commodity_code, d.type);
        if (d.type != DeclarationType::kH7) {
            if (!it.gross_mass) c.Add(base + "/gross_mass", "required");
            if (!it.net_mass) c.Add(base + "/net_mass", "required");
        }
        if (it.net_mass && it.net_mass->IsZero()) c.Add(base + "/net_mass", "not_positive");
        if (it.gross_mass && it.gross_mass->IsZero()) c.Add(base + "/gross_mass", "not_positive");
        if (it.net_mass && it.gross_mass && *it.net_mass > *it.gross_mass)
            c.Add(base + "/net_mass", "net_exceeds_gross", it.net_mass->ToString(), it.gross_mass->ToString());
        if (it.procedure_code.empty()) c.Add(base + "/procedure_code", "required");
        else if (it.procedure_code.size() != 4 || !AllAlnumUpper(it.procedure_code))
            c.Add(base + "/procedure_code", "format", "4 characters such as 4000");
        if (!it.additional_procedure.empty() &&
            (it.additional_procedure.size() != 3 || !AllAlnumUpper(it.additional_procedure)))
            c.Add(base + "/additional_procedure", "format", "3 characters such as 000 or C07");
        c.Country(base + "/country_of_origin", it.country_of_origin, d.type == DeclarationType::kH1);
        if (import && !it.customs_value) c.Add(base + "/customs_value", "required");
        if (it.packages) {
            if (*it.packages < 0) c.Add(base + "/packages", "not_positive");
            packages += *it.packages;
        } else {
            all_packages = false;
        }
    }

    // Arithmetic: items against the declaration's totals.
    if (d.total_gross_mass) {
        if (auto sum = Sum(d.items, &GoodsItem::gross_mass); sum && *sum != *d.total_gross_mass)
            c.Add("/total_gross_mass", "mass_total_mismatch", sum->ToString(), d.total_gross_mass->ToString());
    }
    if (d.invoice_amount) {
        if (auto sum = Sum(d.items, &GoodsItem::item_amount); sum && *sum != *d.invoice_amount)
            c.Add("/invoice_amount", "amount_total_mismatch", sum->ToString(), d.invoice_amount->ToString());
    }
    if (d.total_packages && all_packages && !d.items.empty() && packages != *d.total_packages)
        c.Add("/total_packages", "packages_total_mismatch", std::to_string(packages),
              std::to_string(*d.total_packages));

    // H7: intrinsic value of the consignment at most 150 EUR. The invoice total (in its currency,
    // converted) when given, else the items' customs values (EUR).
    if (d.type == DeclarationType::kH7) {
        std::optional<Decimal> eur;
        std::string pointer = "/invoice_amount";
        if (d.invoice_amount && !d.invoice_currency.empty() &&
            reference::FindCurrency(d.invoice_currency) != nullptr) {
            if (d.invoice_currency == "EUR") eur = *d.invoice_amount;
            else if (vctx.to_eur) eur = vctx.to_eur(d.invoice_currency, *d.invoice_amount);
            if (!eur) c.Add("/invoice_currency", "currency_without_rate", d.invoice_currency);
        } else if (!d.invoice_amount) {
            eur = Sum(d.items, &GoodsItem::customs_value);
            pointer = "/items";
        }
        if (eur && *eur > Decimal::FromInt(kH7LimitEur)) c.Add(pointer, "h7_value_limit", eur->ToString());
    }

    if (vctx.rules != nullptr) vctx.rules->Apply(d, out);
    return out;
}

}  // namespace customsdesk::declarations
