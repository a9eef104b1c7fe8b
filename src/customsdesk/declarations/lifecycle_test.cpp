#include "customsdesk/declarations/lifecycle.hpp"

#include <gtest/gtest.h>

#include <set>

namespace customsdesk::declarations {
namespace {

TEST(Lifecycle, NamesRoundTrip) {
    for (int i = 0; i <= static_cast<int>(State::kInvalidated); ++i) {
        auto s = static_cast<State>(i);
        EXPECT_EQ(ParseState(StateName(s)), s);
    }
    for (int i = 0; i <= static_cast<int>(Action::kDelete); ++i) {
        auto a = static_cast<Action>(i);
        EXPECT_EQ(ParseAction(ActionName(a)), a);
    }
    EXPECT_EQ(ParseState("nope"), std::nullopt);
}

TEST(Lifecycle, TheIssuesPaths) {
    EXPECT_EQ(FindTransition(State::kDraft, Action::kSubmit)->to, State::kSubmitted);
    EXPECT_EQ(FindTransition(State::kSubmitted, Action::kReject)->to, State::kRejected);
    EXPECT_EQ(FindTransition(State::kSubmitted, Action::kAccept)->to, State::kAccepted);
    EXPECT_EQ(FindTransition(State::kAccepted, Action::kRelease)->to, State::kReleased);
    EXPECT_EQ(FindTransition(State::kAccepted, Action::kDocumentaryControl)->to, State::kUnderDocumentaryControl);
    EXPECT_EQ(FindTransition(State::kAccepted, Action::kPhysicalControl)->to, State::kUnderPhysicalControl);
    for (State s : {State::kUnderDocumentaryControl, State::kUnderPhysicalControl}) {
        EXPECT_EQ(FindTransition(s, Action::kRelease)->to, State::kReleased);
        EXPECT_EQ(FindTransition(s, Action::kRefuseRelease)->to, State::kNotReleased);
    }
    EXPECT_EQ(FindTransition(State::kDraft, Action::kDelete)->to, std::nullopt);
}

TEST(Lifecycle, IllegalTransitionsAreAbsent) {
    EXPECT_EQ(FindTransition(State::kAccepted, Action::kDelete), nullptr);  // only drafts are deleted
    EXPECT_EQ(FindTransition(State::kSubmitted, Action::kDelete), nullptr);
    EXPECT_EQ(FindTransition(State::kReleased, Action::kRelease), nullptr);
    EXPECT_EQ(FindTransition(State::kRejected, Action::kAccept), nullptr);
    EXPECT_EQ(FindTransition(State::kDraft, Action::kRelease), nullptr);
    EXPECT_EQ(FindTransition(State::kNotReleased, Action::kRelease), nullptr);
    EXPECT_EQ(FindTransition(State::kAccepted, Action::kRefuseRelease), nullptr);
    EXPECT_TRUE(AllowedActions(State::kRejected).empty());
    EXPECT_TRUE(AllowedActions(State::kInvalidated).empty());
}

TEST(Lifecycle, TableHasNoDuplicates) {
    std::set<std::pair<int, int>> seen;
    for (const auto& t : Transitions())
        EXPECT_TRUE(seen.insert({static_cast<int>(t.from), static_cast<int>(t.action)}).second);
}

}  // namespace
}  // namespace customsdesk::declarations
