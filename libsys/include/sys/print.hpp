// Console output for user programs, through a debug-console capability.
#pragma once

#include <cstdarg>
#include <cstddef>

#include "abi/syscalls.hpp"

namespace sys {

// The console capability print() uses; 0 (the default) prints nothing.
void set_console(abi::Cptr console);
abi::Cptr console();

// printf-style (see libsys/common/format.hpp for the conversions). Lines are
// formatted whole and written with one system call, so lines of different
// threads do not interleave mid-line.
[[gnu::format(printf, 1, 2)]] void print(const char* fmt, ...);
void vprint(const char* fmt, va_list args);

}  // namespace sys
