#include "customsdesk/registry/organisation.hpp"

#include <algorithm>
#include <set>

#include "customsdesk/core/identifiers.hpp"
#include "customsdesk/core/json.hpp"
#include "customsdesk/reference/countries.hpp"
#include "customsdesk/registry/text_fold.hpp"

namespace customsdesk::registry {
namespace {

template <std::size_t N>
bool OneOf(const std::string_view (&list)[N], std::string_view v) {
    return std::find(std::begin(list), std::end(list), v) != std::end(list);
}

template <std::size_t N>
std::string Joined(const std::string_view (&list)[N]) {
    std::string out;
    for (auto v : list) {
        if (!out.empty()) out += ", ";
        out += v;
    }
    return out;
}

// A list of distinct members of a code list.
template <std::size_t N>
std::vector<std::string> ReadCodeList(core::ObjectReader& r, std::string_view key, const std::string_view (&allowed)[N],
                                      std::string_view what) {
    auto items = r.StringArray(key, false, 20, 50);
    if (!items) return {};
    std::set<std::string> seen;
    std::vector<std::string> out;
    for (std::size_t i = 0; i < items->size(); ++i) {
        const std::string& v = (*items)[i];
        const std::string ptr = r.Pointer(key) + "/" + std::to_string(i);
        if (!OneOf(allowed, v)) {
            r.errors().Add(ptr, "enum", std::string(what) + " is one of: " + Joined(allowed) + ".");
        } else if (!seen.insert(v).second) {
            r.errors().Add(ptr, "duplicate", "Listed twice.");
        } else {
            out.push_back(v);
        }
    }
    return out;
}

std::vector<Address> ReadAddresses(core::ObjectReader& r) {
    std::vector<Address> out;
    const boost::json::array* arr = r.Array("addresses", false, 10);
    if (!arr) return out;
    for (std::size_t i = 0; i < arr->size(); ++i) {
        const std::string base = r.Pointer("addresses") + "/" + std::to_string(i);
        if (!(*arr)[i].is_object()) {
            r.errors().Add(base, "type", "Expected an object.");
            continue;
        }
        core::ObjectReader a((*arr)[i].as_object(), r.errors(), base);
        Address addr;
        addr.type = a.String("type", false, 20).value_or("postal");
        if (!OneOf(kAddressTypes, addr.type)) {
            a.errors().Add(a.Pointer("type"), "enum", "The address type is one of: " + Joined(kAddressTypes) + ".");
        }
        addr.street = a.String("street", true, 200).value_or("");
        addr.postal_code = a.String("postal_code", false, 20).value_or("");
        addr.city = a.String("city", true, 100).value_or("");
        addr.country = a.String("country", true, 2).value_or("");
        if (!addr.country.empty()) {
            std::string upper = addr.country;
            for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            if (reference::FindCountry(upper) == nullptr) {
                a.errors().Add(a.Pointer("country"), "unknown_country", "Not an ISO 3166-1 alpha-2 country code.");
            } else {
                addr.country = upper;
            }
        }
        if (addr.country == "FI" && !addr.postal_code.empty() &&
            (addr.postal_code.size() != 5 ||
             !std::all_of(addr.postal_code.begin(), addr.postal_code.end(), [](char c) { return c >= '0' && c <= '9'; }))) {
            a.errors().Add(a.Pointer("postal_code"), "format", "A Finnish postal code has five digits.");
        }
        a.RejectUnknown({"type", "street", "postal_code", "city", "country"});
        if (std::any_of(out.begin(), out.end(), [&](const Address& o) { return o.type == addr.type; })) {
            a.errors().Add(a.Pointer("type"), "duplicate", "There is already an address of this type.");
        }
        out.push_back(std::move(addr));
    }
    return out;
}

// An identifier field: trimmed, checked, normalised; empty string counts as absent.
std::optional<std::string> ReadIdentifier(core::ObjectReader& r, std::string_view key,
                                          core::IdCheck (*check)(std::string_view)) {
    auto text = r.String(key, false, 40);
    if (!text || text->empty()) return std::nullopt;
    const core::IdCheck c = check(*text);
    if (!c.ok()) {
        r.errors().Add(r.Pointer(key), c.code, c.message);
        return std::nullopt;
    }
    return c.normalized;
}

core::IdCheck CheckVat(std::string_view text) {
    const std::string_view s = core::TrimAscii(text);
    if (s.size() >= 2 && (s.substr(0, 2) == "FI" || s.substr(0, 2) == "fi")) return core::CheckFinnishVat(s);
    // Other EU VAT numbers: country prefix and 2..13 letters or digits.
    std::string upper(s);
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const bool ok = upper.size() >= 4 && upper.size() <= 15 && std::isupper(static_cast<unsigned char>(upper[0])) &&
                    std::isupper(static_cast<unsigned char>(upper[1])) &&
                    std::all_of(upper.begin() + 2, upper.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
    if (!ok) return {{}, "format", "A VAT number is a two-letter prefix followed by 2 to 13 letters or digits."};
    return {upper, {}, {}};
}

boost::json::value OptString(const std::optional<std::string>& s) {
    return s ? boost::json::value(*s) : boost::json::value(nullptr);
}

boost::json::array StringArray(const std::vector<std::string>& v) {
    boost::json::array a;
    for (const auto& s : v) a.emplace_back(s);
    return a;
}

}  // namespace

std::string_view StatusName(OrganisationStatus s) {
    switch (s) {
        case OrganisationStatus::kProspect: return "prospect";
        case OrganisationStatus::kActive: return "active";
        case OrganisationStatus::kNonActive: return "non_active";
    }
    return "active";
}

std::optional<OrganisationStatus> ParseStatus(std::string_view s) {
    if (s == "prospect") return OrganisationStatus::kProspect;
    if (s == "active") return OrganisationStatus::kActive;
    if (s == "non_active") return OrganisationStatus::kNonActive;
    return std::nullopt;
}

core::Result<OrganisationFields> ValidateFields(const boost::json::object& body) {
    core::FieldErrors errs;
    core::ObjectReader r(body, errs);
    OrganisationFields f;
    f.name = r.String("name", true, 300).value_or("");
    f.business_id = ReadIdentifier(r, "business_id", &core::CheckBusinessId);
    f.foreign_registry_id = r.String("foreign_registry_id", false, 50);
    if (f.foreign_registry_id && f.foreign_registry_id->empty()) f.foreign_registry_id.reset();
    f.eori = ReadIdentifier(r, "eori", &core::CheckEori);
    f.vat_number = ReadIdentifier(r, "vat_number", &CheckVat);
    f.addresses = ReadAddresses(r);
    f.languages = ReadCodeList(r, "languages", kLanguages, "A language");
    f.roles = ReadCodeList(r, "roles", kOrganisationRoles, "A role");
    f.sector_segment = r.String("sector_segment", false, 100);
    if (f.sector_segment && f.sector_segment->empty()) f.sector_segment.reset();
    if (auto parent = r.Int("parent_id")) {
        if (*parent <= 0) errs.Add("/parent_id", "range", "An organisation id is a positive integer.");
        else f.parent = core::OrganisationId(*parent);
    }
    if (auto status = r.String("status", false, 20)) {
        if (auto s = ParseStatus(*status)) f.status = *s;
        else errs.Add("/status", "enum", "The status is one of: prospect, active, non_active.");
    }
    if (auto g = r.String("customer_group", false, 20); g && !g->empty()) {
        if (OneOf(kCustomerGroups, *g)) f.customer_group = *g;
        else errs.Add("/customer_group", "enum", "The customer group is one of: " + Joined(kCustomerGroups) + ".");
    }
    if (auto v = r.String("value_class", false, 20); v && !v->empty()) {
        if (OneOf(kValueClasses, *v)) f.value_class = *v;
        else errs.Add("/value_class", "enum", "The value class is one of: " + Joined(kValueClasses) + ".");
    }
    if (auto kam = r.Int("kam_user_id")) {
        if (*kam <= 0) errs.Add("/kam_user_id", "range", "A user id is a positive integer.");
        else f.kam = core::UserId(*kam);
    }
    if (const boost::json::array* team = r.Array("account_team", false, kMaxAccountTeam)) {
        for (std::size_t i = 0; i < team->size(); ++i) {
            const std::string ptr = "/account_team/" + std::to_string(i);
            const auto& item = (*team)[i];
            if (!item.is_int64() || item.as_int64() <= 0) {
                errs.Add(ptr, "type", "Expected a user id (a positive integer).");
                continue;
            }
            const core::UserId uid(item.as_int64());
            if (std::find(f.account_team.begin(), f.account_team.end(), uid) != f.account_team.end()) {
                errs.Add(ptr, "duplicate", "Listed twice.");
            } else {
                f.account_team.push_back(uid);
            }
        }
    }
    // Cross-field rules.
    const bool has_bid_error = std::any_of(errs.errors().begin(), errs.errors().end(),
                                           [](const core::FieldError& e) { return e.pointer == "/business_id"; });
    if (!f.business_id && !f.foreign_registry_id && !has_bid_error) {
        errs.Add("/business_id", "required", "A Finnish Business ID or a foreign registry id is required.");
    }
    if (f.business_id && f.eori && f.eori->starts_with("FI") && *f.eori != core::EoriFromBusinessId(*f.business_id)) {
        errs.Add("/eori", "mismatch", "A Finnish EORI is FI followed by the organisation's own Business ID.");
    }
    if (f.business_id && f.vat_number && f.vat_number->starts_with("FI") &&
        *f.vat_number != core::VatFromBusinessId(*f.business_id)) {
        errs.Add("/vat_number", "mismatch", "A Finnish VAT number is FI followed by the Business ID's digits.");
    }
    for (auto ro : kReadOnlyMembers) {
        if (r.Has(ro)) errs.Add(r.Pointer(ro), "read_only", "This field is set by the system.");
    }
    std::set<std::string, std::less<>> allowed(std::begin(kEditableMembers), std::end(kEditableMembers));
    for (auto ro : kReadOnlyMembers) allowed.emplace(ro);
    r.RejectUnknown(allowed);
    if (auto ok = errs.ToResult(); !ok) return core::Fail(std::move(ok.error()));
    return f;
}

boost::json::object FieldsToJson(const OrganisationFields& f) {
    boost::json::array addresses;
    for (const auto& a : f.addresses) {
        addresses.push_back(boost::json::object{{"type", a.type},
                                                {"street", a.street},
                                                {"postal_code", a.postal_code},
                                                {"city", a.city},
                                                {"country", a.country}});
    }
    return {{"name", f.name},
            {"business_id", OptString(f.business_id)},
            {"foreign_registry_id", OptString(f.foreign_registry_id)},
            {"eori", OptString(f.eori)},
            {"vat_number", OptString(f.vat_number)},
            {"addresses", addresses},
            {"languages", StringArray(f.languages)},
            {"roles", StringArray(f.roles)},
            {"sector_segment", OptString(f.sector_segment)},
            {"parent_id", f.parent ? boost::json::value(f.parent->value()) : boost::json::value(nullptr)},
            {"status", StatusName(f.status)},
            {"customer_group", OptString(f.customer_group)},
            {"value_class", OptString(f.value_class)},
            {"kam_user_id", f.kam ? boost::json::value(f.kam->value()) : boost::json::value(nullptr)},
            {"account_team", [&] {
                 boost::json::array a;
                 for (const auto& u : f.account_team) a.emplace_back(u.value());
                 return a;
             }()}};
}

std::optional<std::string> AddressKey(const OrganisationFields& f) {
    const Address* chosen = nullptr;
    for (const auto& a : f.addresses) {
        if (a.type == "postal") chosen = &a;
    }
    if (chosen == nullptr && !f.addresses.empty()) chosen = &f.addresses.front();
    if (chosen == nullptr || chosen->street.empty()) return std::nullopt;
    return NameKey(chosen->street) + "|" + NameKey(chosen->postal_code) + "|" + chosen->country;
}

namespace {

constexpr std::string_view kLegalForms[] = {"oy", "oyj", "ab", "abp", "ky", "ay", "tmi", "ry", "osk", "ltd", "limited",
                                            "inc", "gmbh", "ag", "as", "sa", "bv", "nv", "plc", "llc", "co", "company"};

std::string CoreName(std::string_view name) {
    std::string out;
    for (const auto& w : Words(name)) {
        if (OneOf(kLegalForms, w)) continue;
        if (!out.empty()) out += ' ';
        out += w;
    }
    return out;
}

std::size_t EditDistance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

}  // namespace

bool SimilarNames(std::string_view a, std::string_view b) {
    const std::string x = CoreName(a);
    const std::string y = CoreName(b);
    if (x.empty() || y.empty()) return false;
    if (x == y) return true;
    if (x.size() > 200 || y.size() > 200) return false;
    // One typo per 8 characters, at most 3.
    const std::size_t allowed = std::min<std::size_t>(3, std::max(x.size(), y.size()) / 8);
    const std::size_t diff = x.size() > y.size() ? x.size() - y.size() : y.size() - x.size();
    return diff <= allowed && EditDistance(x, y) <= allowed;
}

boost::json::object ToJson(const Organisation& o) {
    boost::json::object out;
    out["id"] = o.id.value();
    for (auto& kv : FieldsToJson(o.fields)) out[kv.key()] = kv.value();
    if (o.kam_name) out["kam_name"] = *o.kam_name;
    if (!o.account_team_names.empty()) {
        boost::json::array team;
        for (const auto& [id, name] : o.account_team_names) {
            team.push_back(boost::json::object{{"id", id.value()}, {"name", name}});
        }
        out["account_team_names"] = std::move(team);
    }
    out["version"] = o.version;
    out["created_at"] = core::FormatTimestamp(o.created_at);
    out["updated_at"] = core::FormatTimestamp(o.updated_at);
    return out;
}

std::string AddressesToJsonText(const std::vector<Address>& addresses) {
    OrganisationFields f;
    f.addresses = addresses;
    return boost::json::serialize(FieldsToJson(f).at("addresses"));
}

std::vector<Address> AddressesFromJsonText(const std::string& text) {
    std::vector<Address> out;
    auto v = core::ParseJson(text);
    if (!v || !v->is_array()) return out;
    for (const auto& item : v->as_array()) {
        if (!item.is_object()) continue;
        const auto& o = item.as_object();
        auto get = [&](std::string_view k) -> std::string {
            const auto* x = o.if_contains(k);
            return x && x->is_string() ? std::string(x->as_string()) : std::string();
        };
        out.push_back({get("type"), get("street"), get("postal_code"), get("city"), get("country")});
    }
    return out;
}

std::string StringsToJsonText(const std::vector<std::string>& items) { return boost::json::serialize(StringArray(items)); }

std::vector<std::string> StringsFromJsonText(const std::string& text) {
    std::vector<std::string> out;
    auto v = core::ParseJson(text);
    if (!v || !v->is_array()) return out;
    for (const auto& item : v->as_array()) {
        if (item.is_string()) out.emplace_back(item.as_string());
    }
    return out;
}

}  // namespace customsdesk::registry
