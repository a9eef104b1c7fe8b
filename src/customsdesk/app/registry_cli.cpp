#include "customsdesk/app/registry_cli.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "customsdesk/app/demo_seed.hpp"
#include "customsdesk/registry/csv_io.hpp"
#include "customsdesk/registry/demo_generator.hpp"

namespace customsdesk::app {
namespace {

std::optional<std::string> ReadAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::optional<registry::DemoScale> ParseScale(const std::string& s) {
    if (s == "small" || s == "default") return registry::DemoScale::kSmall;
    if (s == "national") return registry::DemoScale::kNational;
    return std::nullopt;
}

constexpr const char* kDemoFiles[] = {"organisations",          "establishments",          "contacts",
                                      "prospect_organisations", "prospect_establishments", "prospect_contacts"};

registry::ImportKind KindOfFile(std::string_view file) {
    if (file.ends_with("organisations")) return registry::ImportKind::kOrganisations;
    if (file.ends_with("establishments")) return registry::ImportKind::kEstablishments;
    return registry::ImportKind::kContacts;
}

core::Result<std::int64_t> ImportGenerated(storage::Database& db, const core::Clock& clock, registry::DemoScale scale,
                                           std::uint64_t seed, bool verbose) {
    std::map<std::string, std::string, std::less<>> files;
    registry::GenerateDemo(scale, seed, "kam",
                           [&](std::string_view file, std::string_view chunk) { files[std::string(file)] += chunk; });
    registry::Importer importer(db, clock);
    std::int64_t total = 0;
    for (const char* name : kDemoFiles) {
        auto it = files.find(name);
        if (it == files.end()) continue;
        const auto start = std::chrono::steady_clock::now();
        auto report = importer.Run(core::Principal::System(), KindOfFile(name), registry::ImportMode::kAllOrNothing,
                                   it->second);
        if (!report) return core::Fail(std::move(report.error()));
        if (!report->written && report->rows > 0) {
            const auto& first = report->issues.empty() ? registry::RowIssue{} : report->issues.front();
            return core::Fail(core::Error::Internal(fmt::format("demo file {} was refused: line {} {}: {}", name,
                                                                first.line, first.column, first.message)));
        }
        total += report->imported;
        if (verbose) {
            const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                                  start)
                                .count();
            std::printf("imported %-24s %8lld rows in %lld ms\n", name, static_cast<long long>(report->imported),
                        static_cast<long long>(ms));
        }
        it->second.clear();
        it->second.shrink_to_fit();
    }
    return total;
}

}  // namespace

int RunImport(storage::Database& db, const core::Clock& clock, const std::string& kind_text, const std::string& file,
              const std::string& mode_text, const std::string& report_file) {
    auto kind = registry::ParseImportKind(kind_text);
    auto mode = registry::ParseImportMode(mode_text);
    if (!kind || !mode) {
        std::cerr << "customsdesk: KIND is organisations, establishments or contacts; --mode is all_or_nothing or "
                     "skip_bad_rows\n";
        return 2;
    }
    auto text = ReadAll(file);
    if (!text) {
        std::cerr << "customsdesk: cannot read " << file << "\n";
        return 1;
    }
    registry::Importer importer(db, clock);
    auto report = importer.Run(core::Principal::System(), *kind, *mode, *text);
    if (!report) {
        std::cerr << "customsdesk: import failed: " << report.error().message << "\n";
        return 1;
    }
    std::printf("%s: %lld rows, %lld imported, %lld rejected, %lld warnings%s\n", kind_text.c_str(),
                static_cast<long long>(report->rows), static_cast<long long>(report->imported),
                static_cast<long long>(report->rejected), static_cast<long long>(report->warnings),
                report->written ? "" : " - nothing was written");
    const std::string issues = registry::IssuesCsv(*report);
    if (!report_file.empty()) {
        std::ofstream out(report_file, std::ios::binary);
        out << issues;
    } else if (!report->issues.empty()) {
        std::fputs(issues.c_str(), stderr);
    }
    return report->written || report->rejected == 0 ? 0 : 1;
}

int RunExport(storage::Database& db, const std::string& kind_text, const std::string& output) {
    auto kind = registry::ParseImportKind(kind_text);
    if (!kind) {
        std::cerr << "customsdesk: KIND is organisations, establishments or contacts\n";
        return 2;
    }
    std::FILE* out = stdout;
    if (!output.empty()) {
        out = std::fopen(output.c_str(), "wb");
        if (out == nullptr) {
            std::cerr << "customsdesk: cannot write " << output << "\n";
            return 1;
        }
    }
    registry::Exporter exporter(db);
    auto result = exporter.Run(core::Principal::System(), *kind, [out](std::string_view chunk) {
        return std::fwrite(chunk.data(), 1, chunk.size(), out) == chunk.size();
    });
    if (out != stdout) std::fclose(out);
    if (!result) {
        std::cerr << "customsdesk: export failed: " << result.error().message << "\n";
        return 1;
    }
    std::fprintf(stderr, "exported %lld %s\n", static_cast<long long>(result->rows), kind_text.c_str());
    return 0;
}

int WriteDemoFiles(const std::string& scale_text, std::uint64_t seed, const std::string& out_dir) {
    auto scale = ParseScale(scale_text);
    if (!scale) {
        std::cerr << "customsdesk: --scale is small or national\n";
        return 2;
    }
    {
        std::filesystem::create_directories(out_dir);
        std::map<std::string, std::FILE*, std::less<>> files;
        registry::GenerateDemo(*scale, seed, "kam", [&](std::string_view file, std::string_view chunk) {
            auto it = files.find(file);
            if (it == files.end()) {
                const auto path = std::filesystem::path(out_dir) / (std::string(file) + ".csv");
                it = files.emplace(std::string(file), std::fopen(path.c_str(), "wb")).first;
            }
            if (it->second != nullptr) std::fwrite(chunk.data(), 1, chunk.size(), it->second);
        });
        for (auto& [name, f] : files) {
            if (f != nullptr) std::fclose(f);
            std::printf("wrote %s/%s.csv\n", out_dir.c_str(), name.c_str());
        }
        return 0;
    }
}

int RunDemo(storage::Database& db, const core::Clock& clock, accounts::AccountService& accounts,
            registry::OrganisationService& organisations, const std::string& scale_text, std::uint64_t seed) {
    auto scale = ParseScale(scale_text);
    if (!scale) {
        std::cerr << "customsdesk: --scale is small or national\n";
        return 2;
    }
    auto seeded = SeedDemo(db, accounts, organisations);
    if (!seeded) {
        std::cerr << "customsdesk: demo users: " << seeded.error().message << "\n";
        return 1;
    }
    auto n = ImportGenerated(db, clock, *scale, seed, true);
    if (!n) {
        std::cerr << "customsdesk: demo: " << n.error().message << "\n";
        return 1;
    }
    std::printf("demo register loaded: %lld rows\n", static_cast<long long>(*n));
    return 0;
}

core::Result<std::int64_t> LoadDemoRegister(storage::Database& db, const core::Clock& clock, const std::string& scale,
                                            std::uint64_t seed) {
    auto s = ParseScale(scale);
    if (!s) return core::Fail(core::Error::InvalidArgument("--demo-scale is none, small or national"));
    auto empty = storage::InReadTx(db, [](storage::Transaction& tx) -> core::Result<bool> {
        auto row = tx.QueryOne("SELECT COUNT(*) FROM establishments");
        if (!row) return core::Fail(std::move(row.error()));
        return (*row)->GetInt(0) == 0;
    });
    if (!empty) return core::Fail(std::move(empty.error()));
    if (!*empty) return 0;
    return ImportGenerated(db, clock, *s, seed, false);
}

}  // namespace customsdesk::app
