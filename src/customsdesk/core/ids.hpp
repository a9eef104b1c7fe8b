// Strong id types: an organisation id cannot be passed where a user id is expected.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace customsdesk::core {

template <typename Tag>
class Id {
public:
    constexpr Id() = default;
    constexpr explicit Id(std::int64_t v) : value_(v) {}
    [[nodiscard]] constexpr std::int64_t value() const { return value_; }
    [[nodiscard]] constexpr bool valid() const { return value_ > 0; }
    friend constexpr auto operator<=>(const Id&, const Id&) = default;

private:
    std::int64_t value_ = 0;
};

using UserId = Id<struct UserTag>;
using OrganisationId = Id<struct OrganisationTag>;
using TokenId = Id<struct TokenTag>;

}  // namespace customsdesk::core

template <typename Tag>
struct std::hash<customsdesk::core::Id<Tag>> {
    std::size_t operator()(const customsdesk::core::Id<Tag>& id) const noexcept {
        return std::hash<std::int64_t>{}(id.value());
    }
};
