#include "customsdesk/selectivity/subject_json.hpp"

#include <fmt/format.h>

#include "customsdesk/core/json.hpp"

namespace customsdesk::selectivity {
namespace {

std::optional<Decimal> DecimalField(core::ObjectReader& r, const boost::json::object& obj, std::string_view key) {
    const auto* v = obj.if_contains(key);
    if (v == nullptr || v->is_null()) return std::nullopt;
    std::optional<Decimal> d;
    if (v->is_string()) d = Decimal::Parse(std::string_view(v->as_string()));
    else if (v->is_int64()) d = Decimal::FromInt(v->as_int64());
    if (!d || d->IsNegative()) {
        r.errors().Add(r.Pointer(key), "decimal", "Must be a non-negative exact decimal, e.g. \"1234.50\".");
        return std::nullopt;
    }
    return d;
}

std::optional<core::Timestamp> TimeField(core::ObjectReader& r, std::string_view key) {
    auto s = r.String(key);
    if (!s) return std::nullopt;
    auto t = core::ParseTimestamp(*s);
    if (!t) r.errors().Add(r.Pointer(key), "timestamp", "Must be an RFC 3339 timestamp.");
    return t;
}

}  // namespace

core::Result<Subject> SubjectFromJson(const boost::json::object& body) {
    core::FieldErrors errors;
    core::ObjectReader r(body, errors);
    Subject s;
    s.declaration_id = r.Int("declaration_id").value_or(0);
    s.identity = r.String("identity", false, 100).value_or("");
    if (auto org = r.Int("organisation_id")) s.organisation = core::OrganisationId(*org);
    s.declaration_type = r.String("declaration_type", true, 10).value_or("");
    s.office = r.String("office", false, 20);
    s.dispatch_country = r.String("dispatch_country", false, 2);
    s.origin_country = r.String("origin_country", false, 2);
    s.destination_country = r.String("destination_country", false, 2);
    s.total_value = DecimalField(r, body, "total_value");
    s.transport_mode = r.Int("transport_mode");
    s.route = r.String("route", false, 200);
    s.location = r.String("location", false, 20);
    if (auto t = r.String("assessed_at")) {
        if (auto ts = core::ParseTimestamp(*t)) s.assessed_at = *ts;
        else errors.Add("/assessed_at", "timestamp", "Must be an RFC 3339 timestamp.");
    }
    if (const auto* items = r.Array("items", false, kMaxSubjectItems)) {
        for (std::size_t i = 0; i < items->size(); ++i) {
            const std::string base = fmt::format("/items/{}", i);
            if (!(*items)[i].is_object()) {
                errors.Add(base, "type", "Each item must be an object.");
                continue;
            }
            const auto& obj = (*items)[i].as_object();
            core::ObjectReader ir(obj, errors, base);
            ItemAttributes item;
            item.commodity_code = ir.String("commodity_code", true, 10).value_or("");
            for (char c : item.commodity_code) {
                if (c < '0' || c > '9') {
                    errors.Add(ir.Pointer("commodity_code"), "digits", "A commodity code has digits only.");
                    break;
                }
            }
            item.origin = ir.String("origin", false, 2);
            item.value = DecimalField(ir, obj, "value");
            item.net_mass = DecimalField(ir, obj, "net_mass");
            ir.RejectUnknown({"commodity_code", "origin", "value", "net_mass"});
            s.items.push_back(std::move(item));
        }
    }
    if (const auto* trader = r.Object("trader")) {
        core::ObjectReader tr(*trader, errors, "/trader");
        s.trader.customer_group = tr.String("customer_group", false, 20);
        s.trader.aeo_type = tr.String("aeo_type", false, 4);
        if (s.trader.aeo_type && *s.trader.aeo_type != "AEOC" && *s.trader.aeo_type != "AEOS" &&
            *s.trader.aeo_type != "AEOF") {
            errors.Add("/trader/aeo_type", "code", "AEO type is AEOC, AEOS or AEOF (or null).");
        }
        s.trader.controls = tr.Int("controls").value_or(0);
        s.trader.findings = tr.Int("findings").value_or(0);
        s.trader.declaration_count = tr.Int("declaration_count").value_or(0);
        s.trader.first_declaration_at = TimeField(tr, "first_declaration_at");
        s.trader.last_finding_at = TimeField(tr, "last_finding_at");
        tr.RejectUnknown({"customer_group", "aeo_type", "controls", "findings", "declaration_count",
                          "first_declaration_at", "last_finding_at"});
    }
    r.RejectUnknown({"declaration_id", "identity", "organisation_id", "declaration_type", "office", "dispatch_country",
                     "origin_country", "destination_country", "total_value", "transport_mode", "route", "location",
                     "assessed_at", "items", "trader"});
    if (auto ok = errors.ToResult("The subject has invalid fields."); !ok) return core::Fail(std::move(ok.error()));
    return s;
}

}  // namespace customsdesk::selectivity
