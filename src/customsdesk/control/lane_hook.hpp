// The bridge from declarations to selectivity: a declaration becomes a selectivity::Subject, and
// `MakeLaneHook` gives the DeclarationService hooks: `decide` (SelectivityService::Decide before the
// write transaction when lodging; evaluation against the caller's transaction when it has one) and
// `record` (SelectivityService::Record in the acceptance transaction). Wire them with
// DeclarationService::SetSelectivity in app/main.cpp.
//
// Mapping: identity = declarant EORI + "/" + LRN (stable and unique per declarant: the LRN is the
// idempotency key), organisation = declarant organisation, type "H1"/"H7"/"B1", office of
// lodgement, countries of dispatch and destination, origin = the items' common origin (none when
// they differ), total value = sum of the items' customs values (EUR) when every item has one, else
// the invoice amount converted with `to_eur`, transport mode at the border, route =
// "<dispatch>-<destination>" (the model has no itinerary), location of goods; per item the
// commodity code, origin, customs value (EUR) and net mass.
// Pure functions; the hook is thread-safe when the service is.
#pragma once

#include <optional>
#include <string>

#include "customsdesk/declarations/declaration.hpp"
#include "customsdesk/declarations/declaration_service.hpp"
#include "customsdesk/declarations/validation.hpp"
#include "customsdesk/selectivity/selectivity_service.hpp"

namespace customsdesk::control {

std::string DeclarationIdentity(const declarations::Declaration& d);
selectivity::Subject SubjectFromDeclaration(const declarations::Declaration& d,
                                            std::optional<std::int64_t> declarant_org,
                                            const declarations::ToEur& to_eur);
declarations::LaneHooks MakeLaneHook(selectivity::SelectivityService& selectivity, declarations::ToEur to_eur);

}  // namespace customsdesk::control
