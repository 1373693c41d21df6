// The kernel's own address space: the upper half shared by every task.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mm {

// Builds the kernel page tables and switches to them:
//  - the direct map of all usable RAM, 2 MiB pages, read/write, no-execute;
//  - the kernel image at -2 GiB with 4 KiB pages: text read-only and
//    executable, rodata read-only, data and bss writable, both no-execute;
//  - nothing in the lower half (the setup stub's identity map is dropped).
void init_kernel_space();

// Root (physical PML4) of the kernel page tables.
uint64_t kernel_root();

// Maps size bytes of device memory at physical, uncached, and returns its
// kernel virtual address.
void* map_device(uint64_t physical, size_t size);

}  // namespace mm
