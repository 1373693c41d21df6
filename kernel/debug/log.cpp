#include "debug/log.hpp"

#include "arch/x86_64/serial.hpp"
#include "kernel_config.hpp"
#include "common/format.hpp"
#include "common/string.hpp"

namespace klog {

namespace {

Level threshold = Level(config::log_level);

constexpr const char* level_names[] = {"error", "warn", "info", "debug"};

void console_sink(void*, char c) { arch::serial::put_char(c); }

void put_string(const char* s) {
    while (*s) arch::serial::put_char(*s++);
}

}  // namespace

void set_level(Level l) { threshold = l; }
Level level() { return threshold; }

bool parse_level(const char* name, Level& out) {
    for (unsigned i = 0; i < sizeof level_names / sizeof *level_names; ++i) {
        if (lib::equal(name, level_names[i])) {
            out = Level(i);
            return true;
        }
    }
    return false;
}

void vprint(Level l, const char* fmt, va_list args) {
    if (l > threshold) return;
    put_string("[");
    put_string(level_names[unsigned(l)]);
    put_string("] ");
    lib::vformat(console_sink, nullptr, fmt, args);
    arch::serial::put_char('\n');
}

void print(Level l, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vprint(l, fmt, args);
    va_end(args);
}

void vraw(const char* fmt, va_list args) { lib::vformat(console_sink, nullptr, fmt, args); }

void raw(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vraw(fmt, args);
    va_end(args);
}

}  // namespace klog
