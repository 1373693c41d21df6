// Four-level x86_64 page tables: the primitives every address space uses.
// Tables are reached through the direct map; new ones come from the caller.
#pragma once

#include <cstdint>

namespace arch::paging {

namespace flags {
inline constexpr uint64_t present = 1ull << 0;
inline constexpr uint64_t writable = 1ull << 1;
inline constexpr uint64_t user = 1ull << 2;
inline constexpr uint64_t write_through = 1ull << 3;
inline constexpr uint64_t cache_disable = 1ull << 4;
inline constexpr uint64_t accessed = 1ull << 5;
inline constexpr uint64_t dirty = 1ull << 6;
inline constexpr uint64_t huge = 1ull << 7;  // 2 MiB page in a page directory
inline constexpr uint64_t global = 1ull << 8;
inline constexpr uint64_t no_execute = 1ull << 63;
}  // namespace flags

inline constexpr uint64_t address_mask = 0x000FFFFFFFFFF000ull;

// Levels are numbered as the hardware nests them and as the ABI names page
// tables: 1 = page table (4 KiB pages), 2 = page directory, 3 = PDPT,
// 4 = PML4.
constexpr unsigned index_at(uint64_t va, unsigned level) { return unsigned(va >> (12 + 9 * (level - 1))) & 511; }
inline constexpr uint64_t small_page = 4096;
inline constexpr uint64_t large_page = 2ull << 20;

enum class Error { none, out_of_memory, already_mapped, misaligned, not_mapped };
const char* describe(Error e);

// Supplies a zeroed frame for a new table; false when memory is exhausted.
using TableAllocator = bool (*)(uint64_t& physical);

// NX is only legal in entries once EFER.NXE is on; without it the bit is
// reserved and would fault, so map() strips it. Set by the CPU setup code.
void set_nx_enabled(bool enabled);
bool nx_enabled();

// Maps one page (small_page or large_page) of va to pa in the hierarchy
// rooted at the physical PML4 root.
Error map(uint64_t root, uint64_t va, uint64_t pa, uint64_t page_flags, uint64_t page_size,
          TableAllocator allocate);

// Finds the physical address va maps to and the leaf entry's flags.
Error translate(uint64_t root, uint64_t va, uint64_t& pa, uint64_t* entry_flags = nullptr);

// Removes a small-page mapping and flushes it from this CPU's TLB.
Error unmap(uint64_t root, uint64_t va);

// The entry for va at `level` in the hierarchy whose top table is at the
// kernel address top (a PML4), or nullptr with missing_level set to the
// level of the first table absent on the way. Never allocates.
uint64_t* find_entry(uint64_t* top, uint64_t va, unsigned level, unsigned& missing_level);

}  // namespace arch::paging
