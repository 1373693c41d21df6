// The kernel log: leveled, formatted lines on the serial console.
//
// Each line reads "[level] text". The threshold comes from the Meson option
// log_level and can be changed at boot with loglevel=error|warn|info|debug.
#pragma once

#include <cstdarg>

namespace klog {

enum class Level : unsigned char { error, warn, info, debug };

void set_level(Level level);
Level level();
// Parses "error", "warn", "info" or "debug"; false if the name is unknown.
bool parse_level(const char* name, Level& out);

[[gnu::format(printf, 2, 3)]] void print(Level level, const char* fmt, ...);
void vprint(Level level, const char* fmt, va_list args);

// Raw console output with no level prefix, for multi-line dumps that must
// appear whatever the threshold (panics, TAP output).
[[gnu::format(printf, 1, 2)]] void raw(const char* fmt, ...);
void vraw(const char* fmt, va_list args);

#define LOG_LEVEL_FUNCTION(name)                                     \
    [[gnu::format(printf, 1, 2)]] inline void name(const char* fmt, ...) { \
        va_list args;                                                \
        va_start(args, fmt);                                         \
        vprint(Level::name, fmt, args);                              \
        va_end(args);                                                \
    }
LOG_LEVEL_FUNCTION(error)
LOG_LEVEL_FUNCTION(warn)
LOG_LEVEL_FUNCTION(info)
LOG_LEVEL_FUNCTION(debug)
#undef LOG_LEVEL_FUNCTION

}  // namespace klog
