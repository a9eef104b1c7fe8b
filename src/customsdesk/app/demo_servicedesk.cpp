// Demo data of the service desk (issue 6): a few dozen service requests in every status, through the service itself (routing, SLA policy, history,
// notifications), for the demo organisations including "Demo Import Oy". Deterministic texts; the
// times are those of the moment the demo is loaded.
#include <fmt/format.h>

#include "customsdesk/app/demo_seed.hpp"
#include "customsdesk/core/json.hpp"
#include "customsdesk/ruleset/ruleset_service.hpp"
#include "customsdesk/servicedesk/service_desk.hpp"
#include "customsdesk/servicedesk/sla_integration.hpp"

namespace customsdesk::app {
namespace {

using boost::json::object;

struct DemoRequest {
    const char* type;
    const char* subject;
    const char* body;
    const char* form;      // JSON
    const char* priority;
    const char* channel;   // portal | api
    const char* outcome;   // new | open | pending_customer | pending_third_party | resolved | closed | escalated
};

constexpr DemoRequest kRequests[] = {
    {"malfunction_report", "IE415 messages rejected since this morning", "All our import declarations get a rejection.",
     R"({"system":"edi_messages","occurred_on":"2026-11-20","affects_clearance":true})", "high", "portal", "new"},
    {"question", "Tariff classification of LED strips", "Which CN code applies to flexible LED strips?",
     R"({"topic":"tariff_classification","commodity_code":"9405"})", "normal", "portal", "open"},
    {"change_report", "New postal address", "We moved our office.",
     R"({"changed_item":"address","effective_date":"2026-12-01","new_value":"Itämerenkatu 1, 00180 Helsinki"})",
     "normal", "portal", "resolved"},
    {"service_request", "EORI number for a subsidiary", "Our new subsidiary needs an EORI number.",
     R"({"service":"eori_registration"})", "normal", "api", "pending_customer"},
    {"question", "Customs value of returned goods", "How is the customs value of returned goods determined?",
     R"({"topic":"valuation"})", "low", "portal", "closed"},
    {"feedback", "Thank you for the quick help", "The advice on transit was excellent.",
     R"({"rating":5,"contact_me":false})", "low", "portal", "closed"},
    {"malfunction_report", "API returns 503 for declaration status", "Status queries fail every few minutes.",
     R"({"system":"api","occurred_on":"2026-11-21"})", "urgent", "portal", "pending_third_party"},
    {"development_proposal", "Declaration templates in the portal", "Saving a declaration as a template would help.",
     R"({"area":["services"],"benefit":"Fewer typing errors"})", "low", "portal", "new"},
    {"complaint", "Decision on post-clearance duty", "We disagree with the duty decision.",
     R"({"decision_reference":"TULLI/2026/123","decision_date":"2026-10-15","remedy":"Reconsideration of the decision"})",
     "normal", "portal", "escalated"},
    {"question", "Origin of goods assembled in Norway", "Does assembly in Norway confer EEA origin?",
     R"({"topic":"origin"})", "normal", "api", "open"},
    {"question", "Procedure code for inward processing", "Which procedure code do we use for inward processing?",
     R"({"topic":"customs_procedures"})", "normal", "portal", "resolved"},
    {"malfunction_report", "Portal login fails with bank ID", "The e-service login loops back to the start.",
     R"({"system":"customs_portal","occurred_on":"2026-11-22"})", "high", "portal", "open"},
};

}  // namespace

core::Result<void> SeedDemoServiceDesk(storage::Database& db) {
    core::SystemClock clock;
    const core::Principal system = core::Principal::System();
    ruleset::RulesetService rulesets(db, clock);
    servicedesk::ServiceDeskService desk(db, clock, rulesets);
    servicedesk::SlaIntegration sla(db, clock, desk);  // requests get their SLA policy and due times
    if (auto r = desk.InstallDefaultRouting(); !r) return core::Fail(std::move(r.error()));

    // The demo organisations in id order (the demo seed creates them first).
    auto orgs = storage::InReadTx(db, [](storage::Transaction& tx) -> core::Result<std::vector<std::int64_t>> {
        auto rows = tx.Query("SELECT id FROM organisations WHERE deleted_at IS NULL ORDER BY id LIMIT 6");
        if (!rows) return core::Fail(std::move(rows.error()));
        std::vector<std::int64_t> out;
        for (const auto& r : rows->rows) out.push_back(r.GetInt(0));
        return out;
    });
    if (!orgs) return core::Fail(std::move(orgs.error()));
    // No contact persons are added (the registry's demo and its tests own those): the requests are
    // filed for the organisations, as the demo trader does in the portal.
    if (orgs->empty()) return {};

    auto step = [&](servicedesk::RequestId id, const char* outcome) -> core::Result<void> {
        const std::string o = outcome;
        if (o == "new") return {};
        auto reply = desk.AddReply(system, id, object{{"body", "Thank you, we are looking into this."}});
        if (!reply) return core::Fail(std::move(reply.error()));
        if (o == "open") return {};
        if (o == "escalated") {
            auto e = desk.Escalate(system, id, object{{"reason", "Needs a specialist's assessment."}, {"group", "customs_procedures"}});
            if (!e) return core::Fail(std::move(e.error()));
            auto n = desk.AddNote(system, id, object{{"body", "Checked the decision file; forwarded to support."}});
            if (!n) return core::Fail(std::move(n.error()));
            return {};
        }
        auto status = [&](const char* s) -> core::Result<void> {
            auto r = desk.ChangeStatus(system, id, object{{"status", s}});
            if (!r) return core::Fail(std::move(r.error()));
            return {};
        };
        if (o == "pending_customer" || o == "pending_third_party") return status(outcome);
        if (auto r = status("resolved"); !r) return r;
        if (o == "closed") return status("closed");
        return {};
    };

    // Every demo request type and status for each organisation in turn: three dozen requests.
    for (int round = 0; round < 3; ++round) {
        for (std::size_t k = 0; k < std::size(kRequests); ++k) {
            const auto& d = kRequests[k];
            const std::size_t who = (k + static_cast<std::size_t>(round)) % orgs->size();
            // The first round is Demo Import Oy's: the demo trader sees a full portal.
            const std::size_t org_index = round == 0 ? 0 : who;
            auto form = core::ParseJsonObject(d.form);
            if (!form) return core::Fail(std::move(form.error()));
            object body{{"type", d.type},
                        {"subject", round == 0 ? std::string(d.subject) : fmt::format("{} ({})", d.subject, round + 1)},
                        {"body", d.body},
                        {"form", *form},
                        {"priority", d.priority},
                        {"channel", d.channel},
                        {"organisation_id", (*orgs)[org_index]}};
            auto created = desk.Create(system, body);
            if (!created) return core::Fail(std::move(created.error()));
            if (auto s = step(created->id, d.outcome); !s) return s;
        }
    }
    // Two canned responses for the agents.
    for (const auto& [name, lang, text] :
         {std::tuple{"Kiitos yhteydenotosta", "fi",
                     "Hei {{requester.name}},\n\nkiitos viestistänne. Palvelupyyntönne {{request.number}} on "
                     "käsittelyssä.\n\nYstävällisin terveisin\n{{agent.name}}, {{group.name}}"},
          std::tuple{"Thank you for contacting us", "en",
                     "Dear {{requester.name}},\n\nthank you for your message. Your request {{request.number}} is being "
                     "handled.\n\nKind regards\n{{agent.name}}, {{group.name}}"}}) {
        auto c = desk.CreateCanned(system, object{{"name", name}, {"language", lang}, {"body", text}});
        if (!c) return core::Fail(std::move(c.error()));
    }
    return {};
}

}  // namespace customsdesk::app
