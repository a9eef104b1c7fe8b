// DMN TCK conformance runner: loads every test-case folder under a directory (its `*.dmn` models
// and `*-test-*.xml` test files, testcase namespace http://www.omg.org/spec/DMN/20160719/testcase),
// evaluates every test case and compares results with typed comparison (numbers numerically,
// temporal values structurally, lists and contexts element-wise).
//
// Output: one line per failing test case, then exactly one line `N passed, N failed`. Returns 0,
// or 1 when a REQUIRED case (see TckOptions) has a failing or missing test case, or 2 when the
// directory cannot be read. Each evaluation runs under `EvalLimits`, so no case can hang or
// exhaust the stack. This is the one place in the rules library that reads files.
#pragma once

#include <filesystem>
#include <ostream>
#include <set>
#include <string>

#include "customsdesk/core/error.hpp"
#include "customsdesk/rules/feel_eval.hpp"

namespace customsdesk::rules {

struct TckOptions {
    std::set<std::string> required_cases;  // case folder names, e.g. "0004-simpletable-U"
    EvalLimits limits;
    bool verbose = false;  // also list passing cases
};

int RunTck(const std::filesystem::path& dir, const TckOptions& options, std::ostream& out);

// Case names of TIERS.tsv (columns: case, tier, ...) whose tier is in `tiers`.
core::Result<std::set<std::string>> ReadTierCases(const std::filesystem::path& tiers_tsv,
                                                   const std::set<std::string>& tiers);

}  // namespace customsdesk::rules
