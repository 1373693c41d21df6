// Raw system call stubs. Each names its clobbers: the syscall instruction
// overwrites rcx (return address) and r11 (flags).
#pragma once

#include <cstddef>
#include <cstdint>

#include "abi/syscalls.hpp"

namespace sys {

[[gnu::always_inline]] inline int64_t syscall2(abi::Syscall n, uint64_t a0, uint64_t a1) {
    int64_t result;
    asm volatile("syscall" : "=a"(result) : "a"(n), "D"(a0), "S"(a1) : "rcx", "r11", "memory");
    return result;
}

inline int64_t debug_write(const char* text, size_t length) {
    return syscall2(abi::Syscall::debug_write, uint64_t(text), length);
}

[[noreturn]] inline void exit(int status) {
    syscall2(abi::Syscall::exit, uint64_t(status), 0);
    __builtin_unreachable();
}

}  // namespace sys
