#include "customsdesk/app/demo_declarations.hpp"

#include <fmt/format.h>

#include "customsdesk/core/clock.hpp"
#include "customsdesk/core/json.hpp"
#include "customsdesk/declarations/declaration_service.hpp"

namespace customsdesk::app {
namespace {

std::string H1(const std::string& eori, const std::string& lrn, const std::string& dispatch, const std::string& code,
               const std::string& what) {
    return fmt::format(
        R"({{"lrn":"{0}","type":"H1","declarant":{{"identification_number":"{1}","name":"Demo Import Oy"}},)"
        R"("importer":{{"identification_number":"{1}","name":"Demo Import Oy"}},"office_of_lodgement":"FI002000",)"
        R"("country_of_dispatch":"{2}","country_of_destination":"FI","location_of_goods":"FIHEL",)"
        R"("transport":{{"mode_at_border":1,"identity":"IMO9321483","nationality":"PA","container":true}},)"
        R"("invoice_amount":"12500.00","invoice_currency":"EUR","total_gross_mass":"1250.5","total_packages":30,)"
        R"("items":[{{"commodity_code":"{3}","description":"{4}","gross_mass":"850.5","net_mass":"800",)"
        R"("package_type":"CT","packages":20,"item_amount":"8000.00","customs_value":"8650.00","procedure_code":"4000",)"
        R"("additional_procedure":"000","country_of_origin":"{2}"}},)"
        R"({{"commodity_code":"85171300","description":"Smartphones","gross_mass":"400","net_mass":"350.25",)"
        R"("package_type":"CT","packages":10,"item_amount":"4500.00","customs_value":"4870.00","procedure_code":"4000",)"
        R"("additional_procedure":"000","country_of_origin":"{2}"}}]}})",
        lrn, eori, dispatch, code, what);
}

std::string H7(const std::string& eori, const std::string& lrn) {
    return fmt::format(
        R"({{"lrn":"{0}","type":"H7","declarant":{{"identification_number":"{1}"}},)"
        R"("importer":{{"identification_number":"{1}"}},"office_of_lodgement":"FI001000","country_of_dispatch":"CN",)"
        R"("country_of_destination":"FI","transport":{{"mode_at_border":4}},"invoice_amount":"39.90",)"
        R"("invoice_currency":"EUR","items":[{{"commodity_code":"950300","description":"Toy building blocks",)"
        R"("gross_mass":"0.8","net_mass":"0.6","item_amount":"39.90","customs_value":"39.90","procedure_code":"4000",)"
        R"("additional_procedure":"C07"}}]}})",
        lrn, eori);
}

std::string B1(const std::string& eori, const std::string& lrn) {
    return fmt::format(
        R"({{"lrn":"{0}","type":"B1","declarant":{{"identification_number":"{1}"}},)"
        R"("exporter":{{"identification_number":"{1}"}},"office_of_lodgement":"FI002000","country_of_dispatch":"FI",)"
        R"("country_of_destination":"US","location_of_goods":"FIHEL","transport":{{"mode_at_border":1}},)"
        R"("invoice_amount":"5000","invoice_currency":"EUR","total_gross_mass":"2000","items":[{{"commodity_code":)"
        R"("84713000","description":"Laptops","gross_mass":"2000","net_mass":"1800","item_amount":"5000",)"
        R"("procedure_code":"1000","additional_procedure":"000"}}]}})",
        lrn, eori);
}

}  // namespace

core::Result<void> SeedDemoDeclarations(storage::Database& db, core::OrganisationId org) {
    auto eori = storage::InReadTx(db, [&](storage::Transaction& tx) -> core::Result<std::string> {
        auto row = tx.QueryOne("SELECT eori FROM organisations WHERE id = $1", {org.value()});
        if (!row) return core::Fail(std::move(row.error()));
        if (!*row) return core::Fail(core::Error::NotFound("demo organisation"));
        return (*row)->GetText(0);
    });
    if (!eori) return core::Fail(std::move(eori.error()));
    core::SystemClock clock;
    declarations::DeclarationService service(db, clock);
    core::Principal trader;
    trader.username = "demo-seed";
    trader.roles = {core::Role::kTrader};
    trader.organisation = org;
    trader.method = core::AuthMethod::kSystem;
    core::Principal officer = core::Principal::System();

    auto lodge = [&](const std::string& json, bool draft) -> core::Result<declarations::LodgeResult> {
        auto body = core::ParseJsonObject(json);
        if (!body) return core::Fail(std::move(body.error()));
        return service.LodgeJson(trader, *body, declarations::Language::kEn, draft);
    };
    auto a = lodge(H1(*eori, "DEMO-H1-0001", "CN", "61091000", "T-shirts of cotton, knitted"), false);
    if (!a) return core::Fail(std::move(a.error()));
    auto b = lodge(H1(*eori, "DEMO-H1-0002", "US", "84713000", "Laptops"), false);
    if (!b) return core::Fail(std::move(b.error()));
    if (b->stored.state == declarations::State::kAccepted) {
        if (auto r = service.Transition(officer, b->stored.id, declarations::Action::kDocumentaryControl,
                                        "demo: invoice check");
            !r)
            return core::Fail(std::move(r.error()));
    }
    auto c = lodge(H7(*eori, "DEMO-H7-0001"), false);
    if (!c) return core::Fail(std::move(c.error()));
    if (c->stored.state == declarations::State::kAccepted) {
        if (auto r = service.Transition(officer, c->stored.id, declarations::Action::kRelease, "demo"); !r)
            return core::Fail(std::move(r.error()));
    }
    auto d = lodge(B1(*eori, "DEMO-B1-0001"), false);
    if (!d) return core::Fail(std::move(d.error()));
    auto draft = lodge(H1(*eori, "DEMO-H1-DRAFT", "CN", "61091000", "T-shirts"), true);
    if (!draft) return core::Fail(std::move(draft.error()));
    auto bad = lodge(H1(*eori, "DEMO-H1-0003", "FI", "61091000", "T-shirts"), true);  // dispatched from FI
    if (!bad) return core::Fail(std::move(bad.error()));
    if (auto r = service.Submit(trader, bad->stored.id, declarations::Language::kEn); !r)
        return core::Fail(std::move(r.error()));
    return {};
}

}  // namespace customsdesk::app
