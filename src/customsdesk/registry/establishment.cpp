#include "customsdesk/registry/establishment.hpp"

#include <algorithm>
#include <set>

#include "customsdesk/core/json.hpp"
#include "customsdesk/reference/countries.hpp"
#include "customsdesk/reference/unlocode.hpp"

namespace customsdesk::registry {
namespace {

std::string Upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

bool CodeChars(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/';
    });
}

}  // namespace

core::Result<EstablishmentFields> ValidateEstablishment(const boost::json::object& body) {
    core::FieldErrors errs;
    core::ObjectReader r(body, errs);
    EstablishmentFields f;
    if (auto code = r.String("code", false, 40); code && !code->empty()) {
        if (!CodeChars(*code)) errs.Add("/code", "format", "A site code has letters, digits and - _ . / only.");
        else f.code = *code;
    }
    f.name = r.String("name", true, 300).value_or("");
    if (auto t = r.String("type", false, 30)) {
        if (std::find(std::begin(kEstablishmentTypes), std::end(kEstablishmentTypes), *t) ==
            std::end(kEstablishmentTypes)) {
            std::string list;
            for (auto v : kEstablishmentTypes) list += (list.empty() ? "" : ", ") + std::string(v);
            errs.Add("/type", "enum", "The type is one of: " + list + ".");
        } else {
            f.type = *t;
        }
    }
    f.street = r.String("street", false, 200).value_or("");
    f.postal_code = r.String("postal_code", false, 20).value_or("");
    f.city = r.String("city", true, 100).value_or("");
    const std::string country = Upper(r.String("country", true, 2).value_or(""));
    if (!country.empty()) {
        if (reference::FindCountry(country) == nullptr) {
            errs.Add("/country", "unknown_country", "Not an ISO 3166-1 alpha-2 country code.");
        } else {
            f.country = country;
        }
    }
    if (f.country == "FI" && !f.postal_code.empty() &&
        (f.postal_code.size() != 5 ||
         !std::all_of(f.postal_code.begin(), f.postal_code.end(), [](char c) { return c >= '0' && c <= '9'; }))) {
        errs.Add("/postal_code", "format", "A Finnish postal code has five digits.");
    }
    if (auto loc = r.String("unlocode", false, 10); loc && !loc->empty()) {
        std::string code = Upper(*loc);
        code.erase(std::remove(code.begin(), code.end(), ' '), code.end());
        if (code.size() != 5) {
            errs.Add("/unlocode", "format", "A UN/LOCODE is 5 characters: country and location, e.g. FIHEL.");
        } else if (reference::FindLocation(code) == nullptr) {
            errs.Add("/unlocode", "unknown_unlocode", "Not a UN/LOCODE of the shipped list (EU-27).");
        } else if (!f.country.empty() && code.substr(0, 2) != f.country) {
            errs.Add("/unlocode", "mismatch", "The UN/LOCODE is in another country than the address.");
        } else {
            f.unlocode = code;
        }
    }
    static const std::set<std::string, std::less<>> allowed = [] {
        std::set<std::string, std::less<>> s(std::begin(kEstablishmentMembers), std::end(kEstablishmentMembers));
        for (auto ro : {"id", "organisation_id", "version", "created_at", "updated_at"}) s.emplace(ro);
        return s;
    }();
    for (auto ro : {"id", "organisation_id", "version", "created_at", "updated_at"}) {
        if (r.Has(ro)) errs.Add(r.Pointer(ro), "read_only", "This field is set by the system.");
    }
    r.RejectUnknown(allowed);
    if (auto ok = errs.ToResult(); !ok) return core::Fail(std::move(ok.error()));
    return f;
}

boost::json::object EstablishmentFieldsToJson(const EstablishmentFields& f) {
    return {{"code", f.code ? boost::json::value(*f.code) : nullptr},
            {"name", f.name},
            {"type", f.type},
            {"street", f.street},
            {"postal_code", f.postal_code},
            {"city", f.city},
            {"country", f.country},
            {"unlocode", f.unlocode ? boost::json::value(*f.unlocode) : nullptr}};
}

boost::json::object ToJson(const Establishment& e) {
    boost::json::object out;
    out["id"] = e.id.value();
    out["organisation_id"] = e.organisation.value();
    for (auto& kv : EstablishmentFieldsToJson(e.fields)) out[kv.key()] = kv.value();
    out["version"] = e.version;
    out["created_at"] = core::FormatTimestamp(e.created_at);
    out["updated_at"] = core::FormatTimestamp(e.updated_at);
    return out;
}

}  // namespace customsdesk::registry
