#include "customsdesk/app/taxation_cli.hpp"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "customsdesk/taxation/tax_service.hpp"

namespace customsdesk::app {

namespace {
// "/lines/3/duty_percent" -> "line 3, duty_percent"
std::string Where(const std::string& pointer) {
    constexpr std::string_view kLines = "/lines/";
    if (!pointer.starts_with(kLines)) return pointer;
    std::string rest = pointer.substr(kLines.size());
    auto slash = rest.find('/');
    if (slash == std::string::npos) return "line " + rest;
    return "line " + rest.substr(0, slash) + ", " + rest.substr(slash + 1);
}
}  // namespace

int RunTaxationImport(storage::Database& db, const core::Clock& clock, const std::string& kind_text,
                      const std::string& file) {
    auto kind = taxation::ParseImportKind(kind_text);
    if (!kind) {
        std::cerr << "usage: customsdesk taxation import tariff|fx FILE\n";
        return 2;
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        std::cerr << "customsdesk: cannot read " << file << "\n";
        return 1;
    }
    std::string csv(taxation::kMaxImportBytes + 1, '\0');
    in.read(csv.data(), static_cast<std::streamsize>(csv.size()));
    csv.resize(static_cast<std::size_t>(in.gcount()));

    taxation::TaxService service(db, clock);
    auto report = service.Import(core::Principal::System(), *kind, csv);
    if (!report) {
        std::cerr << "customsdesk: " << file << ": " << report.error().message << "\n";
        for (const auto& f : report.error().fields) {
            std::cerr << "  " << Where(f.pointer) << ": " << f.code << ": " << f.message << "\n";
        }
        return 1;
    }
    std::printf("imported %zu rows from %s: %zu new, %zu replaced\n", report->rows, file.c_str(), report->inserted,
                report->replaced);
    return 0;
}

}  // namespace customsdesk::app
