// Physical memory: what the firmware reports, what the kernel keeps for
// itself, and the allocator for the rest.
#pragma once

#include <cstddef>

#include "arch/x86_64/boot_params.hpp"
#include "mm/frame_allocator.hpp"
#include "mm/range_set.hpp"

namespace mm {

// Builds the set of free frames: E820 usable RAM, page aligned, minus
// anything any non-RAM entry overlaps, minus the first MiB (real-mode data,
// BIOS, the setup stub and its boot structures), the kernel image, and each
// extra range given (the initrd). Places the allocator's bitmap in the
// result and initialises the allocator. Prints the map.
void init_physical_memory(const arch::E820Entry* map, size_t entries, const PhysRange* reserved,
                          size_t reserved_count);

FrameAllocator& frames();

// One bit per frame below the allocator's physical limit, all clear at
// boot, for kernel bookkeeping that must be able to name every page of RAM
// (the live address-space roots). Part of the kernel's boot-time memory.
uint64_t* page_marks();

// Allocates one frame and zeroes it through the direct map.
bool allocate_zeroed_frame(uint64_t& physical);

// Usable RAM as the firmware reported it, for the direct map.
const RangeSet& usable_ram();

}  // namespace mm
