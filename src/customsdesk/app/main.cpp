// customsdesk: one binary for the server and the command-line tools.
//
// Configuration, highest precedence first: command-line flags, a config file (--config FILE or
// CUSTOMSDESK_CONFIG, `key = value` lines, e.g. `db = "postgresql://..."`), environment variables
// (CUSTOMSDESK_DB, CUSTOMSDESK_LISTEN, ...), built-in defaults (CLI11 reads the file first). This file is the
// composition root: it builds the services and wires them; the logic lives in the modules.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <iostream>
#include <pthread.h>
#include <thread>
#include <unistd.h>

#include "customsdesk/accounts/account_service.hpp"
#include "customsdesk/api/api.hpp"
#include "customsdesk/api/ui_routes.hpp"
#include "customsdesk/app/declaration_hooks.hpp"
#include "customsdesk/app/demo_seed.hpp"
#include "customsdesk/app/mail_cli.hpp"
#include "customsdesk/app/registry_cli.hpp"
#include "customsdesk/app/taxation_cli.hpp"
#include "customsdesk/core/principal.hpp"
#include "customsdesk/http/server.hpp"
#include "customsdesk/registry/organisation_service.hpp"
#include "customsdesk/rules/cli.hpp"
#include "customsdesk/ruleset/ruleset_service.hpp"
#include "customsdesk/servicedesk/sla_integration.hpp"
#include "customsdesk/sla/sla_service.hpp"
#include "customsdesk/selectivity/selectivity_service.hpp"
#include "customsdesk/control/control_service.hpp"
#include "customsdesk/storage/database.hpp"
#include "customsdesk/storage/migrations.hpp"
#include "customsdesk/web/embedded_assets.hpp"

#ifndef CUSTOMSDESK_VERSION
#define CUSTOMSDESK_VERSION "0.0.0"
#endif

namespace customsdesk::app {
namespace {

struct Config {
    std::string db = "sqlite:data/customsdesk.db";
    std::string listen = "127.0.0.1:8080";
    int threads = 4;
    int db_pool = 8;
    int db_mmap_mb = 0;  // serve: --db-mmap (SQLite readers' memory map)
    int commit_linger_us = 0;  // serve: --commit-linger (group commit, see storage/group_commit.hpp)
    std::size_t body_limit = 1024 * 1024;
    int request_timeout_s = 30;
    bool trust_proxy = false;
    std::string log_level = "info";
    MailConfig mail;                  // the e-mail channel (mail_cli.hpp)
    std::string demo_scale = "none";  // with --demo: also a generated register (small, national)
};

void SetUpLogging(const std::string& level) {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%fZ level=%l %v", spdlog::pattern_time_type::utc);
    spdlog::set_level(spdlog::level::from_str(level));
}

// Exits with a clear message on an error at start-up (habit 2: outages end the process).
template <typename T>
T OrDie(core::Result<T> r, std::string_view what) {
    if (!r) {
        std::cerr << "customsdesk: " << what << ": " << r.error().message << "\n";
        for (const auto& f : r.error().fields) std::cerr << "  " << f.pointer << ": " << f.message << "\n";
        std::exit(1);
    }
    if constexpr (!std::is_void_v<T>) return std::move(*r);
}

std::unique_ptr<storage::Database> OpenDatabase(const Config& cfg, bool migrate) {
    storage::Options opts;
    opts.pool_size = cfg.db_pool;
    opts.reader_mmap_bytes = static_cast<std::int64_t>(cfg.db_mmap_mb) * 1024 * 1024;
    auto db = OrDie(storage::Open(cfg.db, opts), "cannot open the database " + cfg.db);
    if (migrate) {
        core::SystemClock clock;
        auto report = OrDie(storage::Migrate(*db, core::FormatTimestamp(clock.Now())), "migration failed");
        for (const auto& name : report.applied) spdlog::info("event=migration_applied name={}", name);
    }
    return db;
}

std::pair<std::string, unsigned short> SplitListen(const std::string& listen) {
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos) {
        std::cerr << "customsdesk: --listen takes ADDRESS:PORT, e.g. 127.0.0.1:8080\n";
        std::exit(2);
    }
    std::string host = listen.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    int port = -1;
    try {
        port = std::stoi(listen.substr(colon + 1));
    } catch (...) {
    }
    if (port < 0 || port > 65535) {
        std::cerr << "customsdesk: the port in --listen must be 0 to 65535\n";
        std::exit(2);
    }
    return {host, static_cast<unsigned short>(port)};
}

// How often the SLA scheduler looks for requests whose warning or breach time has passed.
constexpr std::chrono::seconds kSlaSweepInterval{15};

// The services of one process, built once.
struct Runtime {
    core::SystemClock clock;
    std::unique_ptr<storage::Database> db;
    accounts::LoginThrottle throttle{clock};
    std::unique_ptr<accounts::AccountService> accounts;
    std::unique_ptr<registry::OrganisationService> organisations;
    std::unique_ptr<ruleset::RulesetService> rulesets;
    std::unique_ptr<registry::EstablishmentService> establishments;
    std::unique_ptr<registry::ContactService> contacts;
    std::unique_ptr<registry::SearchService> search;
    std::unique_ptr<jobs::JobQueue> jobs;
    std::unique_ptr<taxation::TaxService> taxation;
    std::unique_ptr<sla::SlaService> sla;
    std::unique_ptr<selectivity::SelectivityService> selectivity;
    std::unique_ptr<servicedesk::ServiceDeskService> servicedesk;
    std::unique_ptr<declarations::DeclarationService> declarations;
    std::unique_ptr<control::ControlService> control;
    std::unique_ptr<storage::GroupCommitter> committer;  // shares durable commits: lodgings, service requests
    std::unique_ptr<servicedesk::SlaIntegration> servicedesk_sla;  // after servicedesk: destroyed first

    Runtime(const Config& cfg, bool migrate) : db(OpenDatabase(cfg, migrate)) {
        accounts = std::make_unique<accounts::AccountService>(*db, clock, throttle);
        organisations = std::make_unique<registry::OrganisationService>(*db, clock);
        rulesets = std::make_unique<ruleset::RulesetService>(*db, clock);
        establishments = std::make_unique<registry::EstablishmentService>(*db, clock);
        contacts = std::make_unique<registry::ContactService>(*db, clock);
        search = std::make_unique<registry::SearchService>(*db);
        jobs = std::make_unique<jobs::JobQueue>(*db, clock);
        taxation = std::make_unique<taxation::TaxService>(*db, clock);
        sla = std::make_unique<sla::SlaService>(*db, clock);
        selectivity = std::make_unique<selectivity::SelectivityService>(*db, clock, *rulesets);
        servicedesk = std::make_unique<servicedesk::ServiceDeskService>(*db, clock, *rulesets);
        declarations = std::make_unique<declarations::DeclarationService>(*db, clock, rulesets.get());
        storage::GroupCommitOptions commit_options;
        commit_options.linger = std::chrono::microseconds(cfg.commit_linger_us);
        committer = std::make_unique<storage::GroupCommitter>(*db, commit_options);
        declarations->SetGroupCommitter(committer.get());
        // Service requests too, on SQLite only: there a durable commit is one fsync of the single
        // writer, shared by a batch; on PostgreSQL the committer would serialise every statement's
        // round trip onto one connection while the server batches commits itself (docs/benchmarks.md).
        if (db->dialect() == storage::Dialect::kSqlite) servicedesk->SetGroupCommitter(committer.get());
        WireTaxation(*declarations, *taxation, clock);
        WireSelectivity(*declarations, *selectivity, *taxation, clock);
        control = std::make_unique<control::ControlService>(*db, clock, *declarations);
        servicedesk_sla = std::make_unique<servicedesk::SlaIntegration>(*db, clock, *servicedesk);
    }
};

void AddPoolMetrics(http::Metrics& metrics, storage::Database& db) {
    metrics.AddCollector([&db](std::string& out) {
        const auto s = db.Stats();
        auto header = [&out](std::string_view name, std::string_view type, std::string_view help) {
            out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
        };
        auto single = [&](std::string_view name, std::string_view type, std::string_view help, auto value) {
            header(name, type, help);
            out += fmt::format("{} {}\n", name, value);
        };
        header("customsdesk_db_connections", "gauge", "Open database connections by state.");
        out += fmt::format("customsdesk_db_connections{{state=\"total\"}} {}\n", s.connections_total);
        out += fmt::format("customsdesk_db_connections{{state=\"idle\"}} {}\n", s.connections_idle);
        single("customsdesk_db_waiters", "gauge", "Callers waiting for a pooled connection.", s.waiters);
        single("customsdesk_db_acquired_total", "counter", "Connections handed out by the pool.", s.acquired_total);
        single("customsdesk_db_acquire_timeouts_total", "counter", "Waits for a connection that timed out.",
               s.acquire_timeouts_total);
        header("customsdesk_db_transactions_total", "counter", "Finished transactions by outcome.");
        out += fmt::format("customsdesk_db_transactions_total{{outcome=\"commit\"}} {}\n",
                           s.transactions_committed_total);
        out += fmt::format("customsdesk_db_transactions_total{{outcome=\"rollback\"}} {}\n",
                           s.transactions_rolled_back_total);
        single("customsdesk_db_wal_checkpoints_total", "counter",
               "SQLite: background WAL checkpoints that copied pages.", s.wal_checkpoints_total);
        single("customsdesk_db_syncs_total", "counter", "SQLite: fsyncs that made deferred bulk commits durable.",
               s.syncs_total);
    });
}

int Serve(const Config& cfg, bool demo) {
    // Block the stop signals in every thread; one thread waits for them and stops the server.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    Runtime rt(cfg, true);
    // A fresh install gets the shipped risk profiles, reviewed and active (idempotent).
    for (const auto& key : OrDie(rt.selectivity->InstallDefaultProfiles(), "installing the default risk profiles"))
        spdlog::info("event=risk_profile_installed key={}", key);
    // The shipped service-desk routing table, unless the rule set exists (then it is never touched).
    if (OrDie(rt.servicedesk->InstallDefaultRouting(), "service desk routing")) {
        spdlog::info("event=routing_installed ruleset=servicedesk-routing");
    }
    if (demo) {
        const bool seeded = OrDie(SeedDemo(*rt.db, *rt.accounts, *rt.organisations), "demo data");
        if (seeded) spdlog::info("event=demo_seeded");
        if (seeded && cfg.demo_scale != "none") {
            const auto rows = OrDie(LoadDemoRegister(*rt.db, rt.clock, cfg.demo_scale, 2026), "demo register");
            spdlog::info("event=demo_register_loaded scale={} rows={}", cfg.demo_scale, rows);
        }
    }
    http::Metrics metrics;
    AddPoolMetrics(metrics, *rt.db);
    api::Services services{*rt.db,          rt.clock,          *rt.accounts,       *rt.organisations,
                           *rt.rulesets,    metrics,           CUSTOMSDESK_VERSION, *rt.establishments,
                           *rt.contacts,    *rt.search,        *rt.jobs,           *rt.taxation,       *rt.sla,
                           *rt.selectivity,    *rt.servicedesk};
    auto mail = OrDie(StartMail(cfg.mail, *rt.db, rt.clock, *rt.servicedesk, *rt.contacts), "e-mail channel");
    services.mail_intake = mail->intake.get();
    services.declarations = rt.declarations.get();
    services.control = rt.control.get();
    http::Router router;
    api::RegisterRoutes(router, services);
    rt.jobs->Start();
    rt.servicedesk_sla->Start(kSlaSweepInterval);  // SLA warnings, breaches and escalations
    const http::StaticFiles ui_files(web::EmbeddedAssets());  // the web UI (docs/ui.md)
    api::RegisterUiRoutes(router, ui_files);

    auto [host, port] = SplitListen(cfg.listen);
    http::ServerOptions opts;
    opts.address = host;
    opts.port = port;
    opts.threads = cfg.threads;
    opts.body_limit = cfg.body_limit;
    opts.request_timeout = std::chrono::seconds(cfg.request_timeout_s);
    opts.trust_proxy = cfg.trust_proxy;
    http::Server server(opts, router, metrics, [&services](http::Request& req, const http::Handler& next) {
        if (api::IsUiRoute(req.route)) return next(req);  // static UI files: public, no session needed
        return api::Authenticate(services, req, next);
    });
    OrDie(server.Listen(), "cannot listen on " + cfg.listen);

    const std::string url = fmt::format("http://{}:{}", host.find(':') != std::string::npos ? "[" + host + "]" : host,
                                        server.port());
    std::printf("customsdesk %s serving %s\n", CUSTOMSDESK_VERSION, url.c_str());
    std::printf("  database: %s\n", rt.db->Describe().c_str());
    std::printf("  web UI: %s/\n", url.c_str());
    std::printf("  API: %s/api/v1  (OpenAPI: %s/api/v1/openapi.json)\n", url.c_str(), url.c_str());
    if (demo) {
        std::printf("  demo logins (username / password):\n");
        for (const auto& l : DemoLogins()) {
            std::printf("    %-11s / %-22s %s\n", l.username.c_str(), l.password.c_str(), l.role.c_str());
        }
    }
    std::printf("  stop with Ctrl-C\n");
    std::fflush(stdout);

    std::thread waiter([&server, signals] {
        int sig = 0;
        sigwait(&signals, &sig);
        spdlog::info("event=stopping signal={}", sig);
        server.Stop();
    });
    spdlog::info("event=started listen={} port={}", cfg.listen, server.port());
    server.Run();
    // Run() returned: either a signal arrived or Stop() was called; release the waiter if needed.
    pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
    rt.jobs->Stop();
    rt.servicedesk_sla->Stop();
    rt.db->Close();
    spdlog::info("event=stopped");
    return 0;
}

// `rules import FILE.dmn --key KEY [--name NAME] [--comment TEXT] [--db URL]`: uploads a DMN file as a new
// draft version of a rule set, authored by the system user (so any risk analyst may approve it).
int ImportRuleset(Config cfg, const std::vector<std::string>& args) {
    std::string file, key, comment = "imported from the command line";
    std::optional<std::string> name;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const bool has_value = i + 1 < args.size();
        if (args[i] == "--key" && has_value) key = args[++i];
        else if (args[i] == "--name" && has_value) name = args[++i];
        else if (args[i] == "--comment" && has_value) comment = args[++i];
        else if (args[i] == "--db" && has_value) cfg.db = args[++i];
        else if (file.empty() && !args[i].starts_with("--")) file = args[i];
        else {
            std::cerr << "usage: customsdesk rules import FILE.dmn --key KEY [--name NAME] [--comment TEXT] [--db URL]\n";
            return 2;
        }
    }
    if (file.empty() || key.empty()) {
        std::cerr << "usage: customsdesk rules import FILE.dmn --key KEY [--name NAME] [--comment TEXT] [--db URL]\n";
        return 2;
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        std::cerr << "customsdesk: cannot read " << file << "\n";
        return 1;
    }
    std::string xml(ruleset::kMaxDmnBytes + 1, '\0');
    in.read(xml.data(), static_cast<std::streamsize>(xml.size()));
    xml.resize(static_cast<std::size_t>(in.gcount()));
    Runtime rt(cfg, true);
    auto v = OrDie(rt.rulesets->Upload(core::Principal::System(), key, xml, name, comment), "cannot import " + file);
    std::printf("imported %s as rule set %s version %lld (draft)\n", file.c_str(), v.key.c_str(),
                static_cast<long long>(v.version));
    rt.db->Close();
    return 0;
}

std::string ReadPassword(bool from_stdin) {
    std::string pw;
    if (from_stdin || !isatty(STDIN_FILENO)) {
        std::getline(std::cin, pw);
    } else {
        std::cerr << "Password: ";
        std::getline(std::cin, pw);
    }
    return pw;
}

}  // namespace

int Main(int argc, char** argv) {
    CLI::App app{"customsdesk: the trader-facing platform of a customs administration"};
    app.require_subcommand(1);
    app.fallthrough();  // global options (--db, --config, ...) may also follow the subcommand
    // CLI11 does not read the config option from the environment, so CUSTOMSDESK_CONFIG becomes the
    // default file name (required to exist when set).
    const char* config_env = std::getenv("CUSTOMSDESK_CONFIG");
    app.set_config("--config", config_env ? config_env : "",
                   "Config file (key = value lines); also CUSTOMSDESK_CONFIG", config_env != nullptr);
    Config cfg;
    app.add_option("--db", cfg.db, "Database: sqlite:PATH or postgresql://...")
        ->envname("CUSTOMSDESK_DB")
        ->capture_default_str();
    app.add_option("--log-level", cfg.log_level, "trace, debug, info, warn, error")
        ->envname("CUSTOMSDESK_LOG_LEVEL")
        ->capture_default_str();
    app.add_option("--db-pool", cfg.db_pool, "Database connections in the pool")
        ->envname("CUSTOMSDESK_DB_POOL")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    AddMailOptions(app, cfg.mail);

    auto* serve = app.add_subcommand("serve", "Run the HTTP server");
    // Search reads random search entries of a large register: mapped, a page that is in the OS
    // cache costs no read() copy (docs/benchmarks.md, registry search, 2026-11-22).
    int serve_mmap_mb = 2048;
    bool demo = false;
    serve->add_option("--listen", cfg.listen, "ADDRESS:PORT")->envname("CUSTOMSDESK_LISTEN")->capture_default_str();
    serve->add_option("--threads", cfg.threads, "Server threads")
        ->envname("CUSTOMSDESK_THREADS")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    serve->add_option("--db-mmap", serve_mmap_mb,
                      "SQLite: MiB of the database file the server's readers map into memory "
                      "(0 = read(); SQLite caps it at 2 GiB on Debian)")
        ->envname("CUSTOMSDESK_DB_MMAP")
        ->check(CLI::Range(0, 1 << 20))
        ->capture_default_str();
    // 1 ms: under concurrent lodging, a commit (WAL writes + fsync) shared by two to three times
    // as many writes; a lone write is never delayed (docs/benchmarks.md, declarations, 2026-11-22).
    int serve_linger_us = 1000;
    serve->add_option("--commit-linger", serve_linger_us,
                      "Microseconds a shared commit waits for more writes while writes come concurrently "
                      "(0 = commit at once)")
        ->envname("CUSTOMSDESK_COMMIT_LINGER")
        ->check(CLI::Range(0, 100000))
        ->capture_default_str();
    serve->add_option("--body-limit", cfg.body_limit, "Largest request body in bytes")
        ->envname("CUSTOMSDESK_BODY_LIMIT")
        ->capture_default_str();
    serve->add_option("--request-timeout", cfg.request_timeout_s, "Seconds a client has to send a request")
        ->envname("CUSTOMSDESK_REQUEST_TIMEOUT")
        ->capture_default_str();
    serve->add_flag("--trust-proxy", cfg.trust_proxy, "Honour X-Forwarded-For/-Proto (behind a TLS proxy)")
        ->envname("CUSTOMSDESK_TRUST_PROXY");
    serve->add_option("--demo-scale", cfg.demo_scale,
                      "With --demo on an empty database: also load a generated register (none, small, national)")
        ->envname("CUSTOMSDESK_DEMO_SCALE")
        ->check(CLI::IsMember({"none", "small", "national"}))
        ->capture_default_str();
    serve->add_flag("--demo", demo, "Load the demo data if the database has no users, and print the demo logins");

    auto* migrate = app.add_subcommand("migrate", "Apply pending database migrations");

    auto* import_cmd = app.add_subcommand("import", "Import registry data from CSV (docs/formats/registry-csv.md)");
    std::string reg_kind, reg_file, reg_mode = "all_or_nothing", reg_report, reg_output, demo_dir;
    import_cmd->add_option("kind", reg_kind, "organisations, establishments or contacts")->required();
    import_cmd->add_option("file", reg_file, "CSV file (UTF-8, header row)")->required();
    import_cmd->add_option("--mode", reg_mode, "all_or_nothing or skip_bad_rows")->capture_default_str();
    import_cmd->add_option("--report", reg_report, "Write the row-level issues to this CSV file");
    auto* export_cmd = app.add_subcommand("export", "Export registry data as CSV (streams)");
    export_cmd->add_option("kind", reg_kind, "organisations, establishments or contacts")->required();
    export_cmd->add_option("--output", reg_output, "File to write (default: standard output)");
    auto* demo_cmd = app.add_subcommand("demo", "Load (or write with --out-dir) a generated demo register");
    std::string demo_scale = "small";
    std::uint64_t demo_seed = 2026;
    demo_cmd->add_option("--scale", demo_scale, "small or national")->capture_default_str();
    demo_cmd->add_option("--seed", demo_seed, "Seed of the generator")->capture_default_str();
    demo_cmd->add_option("--out-dir", demo_dir, "Write the CSV files here instead of importing them");

    auto* user = app.add_subcommand("user", "Manage users");
    user->require_subcommand(1);
    auto* user_add = user->add_subcommand("add", "Create a user (the password is read from standard input)");
    accounts::NewUser nu;
    std::vector<std::string> role_names;
    std::int64_t org_id = 0;
    user_add->add_option("username", nu.username, "Username")->required();
    user_add->add_option("--name", nu.display_name, "Display name")->required();
    user_add->add_option("--role", role_names, "Role (repeatable): trader, agent, specialist, kam, segment_manager, "
                                               "risk_analyst, officer, auditor, admin")
        ->required();
    user_add->add_option("--organisation", org_id, "Organisation id (trader users)");
    user_add->add_option("--language", nu.language, "fi, sv or en")->capture_default_str();
    auto* user_list = user->add_subcommand("list", "List users");
    auto* user_disable = user->add_subcommand("disable", "Disable a user (ends their sessions)");
    std::string target_user;
    user_disable->add_option("username", target_user, "Username")->required();
    auto* user_enable = user->add_subcommand("enable", "Enable a disabled user");
    user_enable->add_option("username", target_user, "Username")->required();

    auto* token = app.add_subcommand("token", "Manage API tokens");
    token->require_subcommand(1);
    auto* token_create = token->add_subcommand("create", "Create an API token; prints the secret once");
    std::string token_user, token_name;
    token_create->add_option("--user", token_user, "Owner's username")->required();
    token_create->add_option("--name", token_name, "What the token is for")->required();
    auto* token_revoke = token->add_subcommand("revoke", "Revoke an API token");
    std::int64_t token_id = 0;
    token_revoke->add_option("id", token_id, "Token id")->required();

    auto* mail_in = app.add_subcommand("mail-in", "Store one inbound e-mail from standard input (Postfix pipe; exit 75 = retry later)");
    auto* version = app.add_subcommand("version", "Print the version");

    auto* taxation_cmd = app.add_subcommand("taxation", "Taxation rate tables (docs/taxation.md)");
    taxation_cmd->require_subcommand(1);
    auto* taxation_import = taxation_cmd->add_subcommand("import", "Import a tariff or exchange-rate CSV file");
    std::string tax_kind, tax_file;
    taxation_import->add_option("kind", tax_kind, "tariff or fx")->required()->check(CLI::IsMember({"tariff", "fx"}));
    taxation_import->add_option("file", tax_file, "CSV file")->required();

    auto* rules = app.add_subcommand("rules", "Decision tables: `rules tck DIR`, `rules eval FILE.dmn --decision NAME "
                                              "--input JSON [--explain]`, `rules import FILE.dmn --key KEY`");
    rules->prefix_command();  // everything after `rules` goes to the rules engine's own command line
    rules->fallthrough(false);  // else CLI11 hands the words to the parent app, which refuses them

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    SetUpLogging(cfg.log_level);

    if (version->parsed()) {
        std::printf("customsdesk %s\n", CUSTOMSDESK_VERSION);
        return 0;
    }
    if (serve->parsed()) {
        cfg.db_mmap_mb = serve_mmap_mb;
        cfg.commit_linger_us = serve_linger_us;
        return Serve(cfg, demo);
    }
    if (mail_in->parsed()) return RunMailIn(cfg.db, cfg.mail, std::cin, std::cout, std::cerr);
    if (rules->parsed()) {
        const auto args = rules->remaining();
        if (!args.empty() && args[0] == "import") return ImportRuleset(cfg, args);
        return rules::RunCli(args, std::cout, std::cerr);
    }
    if (import_cmd->parsed() || export_cmd->parsed() || demo_cmd->parsed()) {
        if (demo_cmd->parsed() && !demo_dir.empty()) {
            return WriteDemoFiles(demo_scale, demo_seed, demo_dir);
        }
        Runtime rt(cfg, true);
        int rc = 0;
        if (import_cmd->parsed()) rc = RunImport(*rt.db, rt.clock, reg_kind, reg_file, reg_mode, reg_report);
        else if (export_cmd->parsed()) rc = RunExport(*rt.db, reg_kind, reg_output);
        else rc = RunDemo(*rt.db, rt.clock, *rt.accounts, *rt.organisations, demo_scale, demo_seed);
        rt.db->Close();
        return rc;
    }
    if (taxation_import->parsed()) {
        Runtime rt(cfg, true);
        const int rc = RunTaxationImport(*rt.db, rt.clock, tax_kind, tax_file);
        rt.db->Close();
        return rc;
    }
    if (migrate->parsed()) {
        auto db = OpenDatabase(cfg, false);
        core::SystemClock clock;
        auto report = OrDie(storage::Migrate(*db, core::FormatTimestamp(clock.Now())), "migration failed");
        std::printf("schema version %d -> %d\n", report.from_version, report.to_version);
        for (const auto& n : report.applied) std::printf("applied %s\n", n.c_str());
        db->Close();
        return 0;
    }
    const core::Principal system = core::Principal::System();
    if (user->parsed()) {
        Runtime rt(cfg, true);
        if (user_add->parsed()) {
            for (const auto& r : role_names) {
                auto role = core::ParseRole(r);
                if (!role) {
                    std::cerr << "customsdesk: unknown role " << r << "\n";
                    return 2;
                }
                nu.roles.push_back(*role);
            }
            if (org_id > 0) nu.organisation = core::OrganisationId(org_id);
            nu.password = ReadPassword(false);
            auto u = OrDie(rt.accounts->CreateUser(system, nu), "cannot create the user");
            std::printf("created user %s (id %lld)\n", u.username.c_str(), static_cast<long long>(u.id.value()));
        } else if (user_list->parsed()) {
            auto users = OrDie(rt.accounts->ListUsers(system), "cannot list users");
            std::printf("%-6s %-20s %-30s %-10s %s\n", "id", "username", "name", "status", "roles");
            for (const auto& u : users) {
                std::string roles;
                for (auto r : u.roles) roles += (roles.empty() ? "" : ",") + std::string(core::RoleName(r));
                std::printf("%-6lld %-20s %-30s %-10s %s\n", static_cast<long long>(u.id.value()),
                            u.username.c_str(), u.display_name.c_str(), u.disabled ? "disabled" : "active",
                            roles.c_str());
            }
        } else {
            const bool disable = user_disable->parsed();
            auto u = OrDie(rt.accounts->SetDisabled(system, target_user, disable), "cannot change the user");
            std::printf("%s user %s\n", disable ? "disabled" : "enabled", u.username.c_str());
        }
        rt.db->Close();
        return 0;
    }
    if (token->parsed()) {
        Runtime rt(cfg, true);
        if (token_create->parsed()) {
            auto t = OrDie(rt.accounts->CreateToken(system, token_user, token_name, std::nullopt),
                           "cannot create the token");
            std::printf("token id %lld for %s (shown once):\n%s\n", static_cast<long long>(t.token.id.value()),
                        t.token.username.c_str(), t.secret.c_str());
        } else {
            auto t = OrDie(rt.accounts->RevokeToken(system, core::TokenId(token_id)), "cannot revoke the token");
            std::printf("revoked token %lld\n", static_cast<long long>(t.id.value()));
        }
        rt.db->Close();
        return 0;
    }
    return 1;
}

}  // namespace customsdesk::app

int main(int argc, char** argv) {
    try {
        return customsdesk::app::Main(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "customsdesk: fatal: " << e.what() << "\n";
        return 1;
    }
}
