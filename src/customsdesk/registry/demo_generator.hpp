// Deterministic demo registers (issue 3 §5): generated, never real, companies and people.
//
// GenerateDemo() writes CSV files in the import format (csv_io.hpp) through a sink, one call per
// file and chunk, from a seed: the same seed and scale give byte-identical files on every
// platform (own PRNG mapping, no std distributions). Names come from Finnish and Swedish word
// stems; Business IDs are valid (check digit) and unique, EORIs are FI + Business ID; sites are
// in real Finnish places from the shipped UN/LOCODE list (road-function locations, weighted
// towards the big towns), with plausible postal codes and streets.
//
// Scales:
//  - kSmall:    ~300 organisations, ~350 establishments, ~450 contacts (the `make run` demo);
//  - kNational: 15,000 principal organisations, 24,000 in total (9,000 under a principal),
//               ~30,000 establishments, 29,000 contacts, customer groups (~50 partnership,
//               ~300 key, the rest small), value classes; plus a prospect register of 100,000
//               prospect organisations with 230,000 establishments and 335,000 contacts.
// The KAM of partnership and key customers is the user named by `kam_username` (must exist
// with the KAM role when the files are imported). Pure: no storage, no clock; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace customsdesk::registry {

enum class DemoScale { kSmall, kNational };

struct DemoSizes {
    int principals = 0;
    int children = 0;
    int establishments_extra = 0;  // beyond one per organisation
    int contacts = 0;
    int prospect_organisations = 0;
    int prospect_establishments = 0;
    int prospect_contacts = 0;
};
DemoSizes SizesOf(DemoScale scale);

// Files, in import order: "organisations", "establishments", "contacts", "prospect_organisations",
// "prospect_establishments", "prospect_contacts" (the last three empty at small scale).
using DemoSink = std::function<void(std::string_view file, std::string_view chunk)>;
void GenerateDemo(DemoScale scale, std::uint64_t seed, std::string_view kam_username, const DemoSink& sink);

}  // namespace customsdesk::registry
