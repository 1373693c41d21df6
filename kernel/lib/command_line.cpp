#include "lib/command_line.hpp"

namespace lib {

namespace {
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n'; }
bool equals(const char* a, size_t length, const char* b) {
    for (size_t i = 0; i < length; ++i)
        if (b[i] != a[i] || !b[i]) return false;
    return b[length] == '\0';
}
}  // namespace

bool CommandLine::find(const char* key, const char*& value, size_t& value_length) const {
    bool found = false;
    // Later words win, so appending "key=x" overrides an earlier default.
    for (const char* p = text_; *p;) {
        while (is_space(*p)) ++p;
        const char* word = p;
        while (*p && !is_space(*p) && *p != '=') ++p;
        size_t key_length = size_t(p - word);
        const char* v = nullptr;
        if (*p == '=') v = ++p;
        while (*p && !is_space(*p)) ++p;
        if (key_length && equals(word, key_length, key)) {
            found = true;
            value = v;
            value_length = v ? size_t(p - v) : 0;
        }
    }
    return found;
}

bool CommandLine::value(const char* key, char* out, size_t capacity) const {
    const char* v;
    size_t length;
    if (!find(key, v, length) || !v || !capacity) return false;
    if (length >= capacity) length = capacity - 1;
    for (size_t i = 0; i < length; ++i) out[i] = v[i];
    out[length] = '\0';
    return true;
}

bool CommandLine::flag(const char* key) const {
    const char* v;
    size_t length;
    if (!find(key, v, length)) return false;
    if (!v) return true;
    return equals(v, length, "1") || equals(v, length, "yes") || equals(v, length, "on") ||
           equals(v, length, "true");
}

bool CommandLine::number(const char* key, uint64_t& out, bool* malformed) const {
    const char* v;
    size_t length;
    if (malformed) *malformed = false;
    if (!find(key, v, length)) return false;
    uint64_t n = 0;
    bool ok = v && length > 0;
    for (size_t i = 0; ok && i < length; ++i) {
        uint64_t digit = uint64_t(v[i] - '0');
        ok = v[i] >= '0' && v[i] <= '9' && n <= (UINT64_MAX - digit) / 10;
        n = n * 10 + digit;
    }
    if (!ok) {
        if (malformed) *malformed = true;
        return false;
    }
    out = n;
    return true;
}

}  // namespace lib
