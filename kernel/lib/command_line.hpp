// The kernel command line (QEMU's -append): space-separated words, each
// "key" or "key=value".
#pragma once

#include <cstddef>

namespace lib {

class CommandLine {
public:
    explicit CommandLine(const char* text) : text_(text ? text : "") {}

    const char* text() const { return text_; }

    // Finds key=value and copies the value into out (NUL-terminated,
    // truncated to capacity - 1). False if the key is absent or has no value.
    bool value(const char* key, char* out, size_t capacity) const;

    // True for "key", "key=1", "key=yes", "key=on" or "key=true".
    bool flag(const char* key) const;

private:
    // Finds the word for key; sets value to what follows '=' (or nullptr).
    bool find(const char* key, const char*& value, size_t& value_length) const;

    const char* text_;
};

}  // namespace lib
