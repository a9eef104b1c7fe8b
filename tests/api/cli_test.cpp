// The command-line tools of the one binary, on SQLite and PostgreSQL: migrate, user, token,
// version, and configuration precedence (flag > config file > environment > default).
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

#include "test_database.hpp"

namespace customsdesk::clitest {
namespace {

struct Run {
    int status = -1;
    std::string out;
};

// Runs the binary through the shell with `input` on standard input; stdout and stderr together.
Run Cli(const std::string& args, const std::string& input = "", const std::string& env = "") {
    // One file per call and process: ctest runs the SQLite and PostgreSQL variants at the same time.
    static int calls = 0;
    const std::string in_file =
        ::testing::TempDir() + "cli_stdin_" + std::to_string(getpid()) + "_" + std::to_string(++calls) + ".txt";
    std::ofstream(in_file) << input;
    const std::string cmd = env + " " + CUSTOMSDESK_BINARY + " " + args + " < " + in_file + " 2>&1";
    Run r;
    FILE* p = popen(cmd.c_str(), "r");
    std::array<char, 4096> buf{};
    while (auto n = fread(buf.data(), 1, buf.size(), p)) r.out.append(buf.data(), n);
    const int st = pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    std::remove(in_file.c_str());
    return r;
}

TEST(Cli, VersionAndHelp) {
    auto v = Cli("version");
    EXPECT_EQ(v.status, 0);
    EXPECT_NE(v.out.find("customsdesk 0."), std::string::npos);
    EXPECT_NE(Cli("--help").out.find("serve"), std::string::npos);
    EXPECT_NE(Cli("no-such-command").status, 0);
}

TEST(Cli, MigrateIsIdempotent) {
    const std::string url = test_support::UnmigratedTestDatabaseUrl();
    auto first = Cli("migrate --db '" + url + "'");
    EXPECT_EQ(first.status, 0) << first.out;
    EXPECT_NE(first.out.find("applied V001__init"), std::string::npos) << first.out;
    auto second = Cli("migrate --db '" + url + "'");
    EXPECT_EQ(second.status, 0) << second.out;
    EXPECT_EQ(second.out.find("applied V"), std::string::npos) << second.out;
}

TEST(Cli, UsersAndTokens) {
    const std::string db = "--db '" + test_support::TestDatabaseUrl() + "'";
    auto add = Cli("user add alice --name 'Alice Admin' --role admin " + db, "a-very-long-password\n");
    ASSERT_EQ(add.status, 0) << add.out;
    EXPECT_NE(add.out.find("created user alice"), std::string::npos);
    auto dup = Cli("user add alice --name 'Again' --role admin " + db, "a-very-long-password\n");
    EXPECT_NE(dup.status, 0);
    EXPECT_NE(dup.out.find("taken"), std::string::npos) << dup.out;
    auto weak = Cli("user add bob --name 'Bob' --role agent " + db, "short\n");
    EXPECT_NE(weak.status, 0);
    EXPECT_NE(weak.out.find("/password"), std::string::npos) << weak.out;
    EXPECT_NE(Cli("user add carol --name 'Carol' --role wizard " + db, "a-very-long-password\n").status, 0);
    auto trader = Cli("user add tina --name 'Tina' --role trader " + db, "a-very-long-password\n");
    EXPECT_NE(trader.status, 0);  // a trader needs an organisation
    EXPECT_NE(trader.out.find("/organisation_id"), std::string::npos) << trader.out;

    auto list = Cli("user list " + db);
    EXPECT_EQ(list.status, 0);
    EXPECT_NE(list.out.find("alice"), std::string::npos);
    EXPECT_EQ(list.out.find("bob"), std::string::npos);

    auto token = Cli("token create --user alice --name 'ERP' " + db);
    ASSERT_EQ(token.status, 0) << token.out;
    EXPECT_NE(token.out.find("cdk_"), std::string::npos);
    EXPECT_EQ(Cli("token revoke 1 " + db).status, 0);
    EXPECT_NE(Cli("token revoke 999 " + db).status, 0);

    EXPECT_EQ(Cli("user disable alice " + db).status, 0);
    EXPECT_NE(Cli("user list " + db).out.find("disabled"), std::string::npos);
    EXPECT_EQ(Cli("user enable alice " + db).status, 0);
    EXPECT_NE(Cli("user disable nobody " + db).status, 0);
}

TEST(Cli, ConfigurationPrecedence) {
    // Flag > config file > environment > default (CLI11 reads the file before the environment).
    const std::string url_file = test_support::TestDatabaseUrl();
    const std::string url_env = test_support::TestDatabaseUrl();
    const std::string url_flag = test_support::TestDatabaseUrl();
    const std::string cfg = ::testing::TempDir() + "customsdesk_" + std::to_string(getpid()) + ".conf";
    std::ofstream(cfg) << "db = \"" << url_file << "\"\n";
    const std::string env = "CUSTOMSDESK_DB='" + url_env + "'";
    // The environment alone.
    ASSERT_EQ(Cli("user add fromenv --name E --role agent", "a-very-long-password\n", env).status, 0);
    // A config file beats the environment.
    ASSERT_EQ(Cli("user add fromfile --name F --role agent --config " + cfg, "a-very-long-password\n", env).status, 0);
    // The config file can also be named by CUSTOMSDESK_CONFIG.
    ASSERT_EQ(Cli("user add fromfile2 --name F --role agent", "a-very-long-password\n", "CUSTOMSDESK_CONFIG=" + cfg)
                  .status,
              0);
    // A flag beats both.
    ASSERT_EQ(Cli("user add fromflag --name G --role agent --config " + cfg + " --db '" + url_flag + "'",
                  "a-very-long-password\n", env)
                  .status,
              0);
    auto in_file = Cli("user list --db '" + url_file + "'").out;
    auto in_env = Cli("user list --db '" + url_env + "'").out;
    auto in_flag = Cli("user list --db '" + url_flag + "'").out;
    EXPECT_NE(in_env.find("fromenv"), std::string::npos) << in_env;
    EXPECT_EQ(in_env.find("fromfile"), std::string::npos) << in_env;
    EXPECT_NE(in_file.find("fromfile"), std::string::npos) << in_file;
    EXPECT_NE(in_file.find("fromfile2"), std::string::npos) << in_file;
    EXPECT_EQ(in_file.find("fromflag"), std::string::npos) << in_file;
    EXPECT_NE(in_flag.find("fromflag"), std::string::npos) << in_flag;
    std::remove(cfg.c_str());
}

TEST(Cli, BadDatabaseUrlIsAClearError) {
    auto r = Cli("migrate --db 'mysql://nope'");
    EXPECT_NE(r.status, 0);
    EXPECT_NE(r.out.find("cannot open the database"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace customsdesk::clitest
