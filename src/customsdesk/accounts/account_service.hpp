// Users, sessions and API tokens: who may use the system and how they prove it.
//
// - Users have a unique username, roles (SPEC §1), and trader users exactly one organisation.
//   Passwords are stored as Argon2id hashes only.
// - Login checks the throttle first, then the password; success creates a server-side session
//   whose random token goes to the client in a cookie and whose CSRF token must accompany every
//   state-changing request made with that cookie. Only token digests are stored.
// - API tokens are for systems: shown once on creation ("cdk_" + random), stored as digests,
//   revocable, optionally expiring. Disabled users' sessions and tokens stop working at once.
// - User creation, disabling and token creation/revocation are recorded in the change history.
// - A successful session or token check is remembered for `auth_cache_ttl` (AuthCache): logout,
//   disabling and revoking through this process take effect at once, the same changes made by
//   another process within the ttl.
// Thread-safe: its mutable state is the throttle and the auth cache (both thread-safe).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "customsdesk/accounts/auth_cache.hpp"
#include "customsdesk/accounts/login_throttle.hpp"
#include "customsdesk/accounts/secrets.hpp"
#include "customsdesk/core/clock.hpp"
#include "customsdesk/core/error.hpp"
#include "customsdesk/core/ids.hpp"
#include "customsdesk/core/principal.hpp"
#include "customsdesk/storage/database.hpp"

namespace customsdesk::accounts {

struct User {
    core::UserId id;
    std::string username;
    std::string display_name;
    std::vector<core::Role> roles;
    std::optional<core::OrganisationId> organisation;
    std::string language = "fi";
    bool disabled = false;
    core::Timestamp created_at;
    core::Timestamp updated_at;
};

struct NewUser {
    std::string username;
    std::string display_name;
    std::string password;
    std::vector<core::Role> roles;
    std::optional<core::OrganisationId> organisation;
    std::string language = "fi";
};

struct SessionGrant {
    std::string token;       // goes into the session cookie; never stored
    std::string csrf_token;  // sent back by the client in X-CSRF-Token
    core::Timestamp expires_at;
    User user;
};

struct Authenticated {
    core::Principal principal;
    std::string csrf_token;  // sessions only
};

struct ApiToken {
    core::TokenId id;
    core::UserId user;
    std::string username;
    std::string name;
    std::string prefix;  // the first characters, to recognise a token in lists
    core::Timestamp created_at;
    std::optional<core::Timestamp> expires_at;
    std::optional<core::Timestamp> revoked_at;
    std::optional<core::Timestamp> last_used_at;
};

struct NewApiToken {
    ApiToken token;
    std::string secret;  // shown once
};

struct AccountOptions {
    PasswordPolicy password_policy = PasswordPolicy::Interactive();
    std::chrono::seconds session_lifetime{12 * 3600};
    std::chrono::seconds session_touch_interval{300};  // how often last_seen_at is written
    std::chrono::milliseconds auth_cache_ttl{1000};     // 0: check the database on every request
};

inline constexpr std::string_view kApiTokenPrefix = "cdk_";

class AccountService {
public:
    AccountService(storage::Database& db, const core::Clock& clock, LoginThrottle& throttle,
                   AccountOptions options = {});

    // Administrators (or the system principal) only.
    core::Result<User> CreateUser(const core::Principal& actor, const NewUser& user);
    // The field checks CreateUser makes, for callers that want to report all problems at once.
    [[nodiscard]] core::Result<void> Validate(const NewUser& user) const;
    core::Result<std::vector<User>> ListUsers(const core::Principal& actor);
    core::Result<User> SetDisabled(const core::Principal& actor, const std::string& username, bool disabled);
    core::Result<User> GetUser(core::UserId id);

    // kUnauthenticated for a wrong username or password (the same message for both);
    // kResourceExhausted (with the wait in the message) when throttled.
    core::Result<SessionGrant> Login(const std::string& username, const std::string& password,
                                     const std::string& remote_address, const std::string& user_agent);
    core::Result<Authenticated> AuthenticateSession(const std::string& token);
    core::Result<void> Logout(const std::string& token);
    // How long to wait when the last Login was refused by the throttle.
    std::optional<std::chrono::seconds> ThrottleWait(const std::string& username, const std::string& address);

    // A user makes tokens for themself; an administrator also for `for_username`.
    core::Result<NewApiToken> CreateToken(const core::Principal& actor, const std::optional<std::string>& for_username,
                                          const std::string& name, std::optional<core::Timestamp> expires_at);
    // The owner or an administrator. Revoking twice is fine (idempotent).
    core::Result<ApiToken> RevokeToken(const core::Principal& actor, core::TokenId id);
    // The actor's own tokens; an administrator sees all.
    core::Result<std::vector<ApiToken>> ListTokens(const core::Principal& actor);
    core::Result<Authenticated> AuthenticateToken(const std::string& token);

    static core::Principal PrincipalFor(const User& user, core::AuthMethod method);

private:
    storage::Database& db_;
    const core::Clock& clock_;
    LoginThrottle& throttle_;
    AccountOptions options_;
    AuthCache auth_cache_;
};

}  // namespace customsdesk::accounts
