#include "customsdesk/registry/contact.hpp"

#include <algorithm>
#include <set>

#include "customsdesk/core/json.hpp"
#include "customsdesk/registry/organisation.hpp"

namespace customsdesk::registry {

bool PlausibleEmail(std::string_view e) {
    const auto at = e.find('@');
    if (at == std::string_view::npos || at == 0 || e.find('@', at + 1) != std::string_view::npos) return false;
    const auto domain = e.substr(at + 1);
    const auto dot = domain.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 >= domain.size()) return false;
    return std::none_of(e.begin(), e.end(), [](char c) {
        return std::isspace(static_cast<unsigned char>(c)) || c == ',' || c == ';' || c == '<' || c == '>';
    });
}

core::Result<ContactFields> ValidateContact(const boost::json::object& body) {
    core::FieldErrors errs;
    core::ObjectReader r(body, errs);
    ContactFields f;
    f.first_name = r.String("first_name", true, 100).value_or("");
    f.last_name = r.String("last_name", true, 100).value_or("");
    if (auto e = r.String("email", false, 254); e && !e->empty()) {
        std::string lower = *e;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (!PlausibleEmail(lower)) errs.Add("/email", "format", "Not an e-mail address.");
        else f.email = lower;
    }
    if (auto p = r.String("phone", false, 40); p && !p->empty()) {
        const bool ok = std::all_of(p->begin(), p->end(), [](char c) {
            return std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == ' ' || c == '-' || c == '(' ||
                   c == ')';
        });
        if (!ok) errs.Add("/phone", "format", "A phone number has digits, spaces, + - ( ) only.");
        else f.phone = *p;
    }
    if (auto l = r.String("language", false, 5); l && !l->empty()) {
        if (std::find(std::begin(kLanguages), std::end(kLanguages), *l) == std::end(kLanguages)) {
            errs.Add("/language", "enum", "The language is one of: fi, sv, en.");
        } else {
            f.language = *l;
        }
    }
    if (auto roles = r.StringArray("contact_roles", false, 10, 40)) {
        for (std::size_t i = 0; i < roles->size(); ++i) {
            const auto& v = (*roles)[i];
            const std::string ptr = "/contact_roles/" + std::to_string(i);
            if (std::find(std::begin(kContactRoles), std::end(kContactRoles), v) == std::end(kContactRoles)) {
                errs.Add(ptr, "enum",
                         "A contact role is one of: decision_maker, influencer, customs_contact, cooperation_partner, "
                         "billing_contact, it_edi_contact.");
            } else if (std::find(f.roles.begin(), f.roles.end(), v) != f.roles.end()) {
                errs.Add(ptr, "duplicate", "Listed twice.");
            } else {
                f.roles.push_back(v);
            }
        }
    }
    f.marketing_consent = r.Bool("marketing_consent").value_or(false);
    if (auto est = r.Int("establishment_id")) {
        if (*est <= 0) errs.Add("/establishment_id", "range", "An establishment id is a positive integer.");
        else f.establishment = EstablishmentId(*est);
    }
    static const std::set<std::string, std::less<>> allowed = [] {
        std::set<std::string, std::less<>> s(std::begin(kContactMembers), std::end(kContactMembers));
        for (auto ro : {"id", "organisation_id", "version", "created_at", "updated_at", "erased_at"}) s.emplace(ro);
        return s;
    }();
    for (auto ro : {"id", "organisation_id", "version", "created_at", "updated_at", "erased_at"}) {
        if (r.Has(ro)) errs.Add(r.Pointer(ro), "read_only", "This field is set by the system.");
    }
    r.RejectUnknown(allowed);
    if (auto ok = errs.ToResult(); !ok) return core::Fail(std::move(ok.error()));
    return f;
}

boost::json::object ContactFieldsToJson(const ContactFields& f) {
    auto opt = [](const std::optional<std::string>& s) { return s ? boost::json::value(*s) : boost::json::value(); };
    boost::json::array roles;
    for (const auto& r : f.roles) roles.emplace_back(r);
    return {{"first_name", f.first_name},
            {"last_name", f.last_name},
            {"email", opt(f.email)},
            {"phone", opt(f.phone)},
            {"language", opt(f.language)},
            {"contact_roles", roles},
            {"marketing_consent", f.marketing_consent},
            {"establishment_id", f.establishment ? boost::json::value(f.establishment->value()) : nullptr}};
}

boost::json::object ToJson(const Contact& c) {
    boost::json::object out;
    out["id"] = c.id.value();
    out["organisation_id"] = c.organisation.value();
    for (auto& kv : ContactFieldsToJson(c.fields)) out[kv.key()] = kv.value();
    out["version"] = c.version;
    out["created_at"] = core::FormatTimestamp(c.created_at);
    out["updated_at"] = core::FormatTimestamp(c.updated_at);
    out["erased_at"] = c.erased_at ? boost::json::value(core::FormatTimestamp(*c.erased_at)) : nullptr;
    return out;
}

}  // namespace customsdesk::registry
