#include "object/address_space.hpp"

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/paging.hpp"
#include "common/string.hpp"
#include "mm/kernel_space.hpp"
#include "mm/physical_memory.hpp"
#include "mm/physmap.hpp"
#include "sched/scheduler.hpp"

namespace object::address_space {

namespace {

using namespace arch::paging;

constexpr uint64_t page = 1ull << abi::page_size_bits;
constexpr uint64_t table_span = page * 512;  // what one level-1 page table maps

// The live ASIDs: one bit per frame of RAM (mm::page_marks), set while the
// frame is the PML4 of an address space.
bool is_live(uint32_t asid) { return asid && (mm::page_marks()[asid / 64] >> (asid % 64)) & 1; }
void set_live(uint32_t asid, bool live) {
    uint64_t bit = 1ull << (asid % 64);
    if (live) mm::page_marks()[asid / 64] |= bit;
    else mm::page_marks()[asid / 64] &= ~bit;
}

uint64_t physical(uint64_t kernel_address) { return kernel_address - mm::direct_map_base; }
uint32_t asid_of(uint64_t pml4) { return uint32_t(physical(pml4) / page); }
uint64_t* pml4_of(uint32_t asid) { return mm::phys_to_virt<uint64_t>(uint64_t(asid) * page); }
bool is_loaded(uint32_t asid) { return arch::read_cr3() == uint64_t(asid) * page; }

// The entry a mapping record names, if its address space still lives.
uint64_t* recorded_entry(const Capability& cap, unsigned level) {
    unsigned missing;
    return is_live(cap.asid) ? find_entry(pml4_of(cap.asid), cap.data, level, missing) : nullptr;
}

uint64_t pte_rights(uint8_t rights) {
    uint64_t bits = 0;
    if (rights & abi::rights::write) bits |= flags::writable;
    if (!(rights & abi::rights::execute) && nx_enabled()) bits |= flags::no_execute;
    return bits;
}

Error check_rights(uint8_t rights, uint8_t allowed) {
    if ((rights & allowed) != rights || !(rights & abi::rights::read)) return Error::insufficient_rights;
    // W^X: a page is never both writable and executable.
    if ((rights & abi::rights::write) && (rights & abi::rights::execute)) return Error::bad_argument;
    return Error::none;
}

// The level of the entry that maps the object of a frame or page-table
// capability (a table of level L hangs from an entry at level L + 1).
unsigned entry_level(const Capability& cap) { return cap.type == ObjectType::frame ? 1 : cap.size_bits + 1u; }

}  // namespace

void create(uint64_t pml4, uint32_t& asid) {
    asid = asid_of(pml4);
    set_live(asid, true);
    // The kernel half is the same in every address space: copy its entries.
    memcpy(reinterpret_cast<uint64_t*>(pml4) + 256, mm::phys_to_virt<uint64_t>(mm::kernel_root()) + 256,
           256 * sizeof(uint64_t));
}

void destroy(const Capability& cap) {
    set_live(cap.asid, false);
    sched::forget_address_space(root_of(cap));
}

uint64_t root_of(const Capability& space) { return physical(space.object); }

Error map_page_table(Capability& pt, const Capability& space, uint64_t address, unsigned& missing_level) {
    if (pt.asid) return Error::already_mapped;
    if (address >= abi::user_address_limit) return Error::bad_address;
    uint64_t* entry = find_entry(reinterpret_cast<uint64_t*>(space.object), address, entry_level(pt), missing_level);
    if (!entry) return Error::missing_page_table;
    if (*entry & flags::present) return Error::already_mapped;
    *entry = physical(pt.object) | flags::present | flags::writable | flags::user;
    pt.asid = space.asid;
    pt.data = address;
    return Error::none;
}

namespace {

// Page 0 stays unmapped, so a null pointer always faults.
bool is_frame_address(uint64_t address) {
    return address >= page && address < abi::user_address_limit && address % page == 0;
}

// The one place a frame's mapping is made, for frame_map and the batch:
// entry is the level-1 entry for address, or null if its table is missing.
[[gnu::always_inline]] inline Error install_frame(Capability& frame, const Capability& space, uint64_t address, uint8_t rights, uint64_t* entry) {
    if (frame.asid) return Error::already_mapped;
    if (Error e = check_rights(rights, frame.rights); e != Error::none) return e;
    if (!entry) return Error::missing_page_table;
    if (*entry & flags::present) return Error::already_mapped;
    uint64_t uncached = frame.flags & cap_flags::device ? flags::cache_disable | flags::write_through : 0;
    *entry = physical(frame.object) | flags::present | flags::user | pte_rights(rights) | uncached;
    frame.asid = space.asid;
    frame.data = address;
    return Error::none;
}

}  // namespace

Error map_frame(Capability& frame, const Capability& space, uint64_t address, uint8_t rights,
                unsigned& missing_level) {
    if (frame.asid) return Error::already_mapped;
    if (!is_frame_address(address)) return Error::bad_address;
    uint64_t* entry = find_entry(reinterpret_cast<uint64_t*>(space.object), address, 1, missing_level);
    return install_frame(frame, space, address, rights, entry);
}

Error map_frames(Capability* const* frames, uint64_t count, const Capability& space, uint64_t address,
                 uint8_t rights, uint64_t& mapped, unsigned& missing_level) {
    mapped = 0;
    if (count == 0 || count > abi::max_map_batch) return Error::bad_argument;
    if (!is_frame_address(address) || count > (abi::user_address_limit - address) / page) return Error::bad_address;
    uint64_t* entry = nullptr;
    for (; mapped < count; ++mapped) {
        uint64_t va = address + mapped * page;
        // Within one page table the next entry is the next page's: walk
        // the hierarchy again only where a table ends (every 2 MiB).
        if (!entry || va % table_span == 0)
            entry = find_entry(reinterpret_cast<uint64_t*>(space.object), va, 1, missing_level);
        else
            ++entry;
        if (Error e = install_frame(*frames[mapped], space, va, rights, entry); e != Error::none) return e;
    }
    return Error::none;
}

Error protect(Capability& frame, uint8_t rights) {
    if (!frame.asid) return Error::not_mapped;
    if (Error e = check_rights(rights, frame.rights); e != Error::none) return e;
    uint64_t* entry = recorded_entry(frame, 1);
    if (!entry || (*entry & address_mask) != physical(frame.object)) return Error::not_mapped;
    *entry = (*entry & ~(flags::writable | flags::no_execute)) | pte_rights(rights);
    if (is_loaded(frame.asid)) arch::invlpg(frame.data);
    return Error::none;
}

Error query(const Capability& space, uint64_t address, uint64_t count, uint8_t* out, bool clear) {
    if (address % page || address >= abi::user_address_limit || count > (abi::user_address_limit - address) / page)
        return Error::bad_address;
    bool cleared = false;
    for (uint64_t i = 0; i < count; ++i) {
        unsigned missing;
        uint64_t* entry = find_entry(reinterpret_cast<uint64_t*>(space.object), address + i * page, 1, missing);
        uint8_t state = 0;
        if (entry && (*entry & flags::present)) {
            state = abi::page_state::present | (*entry & flags::accessed ? abi::page_state::accessed : 0) |
                    (*entry & flags::dirty ? abi::page_state::dirty : 0);
            if (clear && (*entry & (flags::accessed | flags::dirty))) {
                *entry &= ~(flags::accessed | flags::dirty);
                cleared = true;
            }
        }
        out[i] = state;
    }
    // The TLB caches A/D-set entries: without a flush the CPU would not set
    // the bits again on the next access.
    if (cleared && is_loaded(space.asid)) arch::write_cr3(arch::read_cr3());
    return Error::none;
}

void unmap(Capability& cap) {
    if (!cap.asid) return;
    uint64_t* entry = recorded_entry(cap, entry_level(cap));
    // Only clear an entry that still points at this very object.
    if (entry && (*entry & flags::present) && (*entry & address_mask) == physical(cap.object)) {
        *entry = 0;
        if (cap.type == ObjectType::frame && is_loaded(cap.asid)) arch::invlpg(cap.data);
        else if (is_loaded(cap.asid)) arch::write_cr3(arch::read_cr3());  // paging-structure caches too
    }
    if (cap.type == ObjectType::page_table) memset(reinterpret_cast<void*>(cap.object), 0, page);
    cap.asid = 0;
    cap.data = 0;
}

}  // namespace object::address_space
