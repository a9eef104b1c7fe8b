#include "customsdesk/declarations/declaration.hpp"

#include <string>

#include "customsdesk/core/json.hpp"

namespace customsdesk::declarations {

std::string_view TypeName(DeclarationType t) {
    switch (t) {
        case DeclarationType::kH1: return "H1";
        case DeclarationType::kH7: return "H7";
        case DeclarationType::kB1: return "B1";
    }
    return "H1";
}

std::optional<DeclarationType> ParseType(std::string_view s) {
    if (s == "H1") return DeclarationType::kH1;
    if (s == "H7") return DeclarationType::kH7;
    if (s == "B1") return DeclarationType::kB1;
    return std::nullopt;
}

namespace {

void PutText(boost::json::object& o, std::string_view key, const std::string& v) {
    if (!v.empty()) o[key] = v;
}
void PutDecimal(boost::json::object& o, std::string_view key, const std::optional<Decimal>& v) {
    if (v) o[key] = v->ToString();
}
boost::json::object PartyJson(const Party& p) {
    boost::json::object o;
    o["identification_number"] = p.identification_number;
    PutText(o, "name", p.name);
    PutText(o, "country", p.country);
    return o;
}
boost::json::array DocumentsJson(const std::vector<Document>& docs) {
    boost::json::array a;
    for (const auto& d : docs) a.push_back(boost::json::object{{"type", d.type}, {"reference", d.reference}});
    return a;
}

}  // namespace

boost::json::object ToJson(const Declaration& d) {
    boost::json::object o;
    o["lrn"] = d.lrn;
    o["type"] = TypeName(d.type);
    o["additional_type"] = d.additional_type;
    o["declarant"] = PartyJson(d.declarant);
    if (d.importer) o["importer"] = PartyJson(*d.importer);
    if (d.exporter) o["exporter"] = PartyJson(*d.exporter);
    if (d.representative) {
        o["representative"] = boost::json::object{{"identification_number", d.representative->identification_number},
                                                  {"status", d.representative->status}};
    }
    PutText(o, "office_of_lodgement", d.office_of_lodgement);
    PutText(o, "country_of_dispatch", d.country_of_dispatch);
    PutText(o, "country_of_destination", d.country_of_destination);
    PutText(o, "location_of_goods", d.location_of_goods);
    boost::json::object t;
    if (d.transport.mode_at_border) t["mode_at_border"] = *d.transport.mode_at_border;
    PutText(t, "identity", d.transport.identity);
    PutText(t, "nationality", d.transport.nationality);
    if (d.transport.container) t["container"] = *d.transport.container;
    if (!t.empty()) o["transport"] = std::move(t);
    PutDecimal(o, "invoice_amount", d.invoice_amount);
    PutText(o, "invoice_currency", d.invoice_currency);
    PutDecimal(o, "total_gross_mass", d.total_gross_mass);
    if (d.total_packages) o["total_packages"] = *d.total_packages;
    if (!d.previous_documents.empty()) o["previous_documents"] = DocumentsJson(d.previous_documents);
    if (!d.supporting_documents.empty()) o["supporting_documents"] = DocumentsJson(d.supporting_documents);
    boost::json::array items;
    for (const auto& it : d.items) {
        boost::json::object i;
        i["sequence"] = it.sequence;
        i["commodity_code"] = it.commodity_code;
        i["description"] = it.description;
        PutDecimal(i, "gross_mass", it.gross_mass);
        PutDecimal(i, "net_mass", it.net_mass);
        PutText(i, "package_type", it.package_type);
        if (it.packages) i["packages"] = *it.packages;
        PutDecimal(i, "item_amount", it.item_amount);
        PutDecimal(i, "customs_value", it.customs_value);
        PutText(i, "procedure_code", it.procedure_code);
        PutText(i, "additional_procedure", it.additional_procedure);
        PutText(i, "country_of_origin", it.country_of_origin);
        if (!it.supporting_documents.empty()) i["supporting_documents"] = DocumentsJson(it.supporting_documents);
        items.push_back(std::move(i));
    }
    o["items"] = std::move(items);
    return o;
}

namespace {

using ObjectWriter = core::JsonObjectWriter;

void WriteParty(std::string& out, const Party& p) {
    ObjectWriter o(out);
    o.Text("identification_number", p.identification_number);
    o.TextIfAny("name", p.name);
    o.TextIfAny("country", p.country);
}

void WriteDocuments(ObjectWriter& o, std::string_view key, const std::vector<Document>& docs) {
    if (docs.empty()) return;
    o.ObjectArray(key, docs, [](ObjectWriter& w, const Document& doc) {
        w.Text("type", doc.type);
        w.Text("reference", doc.reference);
    });
}

}  // namespace

std::string CanonicalJson(const Declaration& d) {
    std::string out;
    out.reserve(512 + d.items.size() * 320);
    {
        ObjectWriter o(out);
        o.Text("lrn", d.lrn);
        o.Text("type", TypeName(d.type));
        o.Text("additional_type", d.additional_type);
        WriteParty(o.Key("declarant"), d.declarant);
        if (d.importer) WriteParty(o.Key("importer"), *d.importer);
        if (d.exporter) WriteParty(o.Key("exporter"), *d.exporter);
        if (d.representative) {
            ObjectWriter r(o.Key("representative"));
            r.Text("identification_number", d.representative->identification_number);
            r.Text("status", d.representative->status);
        }
        o.TextIfAny("office_of_lodgement", d.office_of_lodgement);
        o.TextIfAny("country_of_dispatch", d.country_of_dispatch);
        o.TextIfAny("country_of_destination", d.country_of_destination);
        o.TextIfAny("location_of_goods", d.location_of_goods);
        const auto& t = d.transport;
        if (t.mode_at_border || !t.identity.empty() || !t.nationality.empty() || t.container) {
            ObjectWriter w(o.Key("transport"));
            if (t.mode_at_border) w.Integer("mode_at_border", *t.mode_at_border);
            w.TextIfAny("identity", t.identity);
            w.TextIfAny("nationality", t.nationality);
            if (t.container) w.Bool("container", *t.container);
        }
        o.DecimalIfAny("invoice_amount", d.invoice_amount);
        o.TextIfAny("invoice_currency", d.invoice_currency);
        o.DecimalIfAny("total_gross_mass", d.total_gross_mass);
        if (d.total_packages) o.Integer("total_packages", *d.total_packages);
        WriteDocuments(o, "previous_documents", d.previous_documents);
        WriteDocuments(o, "supporting_documents", d.supporting_documents);
        o.ObjectArray("items", d.items, [](ObjectWriter& i, const GoodsItem& it) {
            i.Integer("sequence", it.sequence);
            i.Text("commodity_code", it.commodity_code);
            i.Text("description", it.description);
            i.DecimalIfAny("gross_mass", it.gross_mass);
            i.DecimalIfAny("net_mass", it.net_mass);
            i.TextIfAny("package_type", it.package_type);
            if (it.packages) i.Integer("packages", *it.packages);
            i.DecimalIfAny("item_amount", it.item_amount);
            i.DecimalIfAny("customs_value", it.customs_value);
            i.TextIfAny("procedure_code", it.procedure_code);
            i.TextIfAny("additional_procedure", it.additional_procedure);
            i.TextIfAny("country_of_origin", it.country_of_origin);
            WriteDocuments(i, "supporting_documents", it.supporting_documents);
        });
    }
    return out;
}

}  // namespace customsdesk::declarations
