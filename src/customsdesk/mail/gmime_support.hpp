// Internal to the mail module: GMime initialisation and ownership helpers. Not installed for others.
#pragma once

#include <gmime/gmime.h>

#include <memory>
#include <string>
#include <string_view>

namespace customsdesk::mail::detail {

// Initialises GMime exactly once per process (thread-safe); every GMime use goes through it.
void EnsureGMime();

struct GObjectUnref {
    void operator()(gpointer p) const {
        if (p != nullptr) g_object_unref(p);
    }
};
template <typename T>
using GPtr = std::unique_ptr<T, GObjectUnref>;

struct GFree {
    void operator()(void* p) const { g_free(p); }
};
using GChars = std::unique_ptr<char, GFree>;

inline std::string Str(const char* s) { return s == nullptr ? std::string() : std::string(s); }

// The bytes a memory stream holds.
std::string StreamBytes(GMimeStream* stream);

}  // namespace customsdesk::mail::detail
