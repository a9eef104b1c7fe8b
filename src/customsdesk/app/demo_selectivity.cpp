// Demo data for selectivity: AEO authorisations of two demo traders, so that the shipped trader
// profile's "AEO-certified with a clean compliance history" rule has someone to apply to. The risk
// profiles themselves are installed for every installation (SelectivityService::InstallDefaultProfiles).
#include "customsdesk/app/demo_seed.hpp"

namespace customsdesk::app {

core::Result<void> SeedSelectivityDemo(storage::Database& db) {
    return storage::InWriteTx(db, [](storage::Transaction& tx) -> core::Result<void> {
        for (auto [name, aeo] : {std::pair{"Vaasan Vienti Ab", "AEOF"}, std::pair{"Åland Shipping Ab", "AEOS"}}) {
            auto r = tx.Execute("UPDATE organisations SET aeo_type = $2 WHERE name = $1 AND deleted_at IS NULL",
                                {std::string(name), std::string(aeo)});
            if (!r) return core::Fail(std::move(r.error()));
        }
        return {};
    });
}

}  // namespace customsdesk::app
