// The kernel command line (QEMU's -append): space-separated words, each
// "key" or "key=value".
#pragma once

#include <cstddef>
#include <cstdint>

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

    // Reads key=N, a whole decimal number. Absent: false, out untouched.
    // Present but not a number (empty, other characters, past 2^64 - 1):
    // false too, with *malformed set, so the caller can say so.
    bool number(const char* key, uint64_t& out, bool* malformed = nullptr) const;

private:
    // Finds the word for key; sets value to what follows '=' (or nullptr).
    bool find(const char* key, const char*& value, size_t& value_length) const;

    const char* text_;
};

}  // namespace lib
