// The kernel's embedded symbol table, used to name code addresses in panic
// dumps. tools/mksymtab.py writes it from `nm` output of a first link; the
// final link places it in .ksymtab.
//
// Layout (little endian):
//   u32 magic "KSYM", u32 count,
//   count x { u64 address, u32 size, u32 name_offset } sorted by address,
//   then NUL-terminated names; name_offset counts from the first name.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lib {

struct Symbol {
    uint64_t address;
    uint32_t size;
    const char* name;
};

class SymbolTable {
public:
    static constexpr uint32_t magic = 0x4D59534B;  // "KSYM"

    // An empty table if blob is not a well-formed table (lookups then fail).
    SymbolTable(const void* blob, size_t size);

    bool valid() const { return count_ != 0; }
    uint32_t count() const { return count_; }

    // Finds the symbol containing address: the last one starting at or
    // before it, and, when its size is known, ending after it.
    bool lookup(uint64_t address, Symbol& out) const;

private:
    struct [[gnu::packed]] Entry {
        uint64_t address;
        uint32_t size;
        uint32_t name_offset;
    };
    const Entry* entries_ = nullptr;
    const char* names_ = nullptr;
    size_t names_size_ = 0;
    uint32_t count_ = 0;
};

}  // namespace lib
