#include "customsdesk/accounts/secrets.hpp"

#include <sodium.h>

#include <mutex>
#include <stdexcept>
#include <vector>

namespace customsdesk::accounts {

PasswordPolicy PasswordPolicy::Interactive() {
    return PasswordPolicy{crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE};
}

PasswordPolicy PasswordPolicy::ForTests() {
    return PasswordPolicy{crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
}

void EnsureSodium() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
    });
}

core::Result<void> CheckPasswordRules(std::string_view password, const PasswordPolicy& policy) {
    if (password.size() < policy.min_length) {
        return core::Fail(core::Error::InvalidArgument(
            "The password is too short.",
            {{"/password", "too_short", "At least " + std::to_string(policy.min_length) + " characters."}}));
    }
    if (password.size() > policy.max_length) {
        return core::Fail(core::Error::InvalidArgument(
            "The password is too long.",
            {{"/password", "too_long", "At most " + std::to_string(policy.max_length) + " characters."}}));
    }
    return {};
}

core::Result<std::string> HashPassword(std::string_view password, const PasswordPolicy& policy) {
    EnsureSodium();
    if (auto ok = CheckPasswordRules(password, policy); !ok) return core::Fail(std::move(ok.error()));
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, password.data(), password.size(), policy.ops_limit, policy.mem_limit,
                              crypto_pwhash_ALG_ARGON2ID13) != 0) {
        return core::Fail(core::Error::ResourceExhausted("Out of memory while hashing the password."));
    }
    return std::string(out);
}

bool VerifyPassword(std::string_view stored_hash, std::string_view password) {
    EnsureSodium();
    if (stored_hash.empty() || stored_hash.size() >= crypto_pwhash_STRBYTES) return false;
    const std::string hash(stored_hash);  // NUL-terminated copy
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

void BurnPasswordCheck(std::string_view password, const PasswordPolicy& policy) {
    static std::once_flag once;
    static std::string dummy;
    std::call_once(once, [&] {
        auto h = HashPassword("dummy-password-for-timing", policy);
        dummy = h ? *h : std::string();
    });
    (void)VerifyPassword(dummy, password);
}

std::string RandomToken(std::size_t bytes) {
    EnsureSodium();
    std::vector<unsigned char> buf(bytes);
    randombytes_buf(buf.data(), buf.size());
    std::string out(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), buf.data(), buf.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(std::char_traits<char>::length(out.c_str()));
    return out;
}

std::string TokenDigest(std::string_view token) {
    EnsureSodium();
    unsigned char digest[32];
    crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(token.data()), token.size(),
                       nullptr, 0);
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    return std::string(hex, 64);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
    EnsureSodium();
    if (a.size() != b.size()) return false;
    if (a.empty()) return true;
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace customsdesk::accounts
