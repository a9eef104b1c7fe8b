#include "customsdesk/servicedesk/model.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>

namespace customsdesk::servicedesk {
namespace {

constexpr std::string_view kStatusNames[] = {"new",      "open",    "pending_customer", "pending_third_party",
                                             "resolved", "closed"};
constexpr std::string_view kPriorityNames[] = {"low", "normal", "high", "urgent"};
constexpr std::string_view kChannelNames[] = {"portal", "api", "email", "phone"};
constexpr std::string_view kTierNames[] = {"self_service", "customer_service", "support", "stakeholder"};
constexpr std::string_view kLinkNames[] = {"related", "duplicate_of", "caused_by", "follow_up_of", "merged_into"};

template <typename E, std::size_t N>
std::optional<E> Parse(const std::string_view (&names)[N], std::string_view s) {
    for (std::size_t i = 0; i < N; ++i)
        if (names[i] == s) return static_cast<E>(i);
    return std::nullopt;
}

using S = Status;
constexpr std::array<S, 4> kFromNew = {S::kOpen, S::kPendingCustomer, S::kPendingThirdParty, S::kResolved};
constexpr std::array<S, 3> kFromOpen = {S::kPendingCustomer, S::kPendingThirdParty, S::kResolved};
constexpr std::array<S, 3> kFromPendingCustomer = {S::kOpen, S::kPendingThirdParty, S::kResolved};
constexpr std::array<S, 3> kFromPendingThirdParty = {S::kOpen, S::kPendingCustomer, S::kResolved};
constexpr std::array<S, 2> kFromResolved = {S::kOpen, S::kClosed};

}  // namespace

std::string_view StatusName(Status s) { return kStatusNames[static_cast<int>(s)]; }
std::optional<Status> ParseStatus(std::string_view s) { return Parse<Status>(kStatusNames, s); }
std::string_view PriorityName(Priority p) { return kPriorityNames[static_cast<int>(p)]; }
std::optional<Priority> ParsePriority(std::string_view s) { return Parse<Priority>(kPriorityNames, s); }
std::string_view ChannelName(Channel c) { return kChannelNames[static_cast<int>(c)]; }
std::optional<Channel> ParseChannel(std::string_view s) { return Parse<Channel>(kChannelNames, s); }
std::string_view TierName(Tier t) { return kTierNames[static_cast<int>(t)]; }
std::optional<Tier> ParseTier(std::string_view s) { return Parse<Tier>(kTierNames, s); }
std::string_view LinkKindName(LinkKind k) { return kLinkNames[static_cast<int>(k)]; }
std::optional<LinkKind> ParseLinkKind(std::string_view s) { return Parse<LinkKind>(kLinkNames, s); }

std::span<const Status> AllowedTransitions(Status from) {
    switch (from) {
        case S::kNew: return kFromNew;
        case S::kOpen: return kFromOpen;
        case S::kPendingCustomer: return kFromPendingCustomer;
        case S::kPendingThirdParty: return kFromPendingThirdParty;
        case S::kResolved: return kFromResolved;
        case S::kClosed: return {};
    }
    return {};
}

bool CanTransition(Status from, Status to) {
    for (auto s : AllowedTransitions(from))
        if (s == to) return true;
    return false;
}

bool IsOpen(Status s) { return s != S::kResolved && s != S::kClosed; }

std::optional<Tier> NextTier(Tier t) {
    switch (t) {
        case Tier::kSelfService: return Tier::kCustomerService;
        case Tier::kCustomerService: return Tier::kSupport;
        case Tier::kSupport: return Tier::kStakeholder;
        case Tier::kStakeholder: return std::nullopt;
    }
    return std::nullopt;
}

Priority RaisedPriority(Priority p) { return p == Priority::kUrgent ? p : static_cast<Priority>(static_cast<int>(p) + 1); }

std::string FormatRequestNumber(int year, std::int64_t serial) { return fmt::format("SR-{}-{:06d}", year, serial); }

std::optional<std::pair<int, std::int64_t>> ParseRequestNumber(std::string_view n) {
    if (n.size() < 14 || n.substr(0, 3) != "SR-" || n[7] != '-') return std::nullopt;
    int year = 0;
    std::int64_t serial = 0;
    const auto y = n.substr(3, 4);
    const auto s = n.substr(8);
    if (s.size() < 6 || s.size() > 12) return std::nullopt;
    for (char c : y)
        if (c < '0' || c > '9') return std::nullopt;
    for (char c : s)
        if (c < '0' || c > '9') return std::nullopt;
    std::from_chars(y.data(), y.data() + y.size(), year);
    std::from_chars(s.data(), s.data() + s.size(), serial);
    if (serial <= 0) return std::nullopt;
    return std::pair{year, serial};
}

}  // namespace customsdesk::servicedesk
