// The service desk's vocabulary: request status, priority, channel, tier, link kinds, and the
// status workflow as an explicit transition table (SPEC §4):
//
//   new ──▶ open ──▶ pending_customer | pending_third_party ──▶ resolved ──▶ closed
//
//   from                 allowed targets
//   new                  open, pending_customer, pending_third_party, resolved
//   open                 pending_customer, pending_third_party, resolved
//   pending_customer     open, pending_third_party, resolved
//   pending_third_party  open, pending_customer, resolved
//   resolved             open (reopen), closed
//   closed               (none: a customer reply after closing opens a new, linked request)
//
// Anything else is illegal (409, type "illegal-transition"). Merging closes the source request
// outside this table (a system transition recorded in history). Pure; thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "customsdesk/core/ids.hpp"

namespace customsdesk::servicedesk {

using RequestId = core::Id<struct RequestTag>;

enum class Status { kNew, kOpen, kPendingCustomer, kPendingThirdParty, kResolved, kClosed };
enum class Priority { kLow, kNormal, kHigh, kUrgent };
enum class Channel { kPortal, kApi, kEmail, kPhone };
enum class Tier { kSelfService, kCustomerService, kSupport, kStakeholder };
enum class LinkKind { kRelated, kDuplicateOf, kCausedBy, kFollowUpOf, kMergedInto };

std::string_view StatusName(Status s);
std::optional<Status> ParseStatus(std::string_view s);
std::string_view PriorityName(Priority p);
std::optional<Priority> ParsePriority(std::string_view s);
std::string_view ChannelName(Channel c);
std::optional<Channel> ParseChannel(std::string_view s);
std::string_view TierName(Tier t);
std::optional<Tier> ParseTier(std::string_view s);
std::string_view LinkKindName(LinkKind k);
std::optional<LinkKind> ParseLinkKind(std::string_view s);

// The transition table above.
bool CanTransition(Status from, Status to);
std::span<const Status> AllowedTransitions(Status from);
// Open = not resolved and not closed (SLA clocks may run, customers' replies keep the thread).
bool IsOpen(Status s);

// The tier an escalation moves to; nullopt at the top (stakeholder).
std::optional<Tier> NextTier(Tier t);
// One step more urgent; urgent stays urgent.
Priority RaisedPriority(Priority p);

// "SR-2026-000042"; serials above 999999 keep all their digits.
std::string FormatRequestNumber(int year, std::int64_t serial);
// Year and serial of a well-formed number; nullopt otherwise.
std::optional<std::pair<int, std::int64_t>> ParseRequestNumber(std::string_view number);

}  // namespace customsdesk::servicedesk
