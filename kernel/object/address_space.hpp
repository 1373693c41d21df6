// Address spaces (a top-level page table), the page tables a task maps
// into them, and the mapping of frames.
//
// The kernel never allocates page tables for user mappings: a task retypes
// page-table objects from its untyped memory and maps them level by level,
// and frame_map fails with Error::missing_page_table (naming the level)
// until the levels it needs exist.
//
// An address space's ASID is the frame number of its PML4. Each address
// space costs a page of the creator's untyped memory, so there is exactly
// one ASID per possible address space and no pool any task could exhaust.
// Mapping records (a frame or page-table capability's asid and address)
// find their address space through the table of live ASIDs; a record that
// outlives its space finds it dead and touches nothing.
#pragma once

#include "object/capability.hpp"

namespace object::address_space {

using Error = abi::Error;

// Makes the zeroed page at pml4 an address space: shares the kernel half
// and records its ASID.
void create(uint64_t pml4, uint32_t& asid);
void destroy(const Capability& cap);

// Maps the page table of cap (level 1..3) into the address space so that it
// translates address. On missing_page_table, missing_level tells which.
Error map_page_table(Capability& page_table, const Capability& space, uint64_t address, unsigned& missing_level);
// Maps the frame with the given rights (subset of the capability's).
Error map_frame(Capability& frame, const Capability& space, uint64_t address, uint8_t rights,
                unsigned& missing_level);
// Maps frames[i] at address + i pages with the same rights, in order, for
// i < count (1..abi::max_map_batch), after the checks of map_frame for
// each. Stops at the first frame that cannot be mapped and returns its
// error; `mapped` tells how many were mapped before it (they stay). The
// whole range is checked against the user half before anything is mapped.
Error map_frames(Capability* const* frames, uint64_t count, const Capability& space, uint64_t address,
                 uint8_t rights, uint64_t& mapped, unsigned& missing_level);
// Removes the mapping a frame or page-table capability records, if it
// still stands, and marks the capability unmapped. A page table is also
// cleared: nothing it mapped stays reachable through it.
void unmap(Capability& cap);

// Changes the rights of the mapping a frame capability made.
Error protect(Capability& frame, uint8_t rights);

// For count pages from address: out[i] gets abi::page_state bits; with
// clear, the accessed and dirty bits of present pages are cleared (and the
// TLB with them).
Error query(const Capability& space, uint64_t address, uint64_t count, uint8_t* out, bool clear);

// The physical root (CR3 value) of an address-space capability.
uint64_t root_of(const Capability& space);

}  // namespace object::address_space
