#include "customsdesk/accounts/account_service.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "customsdesk/core/identifiers.hpp"
#include "customsdesk/core/json.hpp"
#include "customsdesk/history/change_history.hpp"

namespace customsdesk::accounts {
namespace {

using core::Error;
using core::Fail;
using core::Result;

constexpr std::string_view kUserColumns =
    "id, username, display_name, roles, organisation_id, language, disabled, created_at, updated_at, password_hash";
constexpr std::string_view kInsertUser =
    "INSERT INTO users (username, display_name, password_hash, roles, organisation_id, language, disabled, "
    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id";
constexpr std::string_view kSetDisabled = "UPDATE users SET disabled = $1, updated_at = $2 WHERE id = $3";
constexpr std::string_view kDeleteUserSessions = "DELETE FROM sessions WHERE user_id = $1";
constexpr std::string_view kInsertSession =
    "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, last_seen_at, remote_address, "
    "user_agent) VALUES ($1, $2, $3, $4, $5, $4, $6, $7)";
constexpr std::string_view kSelectSession =
    "SELECT s.id, s.csrf_token, s.expires_at, s.last_seen_at, s.user_id FROM sessions s WHERE s.token_hash = $1";
constexpr std::string_view kTouchSession = "UPDATE sessions SET last_seen_at = $1 WHERE id = $2";
constexpr std::string_view kDeleteSession = "DELETE FROM sessions WHERE token_hash = $1";
constexpr std::string_view kDeleteExpiredSessions = "DELETE FROM sessions WHERE expires_at < $1";
constexpr std::string_view kTokenColumns =
    "t.id, t.user_id, u.username, t.name, t.prefix, t.created_at, t.expires_at, t.revoked_at, t.last_used_at";
constexpr std::string_view kInsertToken =
    "INSERT INTO api_tokens (user_id, name, prefix, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, "
    "$6) RETURNING id";
constexpr std::string_view kRevokeToken = "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL";
constexpr std::string_view kTouchToken = "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2";

std::string RolesJson(const std::vector<core::Role>& roles) {
    boost::json::array a;
    for (auto r : roles) a.emplace_back(core::RoleName(r));
    return boost::json::serialize(a);
}

std::vector<core::Role> RolesFromJson(const std::string& text) {
    std::vector<core::Role> out;
    auto v = core::ParseJson(text);
    if (!v || !v->is_array()) return out;
    for (const auto& item : v->as_array()) {
        if (!item.is_string()) continue;
        if (auto r = core::ParseRole(item.as_string())) out.push_back(*r);
    }
    return out;
}

core::Timestamp Ts(const std::string& s) { return core::ParseTimestamp(s).value_or(core::Timestamp{}); }
std::optional<core::Timestamp> OptTs(const std::optional<std::string>& s) {
    if (!s) return std::nullopt;
    return core::ParseTimestamp(*s);
}

User UserFromRow(const storage::Row& r) {
    User u;
    u.id = core::UserId(r.GetInt(0));
    u.username = r.GetText(1);
    u.display_name = r.GetText(2);
    u.roles = RolesFromJson(r.GetText(3));
    if (auto org = r.GetOptInt(4)) u.organisation = core::OrganisationId(*org);
    u.language = r.GetText(5);
    u.disabled = r.GetBool(6);
    u.created_at = Ts(r.GetText(7));
    u.updated_at = Ts(r.GetText(8));
    return u;
}

ApiToken TokenFromRow(const storage::Row& r) {
    ApiToken t;
    t.id = core::TokenId(r.GetInt(0));
    t.user = core::UserId(r.GetInt(1));
    t.username = r.GetText(2);
    t.name = r.GetText(3);
    t.prefix = r.GetText(4);
    t.created_at = Ts(r.GetText(5));
    t.expires_at = OptTs(r.GetOptText(6));
    t.revoked_at = OptTs(r.GetOptText(7));
    t.last_used_at = OptTs(r.GetOptText(8));
    return t;
}

boost::json::object UserRecord(const User& u) {
    boost::json::array roles;
    for (auto r : u.roles) roles.emplace_back(core::RoleName(r));
    return {{"username", u.username},
            {"display_name", u.display_name},
            {"roles", roles},
            {"organisation_id", u.organisation ? boost::json::value(u.organisation->value()) : nullptr},
            {"language", u.language},
            {"disabled", u.disabled}};
}

bool IsAdmin(const core::Principal& p) { return p.Has(core::Role::kAdmin) && p.IsStaff(); }

Result<std::optional<User>> FindUserBy(storage::Transaction& tx, std::string_view where, storage::Param key,
                                       std::string* password_hash = nullptr) {
    const std::string sql = fmt::format("SELECT {} FROM users WHERE {}", kUserColumns, where);
    auto row = tx.QueryOne(sql, {key});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<User>{};
    if (password_hash) *password_hash = (*row)->GetText(9);
    return std::optional<User>(UserFromRow(**row));
}

std::string NormaliseUsername(std::string_view s) {
    std::string out(core::TrimAscii(s));
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

Result<void> ValidateNewUser(const NewUser& u, const PasswordPolicy& policy) {
    core::FieldErrors errs;
    const std::string name = NormaliseUsername(u.username);
    if (name.size() < 2 || name.size() > 100) {
        errs.Add("/username", "length", "A username has 2 to 100 characters.");
    } else if (!std::all_of(name.begin(), name.end(), [](char c) {
                   return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == '@';
               })) {
        errs.Add("/username", "format", "A username holds letters a-z, digits and . _ - @ only.");
    }
    if (core::TrimAscii(u.display_name).empty()) errs.Add("/display_name", "required", "A display name is required.");
    if (u.display_name.size() > 200) errs.Add("/display_name", "too_long", "At most 200 characters.");
    if (u.roles.empty()) errs.Add("/roles", "required", "At least one role is required.");
    const bool trader = std::find(u.roles.begin(), u.roles.end(), core::Role::kTrader) != u.roles.end();
    if (trader && u.roles.size() > 1) {
        errs.Add("/roles", "trader_only", "A trader user has the trader role only.");
    }
    if (trader && !u.organisation) {
        errs.Add("/organisation_id", "required", "A trader user belongs to one organisation.");
    }
    if (!trader && u.organisation) {
        errs.Add("/organisation_id", "staff_user", "Only trader users belong to an organisation.");
    }
    if (u.language != "fi" && u.language != "sv" && u.language != "en") {
        errs.Add("/language", "enum", "The language is one of fi, sv, en.");
    }
    if (auto p = CheckPasswordRules(u.password, policy); !p) errs.Append(p.error().fields);
    return errs.ToResult();
}

}  // namespace

AccountService::AccountService(storage::Database& db, const core::Clock& clock, LoginThrottle& throttle,
                               AccountOptions options)
    : db_(db), clock_(clock), throttle_(throttle), options_(std::move(options)), auth_cache_(options_.auth_cache_ttl) {}

core::Principal AccountService::PrincipalFor(const User& user, core::AuthMethod method) {
    core::Principal p;
    p.user = user.id;
    p.username = user.username;
    p.display_name = user.display_name;
    p.roles = user.roles;
    p.organisation = user.organisation;
    p.method = method;
    return p;
}

Result<void> AccountService::Validate(const NewUser& user) const {
    return ValidateNewUser(user, options_.password_policy);
}

Result<User> AccountService::CreateUser(const core::Principal& actor, const NewUser& input) {
    if (!IsAdmin(actor)) return Fail(Error::PermissionDenied("Only an administrator can create users."));
    if (auto v = ValidateNewUser(input, options_.password_policy); !v) return Fail(std::move(v.error()));
    auto hash = HashPassword(input.password, options_.password_policy);
    if (!hash) return Fail(std::move(hash.error()));
    const auto now = clock_.Now();
    const std::string username = NormaliseUsername(input.username);
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<User> {
        std::vector<storage::Param> params{username,
                                           std::string(core::TrimAscii(input.display_name)),
                                           *hash,
                                           RolesJson(input.roles),
                                           input.organisation ? storage::Param(input.organisation->value())
                                                              : storage::Null(),
                                           input.language,
                                           false,
                                           core::FormatTimestamp(now)};
        auto row = tx.QueryOne(kInsertUser, params);
        if (!row) {
            if (row.error().code == core::ErrorCode::kAlreadyExists) {
                return Fail(Error::AlreadyExists("A user with this username exists.",
                                                 {{"/username", "taken", "This username is taken."}}));
            }
            if (row.error().code == core::ErrorCode::kFailedPrecondition) {
                return Fail(Error::InvalidArgument("The organisation does not exist.",
                                                   {{"/organisation_id", "not_found", "No such organisation."}}));
            }
            return Fail(std::move(row.error()));
        }
        auto user = FindUserBy(tx, "id = $1", (*row)->GetInt(0));
        if (!user) return Fail(std::move(user.error()));
        if (!*user) return Fail(Error::Internal("The new user vanished."));
        history::ChangeRecord rec{"user", (*user)->id.value(), std::nullopt, history::ChangeAction::kCreate,
                                  history::AllFields(UserRecord(**user), false)};
        if (auto h = history::RecordChange(tx, actor, now, rec); !h) return Fail(std::move(h.error()));
        return **user;
    });
}

Result<std::vector<User>> AccountService::ListUsers(const core::Principal& actor) {
    if (!IsAdmin(actor)) return Fail(Error::PermissionDenied("Only an administrator can list users."));
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<std::vector<User>> {
        auto rows = tx.Query(fmt::format("SELECT {} FROM users ORDER BY username", kUserColumns));
        if (!rows) return Fail(std::move(rows.error()));
        std::vector<User> out;
        for (const auto& r : rows->rows) out.push_back(UserFromRow(r));
        return out;
    });
}

Result<User> AccountService::GetUser(core::UserId id) {
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<User> {
        auto u = FindUserBy(tx, "id = $1", id.value());
        if (!u) return Fail(std::move(u.error()));
        if (!*u) return Fail(Error::NotFound("No such user."));
        return **u;
    });
}

Result<User> AccountService::SetDisabled(const core::Principal& actor, const std::string& username, bool disabled) {
    if (!IsAdmin(actor)) return Fail(Error::PermissionDenied("Only an administrator can disable users."));
    const auto now = clock_.Now();
    auto result = storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<User> {
        auto u = FindUserBy(tx, "username = $1", NormaliseUsername(username));
        if (!u) return Fail(std::move(u.error()));
        if (!*u) return Fail(Error::NotFound("No such user."));
        User user = **u;
        if (user.disabled == disabled) return user;
        if (auto r = tx.Execute(kSetDisabled, {disabled, core::FormatTimestamp(now), user.id.value()}); !r) {
            return Fail(std::move(r.error()));
        }
        if (disabled) {
            if (auto r = tx.Execute(kDeleteUserSessions, {user.id.value()}); !r) return Fail(std::move(r.error()));
        }
        history::ChangeRecord rec{"user", user.id.value(), std::nullopt, history::ChangeAction::kUpdate,
                                  {{"disabled", user.disabled, disabled}}};
        if (auto h = history::RecordChange(tx, actor, now, rec); !h) return Fail(std::move(h.error()));
        user.disabled = disabled;
        user.updated_at = now;
        return user;
    });
    auth_cache_.Invalidate();
    return result;
}

std::optional<std::chrono::seconds> AccountService::ThrottleWait(const std::string& username,
                                                                 const std::string& address) {
    return throttle_.Check(NormaliseUsername(username), address);
}

Result<SessionGrant> AccountService::Login(const std::string& username_in, const std::string& password,
                                           const std::string& remote_address, const std::string& user_agent) {
    const std::string username = NormaliseUsername(username_in);
    if (auto wait = throttle_.Check(username, remote_address)) {
        return Fail(Error::ResourceExhausted(
                        fmt::format("Too many failed logins. Try again in {} seconds.", wait->count()))
                        .WithType("login-throttled"));
    }
    std::string hash;
    auto user = storage::InReadTx(db_, [&](storage::Transaction& tx) {
        return FindUserBy(tx, "username = $1", username, &hash);
    });
    if (!user) return Fail(std::move(user.error()));
    const bool ok = *user && VerifyPassword(hash, password);
    if (!*user) BurnPasswordCheck(password, options_.password_policy);
    if (!ok || (*user)->disabled) {
        throttle_.RecordFailure(username, remote_address);
        return Fail(Error::Unauthenticated("The username or password is wrong.").WithType("login-failed"));
    }
    throttle_.RecordSuccess(username);
    const auto now = clock_.Now();
    SessionGrant grant;
    grant.token = RandomToken();
    grant.csrf_token = RandomToken();
    grant.expires_at = now + options_.session_lifetime;
    grant.user = **user;
    auto stored = storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<void> {
        if (auto r = tx.Execute(kDeleteExpiredSessions, {core::FormatTimestamp(now)}); !r) {
            return Fail(std::move(r.error()));
        }
        std::vector<storage::Param> params{TokenDigest(grant.token),
                                           grant.user.id.value(),
                                           grant.csrf_token,
                                           core::FormatTimestamp(now),
                                           core::FormatTimestamp(grant.expires_at),
                                           remote_address.substr(0, 100),
                                           user_agent.substr(0, 300)};
        auto r = tx.Execute(kInsertSession, params);
        if (!r) return Fail(std::move(r.error()));
        return {};
    });
    if (!stored) return Fail(std::move(stored.error()));
    return grant;
}

Result<Authenticated> AccountService::AuthenticateSession(const std::string& token) {
    if (token.empty() || token.size() > 200) return Fail(Error::Unauthenticated("Not logged in."));
    const auto now = clock_.Now();
    const std::string digest = TokenDigest(token);
    std::int64_t session_id = 0;
    core::Timestamp last_seen;
    Result<Authenticated> result = Fail(Error::Internal(""));
    if (auto hit = auth_cache_.Get(digest, now)) {
        session_id = hit->row_id;
        last_seen = hit->last_seen;
        result = Authenticated{std::move(hit->principal), std::move(hit->csrf_token)};
    } else {
        const auto generation = auth_cache_.Generation();
        core::Timestamp expires;
        result = storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<Authenticated> {
            auto row = tx.QueryOne(kSelectSession, {digest});
            if (!row) return Fail(std::move(row.error()));
            if (!*row) return Fail(Error::Unauthenticated("The session has ended. Log in again."));
            expires = Ts((*row)->GetText(2));
            if (expires <= now) return Fail(Error::Unauthenticated("The session has ended. Log in again."));
            session_id = (*row)->GetInt(0);
            last_seen = Ts((*row)->GetText(3));
            auto user = FindUserBy(tx, "id = $1", (*row)->GetInt(4));
            if (!user) return Fail(std::move(user.error()));
            if (!*user || (*user)->disabled) return Fail(Error::Unauthenticated("The account is disabled."));
            return Authenticated{PrincipalFor(**user, core::AuthMethod::kSession), (*row)->GetText(1)};
        });
        if (result) auth_cache_.Put(digest, {result->principal, result->csrf_token, session_id, last_seen, {}}, now,
                                    expires, generation);
    }
    if (result && now - last_seen >= options_.session_touch_interval) {
        auto touched = storage::InWriteTx(db_, [&](storage::Transaction& tx) {
            return tx.Execute(kTouchSession, {core::FormatTimestamp(now), session_id});
        });
        if (touched) auth_cache_.SetLastSeen(digest, now);
    }
    return result;
}

Result<void> AccountService::Logout(const std::string& token) {
    const std::string digest = TokenDigest(token);
    auto result = storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<void> {
        auto r = tx.Execute(kDeleteSession, {digest});
        if (!r) return Fail(std::move(r.error()));
        return {};
    });
    auth_cache_.Erase(digest);
    return result;
}

Result<NewApiToken> AccountService::CreateToken(const core::Principal& actor,
                                                const std::optional<std::string>& for_username,
                                                const std::string& name_in, std::optional<core::Timestamp> expires_at) {
    const std::string name(core::TrimAscii(name_in));
    core::FieldErrors errs;
    if (name.empty()) errs.Add("/name", "required", "Name the token after the system that uses it.");
    if (name.size() > 100) errs.Add("/name", "too_long", "At most 100 characters.");
    const auto now = clock_.Now();
    if (expires_at && *expires_at <= now) errs.Add("/expires_at", "past", "The expiry must be in the future.");
    if (auto v = errs.ToResult(); !v) return Fail(std::move(v.error()));
    if (for_username && NormaliseUsername(*for_username) != actor.username && !IsAdmin(actor)) {
        return Fail(Error::PermissionDenied("Only an administrator can create tokens for other users."));
    }
    return storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<NewApiToken> {
        std::optional<User> owner;
        if (for_username) {
            auto u = FindUserBy(tx, "username = $1", NormaliseUsername(*for_username));
            if (!u) return Fail(std::move(u.error()));
            if (!*u) {
                return Fail(Error::InvalidArgument("No such user.", {{"/username", "not_found", "No such user."}}));
            }
            owner = **u;
        } else {
            auto u = FindUserBy(tx, "id = $1", actor.user.value());
            if (!u) return Fail(std::move(u.error()));
            if (!*u) return Fail(Error::PermissionDenied("Only users can own tokens."));
            owner = **u;
        }
        if (owner->disabled) return Fail(Error::FailedPrecondition("The user is disabled."));
        NewApiToken out;
        out.secret = std::string(kApiTokenPrefix) + RandomToken();
        out.token.user = owner->id;
        out.token.username = owner->username;
        out.token.name = name;
        out.token.prefix = out.secret.substr(0, kApiTokenPrefix.size() + 6);
        out.token.created_at = now;
        out.token.expires_at = expires_at;
        std::vector<storage::Param> params{owner->id.value(),
                                           name,
                                           out.token.prefix,
                                           TokenDigest(out.secret),
                                           core::FormatTimestamp(now),
                                           expires_at ? storage::Param(core::FormatTimestamp(*expires_at))
                                                      : storage::Null()};
        auto row = tx.QueryOne(kInsertToken, params);
        if (!row) return Fail(std::move(row.error()));
        out.token.id = core::TokenId((*row)->GetInt(0));
        history::ChangeRecord rec{"api_token", out.token.id.value(), std::nullopt, history::ChangeAction::kCreate,
                                  {{"user", nullptr, boost::json::value(owner->username)},
                                   {"name", nullptr, boost::json::value(name)}}};
        if (auto h = history::RecordChange(tx, actor, now, rec); !h) return Fail(std::move(h.error()));
        return out;
    });
}

Result<ApiToken> AccountService::RevokeToken(const core::Principal& actor, core::TokenId id) {
    const auto now = clock_.Now();
    auto result = storage::InWriteTx(db_, [&](storage::Transaction& tx) -> Result<ApiToken> {
        auto row = tx.QueryOne(
            fmt::format("SELECT {} FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1", kTokenColumns),
            {id.value()});
        if (!row) return Fail(std::move(row.error()));
        // Someone else's token is reported as missing: its existence is not the caller's business.
        if (!*row) return Fail(Error::NotFound("No such token."));
        ApiToken t = TokenFromRow(**row);
        if (t.user != actor.user && !IsAdmin(actor)) return Fail(Error::NotFound("No such token."));
        if (t.revoked_at) return t;
        if (auto r = tx.Execute(kRevokeToken, {core::FormatTimestamp(now), id.value()}); !r) {
            return Fail(std::move(r.error()));
        }
        history::ChangeRecord rec{"api_token", id.value(), std::nullopt, history::ChangeAction::kUpdate,
                                  {{"revoked_at", nullptr, boost::json::value(core::FormatTimestamp(now))}}};
        if (auto h = history::RecordChange(tx, actor, now, rec); !h) return Fail(std::move(h.error()));
        t.revoked_at = now;
        return t;
    });
    auth_cache_.Invalidate();  // the cache is keyed by digest, which a token id does not give back
    return result;
}

Result<std::vector<ApiToken>> AccountService::ListTokens(const core::Principal& actor) {
    return storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<std::vector<ApiToken>> {
        const bool all = IsAdmin(actor);
        const std::string sql =
            fmt::format("SELECT {} FROM api_tokens t JOIN users u ON u.id = t.user_id {} ORDER BY t.id", kTokenColumns,
                        all ? "" : "WHERE t.user_id = $1");
        auto rows = all ? tx.Query(sql) : tx.Query(sql, {actor.user.value()});
        if (!rows) return Fail(std::move(rows.error()));
        std::vector<ApiToken> out;
        for (const auto& r : rows->rows) out.push_back(TokenFromRow(r));
        return out;
    });
}

Result<Authenticated> AccountService::AuthenticateToken(const std::string& token) {
    if (!token.starts_with(kApiTokenPrefix) || token.size() > 200) {
        return Fail(Error::Unauthenticated("The API token is not valid."));
    }
    const auto now = clock_.Now();
    const std::string digest = TokenDigest(token);
    if (auto hit = auth_cache_.Get(digest, now)) {
        if (now - hit->last_seen >= options_.session_touch_interval) {
            auto touched = storage::InWriteTx(db_, [&](storage::Transaction& tx) {
                return tx.Execute(kTouchToken, {core::FormatTimestamp(now), hit->row_id});
            });
            if (touched) auth_cache_.SetLastSeen(digest, now);
        }
        return Authenticated{std::move(hit->principal), {}};
    }
    const auto generation = auth_cache_.Generation();
    std::optional<ApiToken> found;
    auto result = storage::InReadTx(db_, [&](storage::Transaction& tx) -> Result<Authenticated> {
        auto row = tx.QueryOne(fmt::format("SELECT {} FROM api_tokens t JOIN users u ON u.id = t.user_id "
                                           "WHERE t.token_hash = $1",
                                           kTokenColumns),
                               {digest});
        if (!row) return Fail(std::move(row.error()));
        if (!*row) return Fail(Error::Unauthenticated("The API token is not valid."));
        ApiToken t = TokenFromRow(**row);
        if (t.revoked_at) return Fail(Error::Unauthenticated("The API token has been revoked."));
        if (t.expires_at && *t.expires_at <= now) return Fail(Error::Unauthenticated("The API token has expired."));
        auto user = FindUserBy(tx, "id = $1", t.user.value());
        if (!user) return Fail(std::move(user.error()));
        if (!*user || (*user)->disabled) return Fail(Error::Unauthenticated("The account is disabled."));
        found = t;
        return Authenticated{PrincipalFor(**user, core::AuthMethod::kToken), {}};
    });
    if (!result || !found) return result;
    core::Timestamp last_used = found->last_used_at.value_or(core::Timestamp{});
    if (!found->last_used_at || now - *found->last_used_at >= options_.session_touch_interval) {
        auto touched = storage::InWriteTx(db_, [&](storage::Transaction& tx) {
            return tx.Execute(kTouchToken, {core::FormatTimestamp(now), found->id.value()});
        });
        if (touched) last_used = now;
    }
    auth_cache_.Put(digest, {result->principal, {}, found->id.value(), last_used, {}}, now, found->expires_at,
                    generation);
    return result;
}

}  // namespace customsdesk::accounts
