// The throwaway Postfix instance of the mail tests (scripts/mail-test-server.sh, ctest fixture
// "mail_server" from cmake/mail_tests.cmake), seen from a test. Header-only.
//
// MailServer::Open() reads CUSTOMSDESK_TEST_MAIL_DIR; when it is unset or the instance is not running
// it reports a gtest failure with the reason (never a silent skip). Delivered mail is read from the
// instance's Maildir; WaitForMessage polls it (a bounded wait for Postfix's queue, not a timing test).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

namespace customsdesk::testing {

class MailServer {
public:
    static std::optional<MailServer> Open() {
        const char* dir = std::getenv("CUSTOMSDESK_TEST_MAIL_DIR");
        if (dir == nullptr || *dir == '\0') {
            ADD_FAILURE() << "CUSTOMSDESK_TEST_MAIL_DIR is not set: run this test through ctest, whose fixture "
                             "mail_server starts scripts/mail-test-server.sh (Postfix; needs root)";
            return std::nullopt;
        }
        MailServer server;
        server.dir_ = dir;
        const std::string port = Value(server.dir_ / "smtp_port");
        if (port.empty()) {
            ADD_FAILURE() << "no running test mail server in " << dir
                          << " (scripts/mail-test-server.sh start failed? see its output in the ctest log)";
            return std::nullopt;
        }
        server.port_ = static_cast<std::uint16_t>(std::stoi(port));
        server.maildir_ = Value(server.dir_ / "maildir_path");
        server.inbound_ = Value(server.dir_ / "inbound_path");
        server.run_user_ = Value(server.dir_ / "run_user");
        return server;
    }

    std::uint16_t port() const { return port_; }
    const std::filesystem::path& dir() const { return dir_; }
    const std::filesystem::path& maildir() const { return maildir_; }
    const std::filesystem::path& inbound() const { return inbound_; }
    const std::string& run_user() const { return run_user_; }

    // Mail for servicedesk@test.customsdesk is piped to this shell command line (run as run_user(),
    // message on stdin); empty: kept as files in inbound().
    void SetPipeCommand(const std::string& command) const {
        std::ofstream(Value(dir_ / "pipe_command_path"), std::ios::trunc) << command;
    }

    // Waits (up to `limit`) for a delivered message in the Maildir for which `match(raw)` holds and
    // returns its raw bytes.
    std::optional<std::string> WaitForMessage(const std::function<bool(const std::string&)>& match,
                                              std::chrono::seconds limit = std::chrono::seconds(60)) const {
        return WaitIn(maildir_ / "new", match, limit);
    }
    std::optional<std::string> WaitForPiped(const std::function<bool(const std::string&)>& match,
                                            std::chrono::seconds limit = std::chrono::seconds(60)) const {
        return WaitIn(inbound_, match, limit);
    }

    static std::string Slurp(const std::filesystem::path& p) {
        std::ifstream in(p, std::ios::binary);
        std::ostringstream s;
        s << in.rdbuf();
        return s.str();
    }
    // One line of the instance's description files, without its newline.
    static std::string Value(const std::filesystem::path& p) {
        std::string text = Slurp(p);
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
        return text;
    }

private:
    static std::optional<std::string> WaitIn(const std::filesystem::path& folder,
                                             const std::function<bool(const std::string&)>& match,
                                             std::chrono::seconds limit) {
        const auto until = std::chrono::steady_clock::now() + limit;
        do {
            std::error_code ec;
            for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
                if (entry.path().extension() == ".tmp") continue;
                std::string raw = Slurp(entry.path());
                if (match(raw)) return raw;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        } while (std::chrono::steady_clock::now() < until);
        return std::nullopt;
    }

    std::filesystem::path dir_;
    std::filesystem::path maildir_;
    std::filesystem::path inbound_;
    std::string run_user_;
    std::uint16_t port_ = 0;
};

}  // namespace customsdesk::testing
