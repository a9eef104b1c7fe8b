#include "customsdesk/taxation/json_mapping.hpp"

#include <fmt/format.h>

namespace customsdesk::taxation {

namespace json = boost::json;
using core::Decimal;

std::optional<Decimal> ReadDecimal(const json::object& obj, core::ObjectReader& reader, std::string_view key,
                                   bool required) {
    const json::value* v = obj.if_contains(key);
    if (v == nullptr || v->is_null()) {
        if (required) reader.errors().Add(reader.Pointer(key), "required", "This field is required.");
        return std::nullopt;
    }
    if (v->is_int64()) return Decimal::FromInt(v->get_int64());
    if (v->is_double() || v->is_uint64()) {
        reader.errors().Add(reader.Pointer(key), "decimal_as_string",
                            "Give a fractional or large number as a string, e.g. \"123.45\".");
        return std::nullopt;
    }
    if (!v->is_string()) {
        reader.errors().Add(reader.Pointer(key), "type", "Expected a decimal number as a string.");
        return std::nullopt;
    }
    auto d = Decimal::Parse(v->get_string());
    if (!d) {
        reader.errors().Add(reader.Pointer(key), "format",
                            "Expected a decimal number in plain notation, e.g. \"123.45\".");
    }
    return d;
}

std::optional<Date> ReadDate(core::ObjectReader& reader, std::string_view key, bool required) {
    auto s = reader.String(key, required, 10);
    if (!s) return std::nullopt;
    auto d = ParseDate(*s);
    if (!d) reader.errors().Add(reader.Pointer(key), "format", "Expected a date YYYY-MM-DD.");
    return d;
}

core::Result<AssessmentInput> ParseAssessmentInput(const json::object& obj) {
    core::FieldErrors errors;
    core::ObjectReader r(obj, errors);
    AssessmentInput in;
    if (auto d = ReadDate(r, "acceptance_date", true)) in.acceptance_date = *d;
    if (auto p = r.String("procedure", true, 10)) {
        if (auto proc = ParseProcedure(*p)) {
            in.procedure = *proc;
        } else {
            errors.Add("/procedure", "unknown", "One of H1, H7, export.");
        }
    }
    if (auto c = r.String("currency", true, 3)) in.currency = *c;
    if (const json::array* items = r.Array("items", true, kMaxItems)) {
        in.items.reserve(items->size());
        for (std::size_t i = 0; i < items->size(); ++i) {
            std::string base = fmt::format("/items/{}", i);
            const json::value& v = (*items)[i];
            if (!v.is_object()) {
                errors.Add(base, "type", "Expected an object.");
                continue;
            }
            const json::object& io = v.get_object();
            core::ObjectReader ir(io, errors, base);
            AssessmentItem item;
            if (auto code = ir.String("commodity_code", true, 20)) item.commodity_code = *code;
            if (auto value = ReadDecimal(io, ir, "customs_value", true)) item.customs_value = *value;
            item.quantity = ReadDecimal(io, ir, "quantity", false);
            ir.RejectUnknown({"commodity_code", "customs_value", "quantity"});
            in.items.push_back(std::move(item));
        }
    }
    r.RejectUnknown({"acceptance_date", "procedure", "currency", "items"});
    if (auto ok = errors.ToResult(); !ok) return core::Fail(std::move(ok.error()));
    return in;
}

void WriteAssessment(core::JsonObjectWriter& o, const Assessment& a) {
    o.Text("procedure", ProcedureName(a.procedure));
    o.Text("acceptance_date", FormatDate(a.acceptance_date));
    o.Text("currency", a.currency);
    o.Decimal("units_per_eur", a.units_per_eur);
    if (a.exchange_rate_date) o.Text("exchange_rate_date", FormatDate(*a.exchange_rate_date));
    else o.Null("exchange_rate_date");
    o.Bool("h7_duty_relief", a.h7_duty_relief);
    o.ObjectArray("items", a.items, [](core::JsonObjectWriter& io, const ItemAssessment& it) {
        io.Decimal("customs_value_eur", it.customs_value_eur);
        io.Text("tariff_code_prefix", it.tariff_code_prefix);
        io.Decimal("duty_percent", it.duty_percent);
        io.DecimalOrNull("specific_duty", it.specific_duty);
        io.Text("specific_unit", it.specific_unit);
        io.Bool("duty_relief", it.duty_relief);
        io.Decimal("duty", it.duty);
        io.Decimal("vat_base", it.vat_base);
        io.Text("vat_code_prefix", it.vat_code_prefix);
        io.Decimal("vat_percent", it.vat_percent);
        io.Decimal("vat", it.vat);
    });
    o.Decimal("total_customs_value_eur", a.total_customs_value_eur);
    o.Decimal("total_duty", a.total_duty);
    o.Decimal("total_vat", a.total_vat);
    o.Decimal("total_taxes", a.total_taxes);
}

json::object AssessmentToJson(const Assessment& a) {
    std::string text;
    {
        core::JsonObjectWriter o(text);
        WriteAssessment(o, a);
    }
    return json::parse(text).as_object();
}

std::optional<TariffRate> ParseTariffRate(const json::object& obj, core::FieldErrors& errors,
                                          const std::string& base) {
    std::size_t before = errors.errors().size();
    core::ObjectReader r(obj, errors, base);
    TariffRate row;
    if (auto s = r.String("code_prefix", true, 20)) row.code_prefix = *s;
    if (auto d = ReadDecimal(obj, r, "duty_percent", true)) row.duty_percent = *d;
    row.specific_duty = ReadDecimal(obj, r, "specific_duty", false);
    if (auto s = r.String("specific_unit", false, 40)) row.specific_unit = *s;
    if (auto d = ReadDate(r, "valid_from", true)) row.valid_from = *d;
    row.valid_to = ReadDate(r, "valid_to", false);
    r.RejectUnknown({"code_prefix", "duty_percent", "specific_duty", "specific_unit", "valid_from", "valid_to"});
    if (errors.errors().size() != before) return std::nullopt;
    CheckTariffRate(row, base, errors);
    if (errors.errors().size() != before) return std::nullopt;
    return row;
}

std::optional<VatRate> ParseVatRate(const json::object& obj, core::FieldErrors& errors, const std::string& base) {
    std::size_t before = errors.errors().size();
    core::ObjectReader r(obj, errors, base);
    VatRate row;
    if (auto s = r.String("code_prefix", false, 20)) row.code_prefix = *s;
    if (auto d = ReadDecimal(obj, r, "percent", true)) row.percent = *d;
    if (auto d = ReadDate(r, "valid_from", true)) row.valid_from = *d;
    row.valid_to = ReadDate(r, "valid_to", false);
    r.RejectUnknown({"code_prefix", "percent", "valid_from", "valid_to"});
    if (errors.errors().size() != before) return std::nullopt;
    CheckVatRate(row, base, errors);
    if (errors.errors().size() != before) return std::nullopt;
    return row;
}

std::optional<ExchangeRate> ParseExchangeRate(const json::object& obj, core::FieldErrors& errors,
                                              const std::string& base) {
    std::size_t before = errors.errors().size();
    core::ObjectReader r(obj, errors, base);
    ExchangeRate row;
    if (auto s = r.String("currency", true, 3)) row.currency = *s;
    if (auto d = ReadDate(r, "valid_from", true)) row.valid_from = *d;
    if (auto d = ReadDecimal(obj, r, "units_per_eur", true)) row.units_per_eur = *d;
    r.RejectUnknown({"currency", "valid_from", "units_per_eur"});
    if (errors.errors().size() != before) return std::nullopt;
    CheckExchangeRate(row, base, errors);
    if (errors.errors().size() != before) return std::nullopt;
    return row;
}

json::object ToJson(const TariffRate& r) {
    json::object o;
    o["code_prefix"] = r.code_prefix;
    o["duty_percent"] = r.duty_percent.ToString();
    o["specific_duty"] = r.specific_duty ? json::value(r.specific_duty->ToString()) : json::value();
    o["specific_unit"] = r.specific_unit;
    o["valid_from"] = FormatDate(r.valid_from);
    o["valid_to"] = r.valid_to ? json::value(FormatDate(*r.valid_to)) : json::value();
    return o;
}

json::object ToJson(const VatRate& r) {
    json::object o;
    o["code_prefix"] = r.code_prefix;
    o["percent"] = r.percent.ToString();
    o["valid_from"] = FormatDate(r.valid_from);
    o["valid_to"] = r.valid_to ? json::value(FormatDate(*r.valid_to)) : json::value();
    return o;
}

json::object ToJson(const ExchangeRate& r) {
    json::object o;
    o["currency"] = r.currency;
    o["valid_from"] = FormatDate(r.valid_from);
    o["units_per_eur"] = r.units_per_eur.ToString();
    return o;
}

}  // namespace customsdesk::taxation
