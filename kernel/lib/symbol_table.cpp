#include "lib/symbol_table.hpp"

namespace lib {

namespace {
uint32_t read_u32(const uint8_t* p) { return p[0] | p[1] << 8 | p[2] << 16 | uint32_t(p[3]) << 24; }
}  // namespace

SymbolTable::SymbolTable(const void* blob, size_t size) {
    auto* bytes = static_cast<const uint8_t*>(blob);
    if (!bytes || size < 8 || read_u32(bytes) != magic) return;
    uint32_t count = read_u32(bytes + 4);
    if (count > (size - 8) / sizeof(Entry)) return;
    size_t names_start = 8 + size_t(count) * sizeof(Entry);
    auto* entries = reinterpret_cast<const Entry*>(bytes + 8);
    auto* names = reinterpret_cast<const char*>(bytes + names_start);
    size_t names_size = size - names_start;
    // Every name must start inside the name area and end with a NUL there,
    // and addresses must be sorted, or binary search would mislead.
    if (names_size == 0 || names[names_size - 1] != '\0') return;
    for (uint32_t i = 0; i < count; ++i) {
        if (entries[i].name_offset >= names_size) return;
        if (i && entries[i].address < entries[i - 1].address) return;
    }
    entries_ = entries;
    names_ = names;
    names_size_ = names_size;
    count_ = count;
}

bool SymbolTable::lookup(uint64_t address, Symbol& out) const {
    if (!count_ || address < entries_[0].address) return false;
    uint32_t low = 0, high = count_;  // invariant: entries_[low].address <= address
    while (high - low > 1) {
        uint32_t mid = low + (high - low) / 2;
        if (entries_[mid].address <= address) low = mid;
        else high = mid;
    }
    const Entry& e = entries_[low];
    if (e.size && address - e.address >= e.size) return false;
    out = Symbol{e.address, e.size, names_ + e.name_offset};
    return true;
}

}  // namespace lib
