// Wires taxation (and later selectivity) into the declaration acceptance transaction
// (composition root, so that declarations does not depend on taxation).
//
// - Exchange rates: the H7 value limit converts the invoice amount to euro with the rate in force
//   on the lodging date (taxation's exchange table).
// - Taxes: on acceptance the declaration is assessed (taxation::Assess over the current rate
//   snapshot: duty by commodity code, VAT on value + duty, H7 duty relief); the assessment is
//   stored with the declaration in the same transaction. When the tables cannot assess it (e.g. no
//   tariff row for a commodity code), the declaration is still accepted and the stored taxes say
//   {"status": "not_assessed", "errors": [...]} for a customs officer to complete.
// - Lane: control::MakeLaneHook (selectivity::Decide before the acceptance transaction, values
//   converted to EUR with the same exchange rates; selectivity::Record in it, once the row has its
//   id and MRN); the lane and its explanation are stored with the declaration, which moves on by
//   lane (declaration_service.hpp).
#pragma once

#include "customsdesk/declarations/declaration_service.hpp"
#include "customsdesk/selectivity/selectivity_service.hpp"
#include "customsdesk/taxation/tax_service.hpp"

namespace customsdesk::app {

void WireTaxation(declarations::DeclarationService& declarations, taxation::TaxService& taxes,
                  const core::Clock& clock);

void WireSelectivity(declarations::DeclarationService& declarations, selectivity::SelectivityService& selectivity,
                     taxation::TaxService& taxes, const core::Clock& clock);

}  // namespace customsdesk::app
