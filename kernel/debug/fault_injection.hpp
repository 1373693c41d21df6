// Deliberate kernel faults, chosen with fault=<kind> on the command line, so
// tests can check that a fault in the kernel is reported in full.
#pragma once

#include <cstdint>

namespace debug {

// Kinds: page_fault, divide_error, invalid_opcode, general_protection,
// panic, stack_overflow (unbounded recursion on the kernel stack),
// boot_stack_overflow (the same on the boot stack). An unknown kind is
// reported and ignored.
void inject_fault(const char* kind);

// Each fault comes from a function of its own, so the dump can be checked
// for naming the right one.
[[gnu::noinline]] void trigger_page_fault();
[[gnu::noinline]] void trigger_divide_error();
[[gnu::noinline]] void trigger_invalid_opcode();
[[gnu::noinline]] void trigger_general_protection();
[[gnu::noinline]] void trigger_panic();
[[gnu::noinline]] void trigger_stack_overflow();
[[gnu::noinline]] void trigger_boot_stack_overflow();
[[gnu::noinline]] uint64_t recurse_without_end(uint64_t depth);

}  // namespace debug
