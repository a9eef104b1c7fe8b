// The declaration model (issue 7, item 1): import (H1 standard, H7 low-value e-commerce
// consignment) and export (B1) customs declarations with their goods items, following the data
// elements of the EU Customs Data Model (EUCDM, UCC Delegated/Implementing Regulation annex B);
// docs/declarations.md lists each field with its EUCDM number and name.
//
// One model, two wire forms: JSON (json_mapping.hpp, member names below) and XML
// (xml_mapping.hpp, element names after the EUCDM). Both produce the same `Declaration`, and the
// canonical JSON (`ToJson`) is what is stored. Money and masses are exact decimals
// (`rules::Decimal`, never binary floating point), kept with the scale the trader sent.
// Plain values; no shared state.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "customsdesk/rules/decimal.hpp"

namespace customsdesk::declarations {

using rules::Decimal;

// EUCDM 11 01 (declaration type) + annex B column: H1 = import, standard; H7 = import of a
// low-value consignment (e-commerce, intrinsic value <= 150 EUR); B1 = export, standard.
enum class DeclarationType { kH1, kH7, kB1 };
std::string_view TypeName(DeclarationType t);  // "H1", "H7", "B1"
std::optional<DeclarationType> ParseType(std::string_view s);
[[nodiscard]] inline bool IsImport(DeclarationType t) { return t != DeclarationType::kB1; }

// A party (EUCDM 13 xx 000 000): identification number (EORI) and name.
struct Party {
    std::string identification_number;  // EORI, "FI1234567-8"
    std::string name;
    std::string country;  // ISO 3166-1 alpha-2 of the address, optional
    friend bool operator==(const Party&, const Party&) = default;
};

// EUCDM 13 06 000 000 Representative with 13 06 030 000 Status: "2" direct, "3" indirect.
struct Representative {
    std::string identification_number;
    std::string status;
    friend bool operator==(const Representative&, const Representative&) = default;
};

// EUCDM 12 01 (previous document), 12 03 (supporting document): type code + reference.
struct Document {
    std::string type;
    std::string reference;
    friend bool operator==(const Document&, const Document&) = default;
};

// EUCDM 19 xx: transport.
struct Transport {
    std::optional<int> mode_at_border;  // 19 03 000 000 Mode of transport at the border (1..9)
    std::string identity;               // 19 08 Active means of transport crossing the border: identification
    std::string nationality;            // ... nationality (ISO 3166-1)
    std::optional<bool> container;      // 19 01 000 000 Container indicator
    friend bool operator==(const Transport&, const Transport&) = default;
};

struct GoodsItem {
    int sequence = 0;                      // 11 03 000 000 Goods item number (1-based, in order)
    std::string commodity_code;            // 18 09 056/057 HS + CN code (8 digits; H7: 6 or 8)
    std::string description;               // 18 05 000 000 Description of goods
    std::optional<Decimal> gross_mass;     // 18 04 000 000 Gross mass (kg)
    std::optional<Decimal> net_mass;       // 18 01 000 000 Net mass (kg)
    std::string package_type;              // 18 06 003 000 Type of packages (UN/ECE rec. 21)
    std::optional<std::int64_t> packages;  // 18 06 004 000 Number of packages
    std::optional<Decimal> item_amount;    // 14 08 000 000 Item amount invoiced (invoice currency)
    std::optional<Decimal> customs_value;  // 14 17 / statistical value (EUR); H7: intrinsic value 14 15
    std::string procedure_code;            // 11 09 001 000 + 11 09 002 000 Requested + previous procedure, "4000"
    std::string additional_procedure;      // 11 10 000 000 Additional procedure, "000", "C07"
    std::string country_of_origin;         // 16 08 000 000 Country of origin
    std::vector<Document> supporting_documents;  // 12 03 000 000
    friend bool operator==(const GoodsItem&, const GoodsItem&) = default;
};

struct Declaration {
    std::string lrn;                          // 12 09 000 000 LRN
    DeclarationType type = DeclarationType::kH1;
    std::string additional_type = "A";        // 11 02 000 000 Additional declaration type (A standard, D pre-lodged)
    Party declarant;                          // 13 05 000 000 Declarant
    std::optional<Party> importer;            // 13 04 000 000 Importer (H1, H7)
    std::optional<Party> exporter;            // 13 01 000 000 Exporter (B1)
    std::optional<Representative> representative;  // 13 06 000 000 Representative
    std::string office_of_lodgement;          // customs office reference number, "FI002000"
    std::string country_of_dispatch;          // 16 06 000 000 Country of dispatch/export
    std::string country_of_destination;       // 16 03 000 000 Country of destination
    std::string location_of_goods;            // 16 15 000 000 Location of goods (UN/LOCODE)
    Transport transport;
    std::optional<Decimal> invoice_amount;    // 14 06 000 000 Total amount invoiced
    std::string invoice_currency;             // 14 05 000 000 Invoice currency (ISO 4217)
    std::optional<Decimal> total_gross_mass;  // 18 04 000 000 Gross mass (declaration level)
    std::optional<std::int64_t> total_packages;  // 18 07 000 000 Total packages
    std::vector<Document> previous_documents;    // 12 01 000 000
    std::vector<Document> supporting_documents;  // 12 03 000 000
    std::vector<GoodsItem> items;
    friend bool operator==(const Declaration&, const Declaration&) = default;
};

// Bounds on one declaration (habit 9).
inline constexpr std::size_t kMaxItems = 999;  // EUCDM: goods item number n..5, 999 per declaration here
inline constexpr std::size_t kMaxDocuments = 99;
inline constexpr std::size_t kMaxLrnLength = 22;  // an..22
inline constexpr std::size_t kMaxDescriptionLength = 512;
inline constexpr std::size_t kMaxNameLength = 70;

// The canonical JSON form (the JSON lodging format; also what is stored): money and masses as
// decimal strings, absent optional members left out.
boost::json::object ToJson(const Declaration& d);
// The same form as text, written directly (no DOM): byte for byte boost::json::serialize(ToJson(d)).
std::string CanonicalJson(const Declaration& d);

}  // namespace customsdesk::declarations
