#include "customsdesk/control/lane_hook.hpp"

namespace customsdesk::control {

std::string DeclarationIdentity(const declarations::Declaration& d) {
    return d.declarant.identification_number + "/" + d.lrn;
}

selectivity::Subject SubjectFromDeclaration(const declarations::Declaration& d,
                                            std::optional<std::int64_t> declarant_org,
                                            const declarations::ToEur& to_eur) {
    selectivity::Subject s;
    s.identity = DeclarationIdentity(d);
    if (declarant_org) s.organisation = core::OrganisationId(*declarant_org);
    s.declaration_type = std::string(declarations::TypeName(d.type));
    auto opt = [](const std::string& v) { return v.empty() ? std::nullopt : std::optional<std::string>(v); };
    s.office = opt(d.office_of_lodgement);
    s.dispatch_country = opt(d.country_of_dispatch);
    s.destination_country = opt(d.country_of_destination);
    s.location = opt(d.location_of_goods);
    if (d.transport.mode_at_border) s.transport_mode = *d.transport.mode_at_border;
    if (!d.country_of_dispatch.empty() && !d.country_of_destination.empty())
        s.route = d.country_of_dispatch + "-" + d.country_of_destination;
    std::optional<std::string> origin;
    bool same_origin = true;
    std::optional<rules::Decimal> total = rules::Decimal::FromInt(0);
    for (const auto& item : d.items) {
        selectivity::ItemAttributes a;
        a.commodity_code = item.commodity_code;
        a.origin = opt(item.country_of_origin);
        a.value = item.customs_value;
        a.net_mass = item.net_mass;
        if (item.customs_value && total) total = rules::Decimal::Add(*total, *item.customs_value);
        else total.reset();
        if (a.origin) {
            if (!origin) origin = a.origin;
            else if (*origin != *a.origin) same_origin = false;
        }
        s.items.push_back(std::move(a));
    }
    if (same_origin) s.origin_country = origin;
    if (total && !d.items.empty()) {
        s.total_value = total;
    } else if (d.invoice_amount) {
        if (d.invoice_currency.empty() || d.invoice_currency == "EUR") s.total_value = d.invoice_amount;
        else if (to_eur) s.total_value = to_eur(d.invoice_currency, *d.invoice_amount);
    }
    return s;
}

declarations::LaneHooks MakeLaneHook(selectivity::SelectivityService& selectivity, declarations::ToEur to_eur) {
    declarations::LaneHooks hooks;
    hooks.decide = [&selectivity, to_eur = std::move(to_eur)](storage::Transaction* tx,
                                                              const declarations::Declaration& d,
                                                              std::optional<std::int64_t> org)
        -> core::Result<declarations::LaneDecision> {
        auto subject = SubjectFromDeclaration(d, org, to_eur);
        auto a = tx != nullptr ? selectivity.Decide(*tx, std::move(subject)) : selectivity.Decide(std::move(subject));
        if (!a) return core::Fail(std::move(a.error()));
        declarations::LaneDecision lane{std::string(selectivity::LaneName(a->decision.lane)), a->explanation_json,
                                        nullptr};
        lane.detail = std::make_shared<const selectivity::Assessment>(std::move(*a));
        return lane;
    };
    hooks.record = [&selectivity](storage::Transaction& tx,
                                  std::span<const declarations::LaneRecordItem> items) -> core::Result<void> {
        std::vector<selectivity::Subject> subjects(items.size());
        std::vector<selectivity::SelectivityService::RecordItem> records;
        records.reserve(items.size());
        for (std::size_t k = 0; k < items.size(); ++k) {
            const auto& item = items[k];
            const auto* made = static_cast<const selectivity::Assessment*>(item.decision->detail.get());
            if (made == nullptr) return core::Fail(core::Error::Internal("a lane decision without its assessment"));
            auto& subject = subjects[k];
            subject.identity = DeclarationIdentity(*item.declaration);
            if (item.declarant_org_id) subject.organisation = core::OrganisationId(*item.declarant_org_id);
            subject.declaration_id = item.id;
            subject.assessed_at = made->assessed_at;
            records.push_back({&subject, made});
        }
        return selectivity.RecordMany(tx, records);
    };
    return hooks;
}

}  // namespace customsdesk::control
