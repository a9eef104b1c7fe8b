// Stand-alone entry point for `customsdesk rules ...` until the main binary wires RunCli.
#include <iostream>
#include <string>
#include <vector>

#include "customsdesk/rules/cli.hpp"

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    return customsdesk::rules::RunCli(args, std::cout, std::cerr);
}
