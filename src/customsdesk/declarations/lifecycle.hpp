// The declaration lifecycle as an explicit state machine (issue 7, item 4; SPEC §5).
//
//   draft --submit--> submitted --reject--> rejected
//                     submitted --accept (MRN)--> accepted
//   accepted --release--> released
//   accepted --documentary_control--> under_documentary_control
//   accepted | under_documentary_control --physical_control--> under_physical_control
//   under_documentary_control | under_physical_control --release--> released
//   under_documentary_control | under_physical_control --refuse_release--> not_released
//   accepted | under_*_control | released --invalidate--> invalidated  (an accepted invalidation request)
//   draft --delete--> (row removed)
//
// `kTransitions` is the whole table: anything not in it is illegal (the service answers 409).
// Amendment and invalidation requests have their own small machine: requested -> accepted | rejected.
// Pure, thread-safe (constant data).
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace customsdesk::declarations {

enum class State {
    kDraft,
    kSubmitted,
    kRejected,
    kAccepted,
    kReleased,
    kUnderDocumentaryControl,
    kUnderPhysicalControl,
    kNotReleased,
    kInvalidated,
};
std::string_view StateName(State s);  // "draft", "under_documentary_control", ...
std::optional<State> ParseState(std::string_view s);

enum class Action {
    kSubmit,
    kAccept,
    kReject,
    kRelease,
    kDocumentaryControl,
    kPhysicalControl,
    kRefuseRelease,
    kInvalidate,
    kDelete,
};
std::string_view ActionName(Action a);  // "submit", "documentary_control", ...
std::optional<Action> ParseAction(std::string_view s);

struct TransitionRule {
    State from;
    Action action;
    std::optional<State> to;  // nullopt: the declaration is removed (delete)
};

// The transition table.
std::span<const TransitionRule> Transitions();
// The rule for (from, action), or nullptr when the transition is illegal.
const TransitionRule* FindTransition(State from, Action action);
// Actions allowed from `s`, in table order.
std::vector<Action> AllowedActions(State s);

// States in which the goods are still under customs decision (amendments possible).
bool IsAmendable(State s);
// States from which an invalidation request can be made.
bool IsInvalidatable(State s);

enum class RequestKind { kAmendment, kInvalidation };
enum class RequestState { kRequested, kAccepted, kRejected };
std::string_view RequestKindName(RequestKind k);
std::string_view RequestStateName(RequestState s);
std::optional<RequestState> ParseRequestState(std::string_view s);

}  // namespace customsdesk::declarations
