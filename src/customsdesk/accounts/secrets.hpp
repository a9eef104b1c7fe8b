// Secrets: password hashing (Argon2id via libsodium), random tokens, token digests.
//
// - Passwords are stored only as libsodium `crypto_pwhash_str` strings (Argon2id, with salt and
//   parameters embedded). The work factors are a `PasswordPolicy` so tests can use the minimum.
// - Session and API tokens are 256-bit random values in base64url; only their BLAKE2b-256 digest
//   (hex) is stored, so a database leak does not reveal usable tokens. A fast digest is right for
//   high-entropy tokens; passwords get the slow hash.
// Thread-safe after EnsureSodium() (called by every function here).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "customsdesk/core/error.hpp"

namespace customsdesk::accounts {

struct PasswordPolicy {
    unsigned long long ops_limit;  // Argon2id passes
    std::size_t mem_limit;         // bytes
    std::size_t min_length = 10;
    std::size_t max_length = 256;
    static PasswordPolicy Interactive();  // production: libsodium's INTERACTIVE limits (64 MiB)
    static PasswordPolicy ForTests();     // the minimum limits: fast, never for production
};

void EnsureSodium();

// Checks length rules; kInvalidArgument with pointer "/password" when violated.
core::Result<void> CheckPasswordRules(std::string_view password, const PasswordPolicy& policy);
core::Result<std::string> HashPassword(std::string_view password, const PasswordPolicy& policy);
// Constant-time verification against a stored hash; false for a malformed hash.
bool VerifyPassword(std::string_view stored_hash, std::string_view password);
// Compares against a fixed dummy hash so that unknown users cost the same time as known ones.
void BurnPasswordCheck(std::string_view password, const PasswordPolicy& policy);

// `bytes` random bytes as unpadded base64url text.
std::string RandomToken(std::size_t bytes = 32);
// BLAKE2b-256 of the token, hex.
std::string TokenDigest(std::string_view token);
// Constant-time equality of two strings of equal length (false if lengths differ).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace customsdesk::accounts
