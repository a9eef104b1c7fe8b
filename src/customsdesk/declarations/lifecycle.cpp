#include "customsdesk/declarations/lifecycle.hpp"

#include <array>

namespace customsdesk::declarations {
namespace {

constexpr std::array<std::string_view, 9> kStateNames = {"draft",
                                                          "submitted",
                                                          "rejected",
                                                          "accepted",
                                                          "released",
                                                          "under_documentary_control",
                                                          "under_physical_control",
                                                          "not_released",
                                                          "invalidated"};
constexpr std::array<std::string_view, 9> kActionNames = {"submit",          "accept",           "reject",
                                                           "release",         "documentary_control",
                                                           "physical_control", "refuse_release", "invalidate",
                                                           "delete"};

using S = State;
using A = Action;
const TransitionRule kTable[] = {
    {S::kDraft, A::kSubmit, S::kSubmitted},
    {S::kDraft, A::kDelete, std::nullopt},
    {S::kSubmitted, A::kAccept, S::kAccepted},
    {S::kSubmitted, A::kReject, S::kRejected},
    {S::kAccepted, A::kRelease, S::kReleased},
    {S::kAccepted, A::kDocumentaryControl, S::kUnderDocumentaryControl},
    {S::kAccepted, A::kPhysicalControl, S::kUnderPhysicalControl},
    {S::kAccepted, A::kInvalidate, S::kInvalidated},
    {S::kUnderDocumentaryControl, A::kPhysicalControl, S::kUnderPhysicalControl},
    {S::kUnderDocumentaryControl, A::kRelease, S::kReleased},
    {S::kUnderDocumentaryControl, A::kRefuseRelease, S::kNotReleased},
    {S::kUnderDocumentaryControl, A::kInvalidate, S::kInvalidated},
    {S::kUnderPhysicalControl, A::kRelease, S::kReleased},
    {S::kUnderPhysicalControl, A::kRefuseRelease, S::kNotReleased},
    {S::kUnderPhysicalControl, A::kInvalidate, S::kInvalidated},
    {S::kReleased, A::kInvalidate, S::kInvalidated},
};

}  // namespace

std::string_view StateName(State s) { return kStateNames[static_cast<std::size_t>(s)]; }
std::optional<State> ParseState(std::string_view s) {
    for (std::size_t i = 0; i < kStateNames.size(); ++i)
        if (kStateNames[i] == s) return static_cast<State>(i);
    return std::nullopt;
}
std::string_view ActionName(Action a) { return kActionNames[static_cast<std::size_t>(a)]; }
std::optional<Action> ParseAction(std::string_view s) {
    for (std::size_t i = 0; i < kActionNames.size(); ++i)
        if (kActionNames[i] == s) return static_cast<Action>(i);
    return std::nullopt;
}

std::span<const TransitionRule> Transitions() { return kTable; }

const TransitionRule* FindTransition(State from, Action action) {
    for (const auto& t : kTable)
        if (t.from == from && t.action == action) return &t;
    return nullptr;
}

std::vector<Action> AllowedActions(State s) {
    std::vector<Action> out;
    for (const auto& t : kTable)
        if (t.from == s) out.push_back(t.action);
    return out;
}

bool IsAmendable(State s) {
    return s == State::kSubmitted || s == State::kAccepted || s == State::kUnderDocumentaryControl ||
           s == State::kUnderPhysicalControl;
}
bool IsInvalidatable(State s) { return FindTransition(s, Action::kInvalidate) != nullptr; }

std::string_view RequestKindName(RequestKind k) { return k == RequestKind::kAmendment ? "amendment" : "invalidation"; }
std::string_view RequestStateName(RequestState s) {
    switch (s) {
        case RequestState::kRequested: return "requested";
        case RequestState::kAccepted: return "accepted";
        case RequestState::kRejected: return "rejected";
    }
    return "requested";
}
std::optional<RequestState> ParseRequestState(std::string_view s) {
    if (s == "requested") return RequestState::kRequested;
    if (s == "accepted") return RequestState::kAccepted;
    if (s == "rejected") return RequestState::kRejected;
    return std::nullopt;
}

}  // namespace customsdesk::declarations
