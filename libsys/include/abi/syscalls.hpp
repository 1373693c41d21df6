// The system call ABI, shared by the kernel and libsys: call numbers and
// error codes. One place, so the two sides cannot drift apart.
//
// Convention (x86_64 `syscall`): number in rax; arguments in rdi, rsi, rdx,
// r10, r8, r9; result in rax (>= 0 success, < 0 a negated abi::Error).
// rcx and r11 are clobbered by the instruction itself.
#pragma once

#include <cstdint>

namespace abi {

enum class Syscall : uint64_t {
    debug_write = 0,  // (const char* text, size_t length): write to the kernel console
    exit = 1,         // (int status): end the calling task
    count
};

enum class Error : int64_t {
    none = 0,
    unknown_syscall = 1,
    bad_address = 2,
    bad_argument = 3,
};

}  // namespace abi
