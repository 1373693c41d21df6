#include "object/address_space.hpp"

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/paging.hpp"
#include "lib/string.hpp"
#include "mm/kernel_space.hpp"
#include "mm/physmap.hpp"
#include "sched/scheduler.hpp"

namespace object::address_space {

namespace {

using namespace arch::paging;

// ASID -> the address space's PML4 (kernel address), 0 when free. Mapping
// records name an address space by ASID, so a record that outlives its
// address space finds 0 (or a newer space, where the frame check below
// keeps it from touching anything it did not map).
uint64_t asid_table[max_asids];
uint32_t next_asid = 1;  // ASID 0 means "not mapped"
uint32_t asids_in_use;

uint64_t* table_at(uint64_t kernel_address) { return reinterpret_cast<uint64_t*>(kernel_address); }
unsigned index_at(uint64_t va, unsigned level) { return unsigned(va >> (12 + 9 * (level - 1))) & 511; }

// The entry for address at `level` (1 = page table ... 4 = PML4), or nullptr
// with missing_level set if a table above it is absent.
uint64_t* entry_for(uint64_t pml4, uint64_t address, unsigned level, unsigned& missing_level) {
    uint64_t* table = table_at(pml4);
    for (unsigned l = 4; l > level; --l) {
        uint64_t entry = table[index_at(address, l)];
        if (!(entry & flags::present)) {
            missing_level = l - 1;
            return nullptr;
        }
        table = mm::phys_to_virt<uint64_t>(entry & address_mask);
    }
    return &table[index_at(address, level)];
}

void flush(uint64_t pml4, uint64_t address) {
    if (arch::read_cr3() == pml4 - mm::direct_map_base) arch::invlpg(address);
}

bool user_address(uint64_t address) { return address < abi::user_address_limit && !(address & 0xFFF); }

uint64_t pte_rights(uint8_t rights) {
    uint64_t bits = 0;
    if (rights & abi::rights::write) bits |= flags::writable;
    if (!(rights & abi::rights::execute) && nx_enabled()) bits |= flags::no_execute;
    return bits;
}

}  // namespace

bool asids_available(uint32_t count) { return asids_in_use + count < max_asids; }

Error create(uint64_t pml4, uint32_t& asid) {
    if (!asids_available(1)) return Error::out_of_memory;
    while (asid_table[next_asid]) next_asid = next_asid % (max_asids - 1) + 1;
    asid = next_asid;
    next_asid = next_asid % (max_asids - 1) + 1;
    asid_table[asid] = pml4;
    ++asids_in_use;
    // The kernel half is the same in every address space: copy its entries.
    memcpy(table_at(pml4) + 256, mm::phys_to_virt<uint64_t>(mm::kernel_root()) + 256, 256 * sizeof(uint64_t));
    return Error::none;
}

void destroy(const Capability& cap) {
    if (asid_table[cap.asid] != cap.object) return;
    asid_table[cap.asid] = 0;
    --asids_in_use;
    sched::forget_address_space(cap.object - mm::direct_map_base);
}

uint64_t root_of(const Capability& space) { return space.object - mm::direct_map_base; }

Error map_page_table(Capability& pt, const Capability& space, uint64_t address, unsigned& missing_level) {
    if (pt.asid) return Error::already_mapped;
    if (address >= abi::user_address_limit) return Error::bad_address;
    uint64_t* entry = entry_for(space.object, address, pt.size_bits + 1, missing_level);
    if (!entry) return Error::missing_page_table;
    if (*entry & flags::present) return Error::already_mapped;
    *entry = (pt.object - mm::direct_map_base) | flags::present | flags::writable | flags::user;
    pt.asid = space.asid;
    pt.data = address;
    return Error::none;
}

Error map_frame(Capability& frame, const Capability& space, uint64_t address, uint8_t rights,
                unsigned& missing_level) {
    if (frame.asid) return Error::already_mapped;
    if (!user_address(address)) return Error::bad_address;
    if ((rights & frame.rights) != rights || !(rights & abi::rights::read)) return Error::insufficient_rights;
    // W^X: a page is never both writable and executable.
    if ((rights & abi::rights::write) && (rights & abi::rights::execute)) return Error::bad_argument;
    uint64_t* entry = entry_for(space.object, address, 1, missing_level);
    if (!entry) return Error::missing_page_table;
    if (*entry & flags::present) return Error::already_mapped;
    *entry = (frame.object - mm::direct_map_base) | flags::present | flags::user | pte_rights(rights);
    frame.asid = space.asid;
    frame.data = address;
    return Error::none;
}

Error protect(Capability& frame, uint8_t rights) {
    if (!frame.asid) return Error::not_mapped;
    if ((rights & frame.rights) != rights || !(rights & abi::rights::read)) return Error::insufficient_rights;
    if ((rights & abi::rights::write) && (rights & abi::rights::execute)) return Error::bad_argument;
    uint64_t pml4 = asid_table[frame.asid];
    unsigned missing;
    uint64_t* entry = pml4 ? entry_for(pml4, frame.data, 1, missing) : nullptr;
    if (!entry || (*entry & address_mask) != frame.object - mm::direct_map_base) return Error::not_mapped;
    *entry = (*entry & ~(flags::writable | flags::no_execute)) | pte_rights(rights);
    flush(pml4, frame.data);
    return Error::none;
}

Error query(const Capability& space, uint64_t address, uint64_t count, uint8_t* out) {
    if (address & 0xFFF || address >= abi::user_address_limit || count > (abi::user_address_limit - address) / 4096)
        return Error::bad_address;
    bool cleared = false;
    for (uint64_t i = 0; i < count; ++i) {
        unsigned missing;
        uint64_t* entry = entry_for(space.object, address + i * 4096, 1, missing);
        uint8_t state = 0;
        if (entry && (*entry & flags::present)) {
            state = abi::page_state::present | (*entry & flags::accessed ? abi::page_state::accessed : 0) |
                    (*entry & flags::dirty ? abi::page_state::dirty : 0);
            if (*entry & (flags::accessed | flags::dirty)) {
                *entry &= ~(flags::accessed | flags::dirty);
                cleared = true;
            }
        }
        out[i] = state;
    }
    // The TLB caches A/D-set entries: without a flush the CPU would not set
    // the bits again on the next access.
    if (cleared && arch::read_cr3() == space.object - mm::direct_map_base) arch::write_cr3(arch::read_cr3());
    return Error::none;
}

void unmap(Capability& cap) {
    if (!cap.asid) return;
    uint64_t pml4 = asid_table[cap.asid];
    unsigned level = cap.type == ObjectType::frame ? 1 : cap.size_bits + 1;
    unsigned missing;
    uint64_t* entry = pml4 ? entry_for(pml4, cap.data, level, missing) : nullptr;
    // Only clear an entry that still points at this very object.
    if (entry && (*entry & flags::present) && (*entry & address_mask) == cap.object - mm::direct_map_base) {
        *entry = 0;
        if (level == 1) flush(pml4, cap.data);
        else if (arch::read_cr3() == pml4 - mm::direct_map_base) arch::write_cr3(arch::read_cr3());
    }
    cap.asid = 0;
    cap.data = 0;
}

}  // namespace object::address_space
