// printf-style formatting into any character sink, with no allocation.
//
// Supported: %c %s %d %i %u %o %x %X %p %%, the length modifiers l, ll, z,
// flags '-', '0' with a field width, and a precision (".N" or ".*") for %s. %p prints 0x and 16 hex digits. An
// unknown conversion is printed literally, so a bad format is visible
// rather than silently consuming arguments.
#pragma once

#include <cstdarg>
#include <cstddef>

namespace lib {

using FormatSink = void (*)(void* context, char c);

// Returns the number of characters produced.
size_t vformat(FormatSink sink, void* context, const char* fmt, va_list args);

// Formats into buffer (always NUL-terminated when size > 0) and returns the
// length the full output would have had, like snprintf.
size_t vformat_to(char* buffer, size_t size, const char* fmt, va_list args);
[[gnu::format(printf, 3, 4)]] size_t format_to(char* buffer, size_t size, const char* fmt, ...);

}  // namespace lib
