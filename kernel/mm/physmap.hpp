// The direct map: all RAM mapped at a fixed offset in the kernel half, so
// the kernel can reach any physical address (page tables, the initrd, boot
// data). The setup stub's boot tables already provide it for the low 4 GiB,
// so phys_to_virt works from the kernel's first instruction.
#pragma once

#include <cstdint>

namespace mm {

inline constexpr uint64_t direct_map_base = 0xFFFF800000000000ull;
inline constexpr uint64_t kernel_virtual_base = 0xFFFFFFFF80000000ull;  // -2 GiB, physical 0

template <typename T = void>
T* phys_to_virt(uint64_t physical) {
    return reinterpret_cast<T*>(physical + direct_map_base);
}

// For addresses inside the kernel image only.
inline uint64_t kernel_virt_to_phys(const void* p) { return uint64_t(p) - kernel_virtual_base; }

}  // namespace mm
