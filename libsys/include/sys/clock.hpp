// The time-stamp counter, for programs that measure themselves. The kernel
// hands its calibrated rate to the root task (BootInfo::tsc_hz).
#pragma once

#include <cstdint>

namespace sys {

inline uint64_t rdtsc() {
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t(hi) << 32) | lo;
}

}  // namespace sys
