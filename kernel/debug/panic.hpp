// Fatal errors: print everything useful, then stop the machine cleanly.
#pragma once

#include "arch/x86_64/trap_frame.hpp"

namespace debug {

// Prints "KERNEL PANIC: <message>", a backtrace from the caller, and halts.
[[noreturn, gnu::format(printf, 1, 2)]] void panic(const char* fmt, ...);

// For a CPU exception in the kernel: prints the vector and its name, the
// error code (decoded for page faults), every register, CR0/CR2/CR3/CR4,
// the faulting instruction's symbol and a backtrace, then halts.
[[noreturn]] void panic_on_exception(const arch::TrapFrame& frame);

// The same dump for a fault that hit the guard page at `guard` below the
// stack called `stack` ("kernel stack"): the headline reads
// "KERNEL PANIC: kernel stack overflow (guard page 0x...): double fault ...".
[[noreturn]] void panic_on_stack_overflow(const arch::TrapFrame& frame, const char* stack, uint64_t guard);

// Prints a backtrace with symbol names: pc first (when not 0), then the
// return addresses along the frame-pointer chain from rbp. Stops at a null,
// misaligned or non-kernel frame pointer instead of faulting.
void print_backtrace(uint64_t rbp, uint64_t pc = 0);

// Prints "0x...<symbol+0xoffset>" for a kernel code address.
void print_code_address(uint64_t address);

}  // namespace debug
