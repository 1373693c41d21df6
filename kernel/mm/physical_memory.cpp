#include "mm/physical_memory.hpp"

#include "debug/log.hpp"
#include "debug/panic.hpp"
#include "common/string.hpp"
#include "mm/kernel_image.hpp"
#include "mm/physmap.hpp"

namespace mm {

namespace {

RangeSet ram;
FrameAllocator allocator;
uint64_t* marks;

constexpr uint64_t low_memory_end = 1ull << 20;

const char* e820_type_name(uint32_t type) {
    switch (type) {
    case 1: return "usable";
    case 2: return "reserved";
    case 3: return "ACPI reclaimable";
    case 4: return "ACPI NVS";
    case 5: return "bad memory";
    default: return "unknown";
    }
}

uint64_t align_up(uint64_t v) { return (v + page_size - 1) & ~(page_size - 1); }
uint64_t align_down(uint64_t v) { return v & ~(page_size - 1); }

}  // namespace

void init_physical_memory(const arch::E820Entry* map, size_t entries, const PhysRange* reserved,
                          size_t reserved_count) {
    klog::info("memory: E820 map from the BIOS, %zu entries:", entries);
    for (size_t i = 0; i < entries; ++i) {
        const auto& e = map[i];
        klog::info("  [0x%016lx - 0x%016lx) %10lu KiB  %s", e.base, e.base + e.length, e.length >> 10,
                   e820_type_name(e.type));
        if (e.type == 1) ram.add(align_up(e.base), align_down(e.base + e.length));
    }
    // Where firmware entries overlap, the non-RAM type wins.
    for (size_t i = 0; i < entries; ++i)
        if (map[i].type != 1) ram.remove(align_down(map[i].base), align_up(map[i].base + map[i].length));
    if (!ram.count()) debug::panic("memory: the E820 map has no usable RAM");

    // A failed removal (the set is full) would leave reserved memory free to
    // hand out; that must stop the boot rather than corrupt it later.
    RangeSet free = ram;
    auto reserve = [&free](uint64_t base, uint64_t end) {
        if (!free.remove(base, end)) debug::panic("memory: too many ranges to reserve [0x%lx - 0x%lx)", base, end);
    };
    reserve(0, low_memory_end);
    reserve(kernel_image_phys_start(), align_up(kernel_image_phys_end()));
    for (size_t i = 0; i < reserved_count; ++i) reserve(align_down(reserved[i].base), align_up(reserved[i].end));

    // The bitmap lives in the first free range large enough to hold it,
    // followed by the page marks (as many bits).
    uint64_t limit = ram[ram.count() - 1].end;
    uint64_t marks_bytes = align_up(FrameAllocator::bitmap_words(limit) * sizeof(uint64_t));
    uint64_t bitmap_bytes = 2 * marks_bytes;
    uint64_t bitmap_phys = 0;
    for (size_t i = 0; i < free.count() && !bitmap_phys; ++i)
        if (free[i].size() >= bitmap_bytes) bitmap_phys = free[i].base;
    if (!bitmap_phys) debug::panic("memory: no room for the frame bitmap (%lu bytes)", bitmap_bytes);
    reserve(bitmap_phys, bitmap_phys + bitmap_bytes);

    allocator.init(phys_to_virt<uint64_t>(bitmap_phys), limit);
    marks = phys_to_virt<uint64_t>(bitmap_phys + marks_bytes);
    memset(marks, 0, marks_bytes);
    for (size_t i = 0; i < free.count(); ++i) allocator.release_range(free[i].base, free[i].end);

    klog::info("memory: %lu MiB usable RAM, %lu frames free (%lu MiB); kernel image [0x%lx - 0x%lx), "
               "frame bitmap at 0x%lx",
               ram.total() >> 20, allocator.free_frames(), (allocator.free_frames() * page_size) >> 20,
               kernel_image_phys_start(), kernel_image_phys_end(), bitmap_phys);
}

FrameAllocator& frames() { return allocator; }
uint64_t* page_marks() { return marks; }
const RangeSet& usable_ram() { return ram; }

bool allocate_zeroed_frame(uint64_t& physical) {
    if (!allocator.allocate(physical)) return false;
    memset(phys_to_virt(physical), 0, page_size);
    return true;
}

}  // namespace mm
