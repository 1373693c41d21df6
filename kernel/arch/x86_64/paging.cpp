#include "arch/x86_64/paging.hpp"

#include "arch/x86_64/cpu.hpp"
#include "mm/physmap.hpp"

namespace arch::paging {

namespace {

bool nx_on = false;

uint64_t* table(uint64_t physical) { return mm::phys_to_virt<uint64_t>(physical & address_mask); }

// The one walk down a hierarchy whose top table (a PML4) is at the kernel
// address top: the entry for va at `level`, creating the tables above it
// when allocate is given. Without one, a missing table ends the walk with
// Error::not_mapped and missing_level set to the level of that table. A
// large page on the way ends it with Error::misaligned.
[[gnu::always_inline]] inline uint64_t* walk(uint64_t* top, uint64_t va, unsigned level, TableAllocator allocate,
                                             Error& error, unsigned& missing_level) {
    uint64_t* entries = top;
    for (unsigned l = 4; l > level; --l) {
        uint64_t& entry = entries[index_at(va, l)];
        if (entry & flags::huge) {
            error = Error::misaligned;
            return nullptr;
        }
        if (!(entry & flags::present)) {
            uint64_t frame;
            if (!allocate || !allocate(frame)) {
                error = allocate ? Error::out_of_memory : Error::not_mapped;
                missing_level = l - 1;
                return nullptr;
            }
            // Intermediate entries grant everything; the leaf decides.
            entry = frame | flags::present | flags::writable | flags::user;
        }
        entries = table(entry);
    }
    error = Error::none;
    return &entries[index_at(va, level)];
}

uint64_t* walk(uint64_t root, uint64_t va, unsigned level, TableAllocator allocate, Error& error) {
    unsigned missing;
    return walk(table(root), va, level, allocate, error, missing);
}

}  // namespace

const char* describe(Error e) {
    switch (e) {
    case Error::none: return "no error";
    case Error::out_of_memory: return "out of memory for page tables";
    case Error::already_mapped: return "address already mapped";
    case Error::misaligned: return "address not aligned to the page size";
    case Error::not_mapped: return "address not mapped";
    }
    return "unknown paging error";
}

void set_nx_enabled(bool enabled) { nx_on = enabled; }
bool nx_enabled() { return nx_on; }

Error map(uint64_t root, uint64_t va, uint64_t pa, uint64_t page_flags, uint64_t page_size,
          TableAllocator allocate) {
    if ((va | pa) & (page_size - 1)) return Error::misaligned;
    unsigned level = page_size == large_page ? 2 : 1;
    Error error;
    uint64_t* entry = walk(root, va, level, allocate, error);
    if (!entry) return error == Error::misaligned ? Error::already_mapped : error;
    if (*entry & flags::present) return Error::already_mapped;
    if (!nx_on) page_flags &= ~flags::no_execute;
    if (level == 2) page_flags |= flags::huge;
    *entry = pa | page_flags | flags::present;
    return Error::none;
}

Error translate(uint64_t root, uint64_t va, uint64_t& pa, uint64_t* entry_flags) {
    uint64_t* entries = table(root);
    for (unsigned level = 4;; --level) {
        uint64_t entry = entries[index_at(va, level)];
        if (!(entry & flags::present)) return Error::not_mapped;
        bool leaf = level == 1 || (level <= 3 && (entry & flags::huge));
        if (leaf) {
            uint64_t page_mask = (1ull << (12 + 9 * (level - 1))) - 1;
            pa = (entry & address_mask & ~page_mask) | (va & page_mask);
            if (entry_flags) *entry_flags = entry & ~address_mask;
            return Error::none;
        }
        entries = table(entry);
    }
}

Error unmap(uint64_t root, uint64_t va) {
    Error error;
    uint64_t* entry = walk(root, va, 1, nullptr, error);
    if (!entry) return error;
    if (!(*entry & flags::present)) return Error::not_mapped;
    *entry = 0;
    invlpg(va);
    return Error::none;
}


uint64_t* find_entry(uint64_t* top, uint64_t va, unsigned level, unsigned& missing_level) {
    Error error;
    return walk(top, va, level, nullptr, error, missing_level);
}

}  // namespace arch::paging
