// What the shell's command files share (apps/shell).
#pragma once

#include <cstdint>

#include "abi/syscalls.hpp"

namespace shell {

// Writes a formatted line (or part of one, flushed) through the console server.
[[gnu::format(printf, 1, 2)]] void say(const char* fmt, ...);
// An error result as words.
const char* error_text(int64_t e);
// The TSC's rate (from the root task), 0 when unknown.
uint64_t tsc_hz();

// The introspection commands (inspect.cpp), from the kernel's records
// through the debug console capability (read right).
void command_ps();
void command_caps(int argc, char** argv);
void command_ipc();

}  // namespace shell
