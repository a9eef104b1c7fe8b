// `customsdesk rules ...` command line: `tck DIR [--required-tiers TIERS.tsv --tiers A,B
// --require CASE ...] [--verbose]` runs the DMN TCK; `eval FILE.dmn --decision NAME --input JSON
// [--explain]` evaluates one decision and prints the result as JSON. `args` are the words after
// `customsdesk rules`. Returns the process exit code; writes results to `out`, problems to `err`.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace customsdesk::rules {

int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace customsdesk::rules
