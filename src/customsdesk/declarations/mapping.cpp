#include "customsdesk/declarations/mapping.hpp"

#include <pugixml.hpp>

#include <charconv>
#include <cstring>
#include <span>

#include "customsdesk/core/json.hpp"

namespace customsdesk::declarations {
namespace {

// ---------------------------------------------------------------------------------------------
// The schema: JSON member <-> EUCDM XML element name, per class.

enum class Kind { kText, kInt, kBool, kObject, kArray };
struct Schema;
struct Field {
    std::string_view json;
    std::string_view xml;
    Kind kind;
    const Schema* schema = nullptr;  // kObject / kArray element class
};
struct Schema {
    std::span<const Field> fields;
    const Field* ByJson(std::string_view k) const {
        for (const auto& f : fields)
            if (f.json == k) return &f;
        return nullptr;
    }
    const Field* ByXml(std::string_view k) const {
        for (const auto& f : fields)
            if (f.xml == k) return &f;
        return nullptr;
    }
};

constexpr Field kDocumentFields[] = {{"type", "Type", Kind::kText}, {"reference", "ReferenceNumber", Kind::kText}};
constexpr Schema kDocument{kDocumentFields};
constexpr Field kPartyFields[] = {{"identification_number", "IdentificationNumber", Kind::kText},
                                  {"name", "Name", Kind::kText},
                                  {"country", "Country", Kind::kText}};
constexpr Schema kParty{kPartyFields};
constexpr Field kRepresentativeFields[] = {{"identification_number", "IdentificationNumber", Kind::kText},
                                           {"status", "Status", Kind::kText}};
constexpr Schema kRepresentative{kRepresentativeFields};
constexpr Field kTransportFields[] = {{"mode_at_border", "ModeOfTransportAtTheBorder", Kind::kInt},
                                      {"identity", "IdentificationNumber", Kind::kText},
                                      {"nationality", "Nationality", Kind::kText},
                                      {"container", "ContainerIndicator", Kind::kBool}};
constexpr Schema kTransport{kTransportFields};
constexpr Field kItemFields[] = {{"sequence", "GoodsItemNumber", Kind::kInt},
                                 {"commodity_code", "CommodityCode", Kind::kText},
                                 {"description", "DescriptionOfGoods", Kind::kText},
                                 {"gross_mass", "GrossMass", Kind::kText},
                                 {"net_mass", "NetMass", Kind::kText},
                                 {"package_type", "TypeOfPackages", Kind::kText},
                                 {"packages", "NumberOfPackages", Kind::kInt},
                                 {"item_amount", "ItemAmountInvoiced", Kind::kText},
                                 {"customs_value", "CustomsValue", Kind::kText},
                                 {"procedure_code", "Procedure", Kind::kText},
                                 {"additional_procedure", "AdditionalProcedure", Kind::kText},
                                 {"country_of_origin", "CountryOfOrigin", Kind::kText},
                                 {"supporting_documents", "SupportingDocument", Kind::kArray, &kDocument}};
constexpr Schema kItem{kItemFields};
constexpr Field kRootFields[] = {{"lrn", "LRN", Kind::kText},
                                 {"type", "DeclarationType", Kind::kText},
                                 {"additional_type", "AdditionalDeclarationType", Kind::kText},
                                 {"declarant", "Declarant", Kind::kObject, &kParty},
                                 {"importer", "Importer", Kind::kObject, &kParty},
                                 {"exporter", "Exporter", Kind::kObject, &kParty},
                                 {"representative", "Representative", Kind::kObject, &kRepresentative},
                                 {"office_of_lodgement", "CustomsOfficeOfLodgement", Kind::kText},
                                 {"country_of_dispatch", "CountryOfDispatch", Kind::kText},
                                 {"country_of_destination", "CountryOfDestination", Kind::kText},
                                 {"location_of_goods", "LocationOfGoods", Kind::kText},
                                 {"transport", "ActiveBorderTransportMeans", Kind::kObject, &kTransport},
                                 {"invoice_amount", "TotalAmountInvoiced", Kind::kText},
                                 {"invoice_currency", "InvoiceCurrency", Kind::kText},
                                 {"total_gross_mass", "GrossMass", Kind::kText},
                                 {"total_packages", "TotalPackages", Kind::kInt},
                                 {"previous_documents", "PreviousDocument", Kind::kArray, &kDocument},
                                 {"supporting_documents", "SupportingDocument", Kind::kArray, &kDocument},
                                 {"items", "GoodsItem", Kind::kArray, &kItem}};
constexpr Schema kRoot{kRootFields};

// ---------------------------------------------------------------------------------------------
// JSON reading

class Reader {
public:
    explicit Reader(std::vector<Violation>& out) : out_(out) {}

    void Add(std::string pointer, std::string code, std::string a0 = {}, std::string a1 = {}) {
        Violation v;
        v.pointer = std::move(pointer);
        v.code = std::move(code);
        v.arg0 = std::move(a0);
        v.arg1 = std::move(a1);
        out_.push_back(std::move(v));
    }

    // Moves the ObjectReader's field errors into violations (the number in "At most N ..." kept).
    void Drain(core::FieldErrors& fe) {
        for (const auto& e : fe.errors()) {
            std::string arg;
            for (char c : e.message)
                if (c >= '0' && c <= '9') arg += c;
            Violation v{e.pointer, e.code, arg, {}, e.message, {}, {}};
            out_.push_back(std::move(v));
        }
        fe = core::FieldErrors{};
    }

    std::string Text(core::ObjectReader& r, std::string_view key, bool required, std::size_t max_len) {
        return r.String(key, required, max_len).value_or("");
    }

    std::optional<Decimal> Dec(const boost::json::object& o, std::string_view key, const std::string& ptr,
                               bool required) {
        auto it = o.find(key);
        if (it == o.end() || it->value().is_null()) {
            if (required) Add(ptr, "required");
            return std::nullopt;
        }
        const auto& v = it->value();
        std::optional<Decimal> d;
        if (v.is_string()) {
            std::string_view s = v.get_string();
            if (s.size() <= 40) d = Decimal::Parse(s);
            if (!d || s.find_first_of("eE") != std::string_view::npos) {
                Add(ptr, "format", "decimal number such as 12.50");
                return std::nullopt;
            }
        } else if (v.is_int64()) {
            d = Decimal::FromInt(v.get_int64());
        } else if (v.is_uint64()) {
            d = Decimal::Parse(std::to_string(v.get_uint64()));
        } else if (v.is_double()) {
            // A JSON number with a fraction (or beyond 64 bits) has already been rounded to a
            // binary double by the parser, so the digits the client sent may be lost: amounts and
            // masses with a fraction come as strings, as in the taxation API.
            Add(ptr, "decimal_as_string");
            return std::nullopt;
        } else {
            Add(ptr, "type", "decimal");
            return std::nullopt;
        }
        if (!d) {
            Add(ptr, "format", "decimal number such as 12.50");
            return std::nullopt;
        }
        if (d->IsNegative()) {
            Add(ptr, "not_positive");
            return std::nullopt;
        }
        if (d->Scale() > 6) {
            Add(ptr, "format", "at most 6 decimal places");
            return std::nullopt;
        }
        return d;
    }

    Party ReadParty(const boost::json::object& o, const std::string& base) {
        core::FieldErrors fe;
        core::ObjectReader r(o, fe, base);
        Party p;
        p.identification_number = Text(r, "identification_number", true, 17);
        p.name = Text(r, "name", false, kMaxNameLength);
        p.country = Text(r, "country", false, 2);
        r.RejectUnknown({"identification_number", "name", "country"});
        Drain(fe);
        return p;
    }

    std::vector<Document> ReadDocuments(core::ObjectReader& parent, std::string_view key, const std::string& base) {
        std::vector<Document> docs;
        const auto* arr = parent.Array(key, false, kMaxDocuments);
        if (arr == nullptr) return docs;
        for (std::size_t i = 0; i < arr->size(); ++i) {
            std::string ptr = base + "/" + std::string(key) + "/" + std::to_string(i);
            if (!(*arr)[i].is_object()) {
                Add(ptr, "type", "object");
                continue;
            }
            core::FieldErrors fe;
            core::ObjectReader r((*arr)[i].get_object(), fe, ptr);
            Document d;
            d.type = Text(r, "type", true, 4);
            d.reference = Text(r, "reference", true, 70);
            r.RejectUnknown({"type", "reference"});
            Drain(fe);
            docs.push_back(std::move(d));
        }
        return docs;
    }

    GoodsItem ReadItem(const boost::json::object& o, const std::string& base) {
        core::FieldErrors fe;
        core::ObjectReader r(o, fe, base);
        GoodsItem it;
        it.sequence = static_cast<int>(r.Int("sequence").value_or(0));
        it.commodity_code = Text(r, "commodity_code", true, 10);
        it.description = Text(r, "description", true, kMaxDescriptionLength);
        it.package_type = Text(r, "package_type", false, 2);
        it.packages = r.Int("packages");
        it.procedure_code = Text(r, "procedure_code", false, 4);
        it.additional_procedure = Text(r, "additional_procedure", false, 3);
        it.country_of_origin = Text(r, "country_of_origin", false, 2);
        it.supporting_documents = ReadDocuments(r, "supporting_documents", base);
        r.RejectUnknown({"sequence", "commodity_code", "description", "gross_mass", "net_mass", "package_type",
                         "packages", "item_amount", "customs_value", "procedure_code", "additional_procedure",
                         "country_of_origin", "supporting_documents"});
        Drain(fe);
        it.gross_mass = Dec(o, "gross_mass", base + "/gross_mass", false);
        it.net_mass = Dec(o, "net_mass", base + "/net_mass", false);
        it.item_amount = Dec(o, "item_amount", base + "/item_amount", false);
        it.customs_value = Dec(o, "customs_value", base + "/customs_value", false);
        return it;
    }

    Declaration Read(const boost::json::object& o) {
        core::FieldErrors fe;
        core::ObjectReader r(o, fe);
        Declaration d;
        d.lrn = Text(r, "lrn", true, kMaxLrnLength);
        auto type = r.String("type", true, 2);
        if (type) {
            if (auto t = ParseType(*type)) d.type = *t;
            else Add("/type", "unknown_value", *type, "H1, H7, B1");
        }
        d.additional_type = r.String("additional_type", false, 1).value_or("A");
        if (const auto* p = r.Object("declarant", true)) d.declarant = ReadParty(*p, "/declarant");
        if (const auto* p = r.Object("importer")) d.importer = ReadParty(*p, "/importer");
        if (const auto* p = r.Object("exporter")) d.exporter = ReadParty(*p, "/exporter");
        if (const auto* p = r.Object("representative")) {
            core::FieldErrors rfe;
            core::ObjectReader rr(*p, rfe, "/representative");
            Representative rep;
            rep.identification_number = Text(rr, "identification_number", true, 17);
            rep.status = Text(rr, "status", true, 1);
            rr.RejectUnknown({"identification_number", "status"});
            Drain(rfe);
            d.representative = std::move(rep);
        }
        d.office_of_lodgement = Text(r, "office_of_lodgement", false, 8);
        d.country_of_dispatch = Text(r, "country_of_dispatch", false, 2);
        d.country_of_destination = Text(r, "country_of_destination", false, 2);
        d.location_of_goods = Text(r, "location_of_goods", false, 5);
        if (const auto* t = r.Object("transport")) {
            core::FieldErrors tfe;
            core::ObjectReader tr(*t, tfe, "/transport");
            if (auto m = tr.Int("mode_at_border")) d.transport.mode_at_border = static_cast<int>(*m);
            d.transport.identity = Text(tr, "identity", false, 35);
            d.transport.nationality = Text(tr, "nationality", false, 2);
            d.transport.container = tr.Bool("container");
            tr.RejectUnknown({"mode_at_border", "identity", "nationality", "container"});
            Drain(tfe);
        }
        d.invoice_currency = Text(r, "invoice_currency", false, 3);
        d.total_packages = r.Int("total_packages");
        d.previous_documents = ReadDocuments(r, "previous_documents", "");
        d.supporting_documents = ReadDocuments(r, "supporting_documents", "");
        const auto* items = r.Array("items", true, kMaxItems);
        r.RejectUnknown({"lrn", "type", "additional_type", "declarant", "importer", "exporter", "representative",
                         "office_of_lodgement", "country_of_dispatch", "country_of_destination", "location_of_goods",
                         "transport", "invoice_amount", "invoice_currency", "total_gross_mass", "total_packages",
                         "previous_documents", "supporting_documents", "items"});
        Drain(fe);
        d.invoice_amount = Dec(o, "invoice_amount", "/invoice_amount", false);
        d.total_gross_mass = Dec(o, "total_gross_mass", "/total_gross_mass", false);
        if (items != nullptr) {
            if (items->empty()) Add("/items", "required");
            for (std::size_t i = 0; i < items->size(); ++i) {
                std::string ptr = "/items/" + std::to_string(i);
                if (!(*items)[i].is_object()) {
                    Add(ptr, "type", "object");
                    continue;
                }
                d.items.push_back(ReadItem((*items)[i].get_object(), ptr));
                auto& it = d.items.back();
                if (it.sequence == 0) it.sequence = static_cast<int>(i) + 1;
                else if (it.sequence != static_cast<int>(i) + 1)
                    Add(ptr + "/sequence", "item_sequence", std::to_string(i + 1));
            }
        }
        return d;
    }

private:
    std::vector<Violation>& out_;
};

// ---------------------------------------------------------------------------------------------
// XML -> JSON shape

std::string_view LocalName(const char* name) {
    std::string_view n(name);
    auto colon = n.find(':');
    return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

boost::json::value Scalar(Kind kind, std::string_view text) {
    // Trim whitespace around text values (XML formatting).
    while (!text.empty() && std::strchr(" \t\r\n", text.front())) text.remove_prefix(1);
    while (!text.empty() && std::strchr(" \t\r\n", text.back())) text.remove_suffix(1);
    if (kind == Kind::kInt) {
        std::int64_t v = 0;
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec == std::errc() && p == text.data() + text.size() && !text.empty()) return v;
    } else if (kind == Kind::kBool) {
        if (text == "true" || text == "1") return true;
        if (text == "false" || text == "0") return false;
    }
    return boost::json::string(text);
}

boost::json::object ToShape(const pugi::xml_node& node, const Schema& schema) {
    boost::json::object o;
    for (const auto& child : node.children()) {
        if (child.type() != pugi::node_element) continue;
        const auto name = LocalName(child.name());
        const Field* f = schema.ByXml(name);
        if (f == nullptr) {
            o[name] = boost::json::string(child.child_value());
            continue;
        }
        switch (f->kind) {
            case Kind::kArray: {
                auto& slot = o[f->json];
                if (!slot.is_array()) slot = boost::json::array();
                slot.get_array().push_back(ToShape(child, *f->schema));
                break;
            }
            case Kind::kObject: o[f->json] = ToShape(child, *f->schema); break;
            default: o[f->json] = Scalar(f->kind, child.child_value()); break;
        }
    }
    return o;
}

core::Error XmlError(std::string message) {
    return core::Error::InvalidArgument("The XML document cannot be read.", {{"/", "malformed_xml", std::move(message)}});
}

core::Result<pugi::xml_document*> Load(pugi::xml_document& doc, std::string_view xml) {
    auto res = doc.load_buffer(xml.data(), xml.size(), pugi::parse_default & ~pugi::parse_doctype);
    if (!res) return core::Fail(XmlError(std::string(res.description()) + " at byte " + std::to_string(res.offset)));
    return &doc;
}

// Schema of the class a JSON token leads to.
void AppendXml(std::string& out, const boost::json::object& o, const Schema& schema, std::string_view tag, int depth);

std::string Escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

void AppendValue(std::string& out, const Field& f, const boost::json::value& v, int depth) {
    std::string indent(static_cast<std::size_t>(depth) * 2, ' ');
    if (f.kind == Kind::kObject) {
        AppendXml(out, v.get_object(), *f.schema, f.xml, depth);
    } else if (f.kind == Kind::kArray) {
        for (const auto& e : v.get_array()) AppendXml(out, e.get_object(), *f.schema, f.xml, depth);
    } else {
        std::string text;
        if (v.is_string()) text = Escape(v.get_string());
        else if (v.is_bool()) text = v.get_bool() ? "true" : "false";
        else text = boost::json::serialize(v);
        out += indent + "<" + std::string(f.xml) + ">" + text + "</" + std::string(f.xml) + ">\n";
    }
}

void AppendXml(std::string& out, const boost::json::object& o, const Schema& schema, std::string_view tag, int depth) {
    std::string indent(static_cast<std::size_t>(depth) * 2, ' ');
    out += indent + "<" + std::string(tag) + ">\n";
    for (const auto& f : schema.fields) {
        auto it = o.find(f.json);
        if (it != o.end()) AppendValue(out, f, it->value(), depth + 1);
    }
    out += indent + "</" + std::string(tag) + ">\n";
}

}  // namespace

Declaration ReadDeclaration(const boost::json::object& obj, std::vector<Violation>& out) {
    Reader r(out);
    return r.Read(obj);
}

core::Result<boost::json::object> ParseDeclarationXml(std::string_view xml) {
    pugi::xml_document doc;
    if (auto ok = Load(doc, xml); !ok) return core::Fail(std::move(ok.error()));
    auto root = doc.document_element();
    if (LocalName(root.name()) != "Declaration") return core::Fail(XmlError("the root element must be <Declaration>"));
    return ToShape(root, kRoot);
}

core::Result<std::vector<boost::json::object>> ParseDeclarationsXml(std::string_view xml) {
    pugi::xml_document doc;
    if (auto ok = Load(doc, xml); !ok) return core::Fail(std::move(ok.error()));
    auto root = doc.document_element();
    if (LocalName(root.name()) != "Declarations") return core::Fail(XmlError("the root element must be <Declarations>"));
    std::vector<boost::json::object> out;
    for (const auto& child : root.children()) {
        if (child.type() != pugi::node_element) continue;
        if (LocalName(child.name()) != "Declaration")
            return core::Fail(XmlError("<Declarations> may only contain <Declaration> elements"));
        out.push_back(ToShape(child, kRoot));
    }
    return out;
}

std::string JsonPointerToXPath(std::string_view pointer, std::string_view root) {
    std::string out(root);
    const Schema* schema = &kRoot;
    const Field* pending_array = nullptr;
    std::size_t pos = pointer.empty() || pointer[0] != '/' ? 0 : 1;
    if (pointer.empty() || pointer == "/") return out;
    while (pos <= pointer.size()) {
        auto next = pointer.find('/', pos);
        std::string_view tok = pointer.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos);
        if (pending_array != nullptr) {
            int idx = 0;
            std::from_chars(tok.data(), tok.data() + tok.size(), idx);
            out += "[" + std::to_string(idx + 1) + "]";
            schema = pending_array->schema;
            pending_array = nullptr;
        } else {
            const Field* f = schema != nullptr ? schema->ByJson(tok) : nullptr;
            if (f == nullptr) {
                out += "/" + std::string(tok);
                schema = nullptr;
            } else {
                out += "/" + std::string(f->xml);
                if (f->kind == Kind::kArray) pending_array = f;
                else schema = f->kind == Kind::kObject ? f->schema : nullptr;
            }
        }
        if (next == std::string_view::npos) break;
        pos = next + 1;
    }
    return out;
}

std::string ToXml(const Declaration& d) {
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    auto json = ToJson(d);
    // The root carries the namespace; children follow the schema order.
    std::string body;
    AppendXml(body, json, kRoot, "Declaration", 0);
    body.replace(0, std::strlen("<Declaration>"), "<Declaration xmlns=\"urn:customsdesk:declaration:1\">");
    return out + body;
}

std::vector<core::FieldError> Localize(const std::vector<Violation>& violations, Language lang, bool xml,
                                       std::string_view xml_root) {
    std::vector<core::FieldError> out;
    out.reserve(violations.size());
    for (const auto& v : violations) {
        std::string message;
        if (lang == Language::kFi && !v.fi.empty()) message = v.fi;
        else if (lang == Language::kSv && !v.sv.empty()) message = v.sv;
        else if (!v.fi.empty() || !v.sv.empty()) message = v.en;
        else if (auto m = Message(v.code, lang, v.arg0, v.arg1)) message = std::move(*m);
        else message = v.en.empty() ? v.code : v.en;
        out.push_back({xml ? JsonPointerToXPath(v.pointer, xml_root) : v.pointer, v.code, std::move(message)});
    }
    return out;
}

}  // namespace customsdesk::declarations
