// Bounds of the kernel image's parts, from symbols in kernel/linker.ld.
#pragma once

#include <cstdint>

#include "mm/physmap.hpp"

extern "C" const char __kernel_start[], __text_end[], __rodata_end[], __kernel_end[];

namespace mm {

inline uint64_t kernel_image_phys_start() { return kernel_virt_to_phys(__kernel_start); }
inline uint64_t kernel_image_phys_end() { return kernel_virt_to_phys(__kernel_end); }

}  // namespace mm
