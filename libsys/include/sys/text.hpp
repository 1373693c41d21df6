// Small text helpers for programs' arguments.
#pragma once

#include <cstdint>

namespace sys {

// The decimal number at the start of s (0 if none; s may be null).
inline uint64_t parse_number(const char* s) {
    uint64_t n = 0;
    while (s && *s >= '0' && *s <= '9') n = n * 10 + uint64_t(*s++ - '0');
    return n;
}

}  // namespace sys
