// CNodes: tables of 2^radix capability slots. Slot 0 is never a valid name
// (a zero cptr is "no capability"); the kernel keeps its bookkeeping for
// the table there.
#pragma once

#include "object/capability.hpp"

namespace object::cnode {

inline Slot* slots(const Capability& cnode) { return reinterpret_cast<Slot*>(cnode.object); }
inline uint64_t slot_count(const Capability& cnode) { return 1ull << cnode.size_bits; }

// The slot at index, or nullptr if index is 0 or out of range.
inline Slot* slot_at(const Capability& cnode, uint64_t index) {
    if (cnode.type != ObjectType::cnode || index == 0 || index >= slot_count(cnode)) return nullptr;
    return &slots(cnode)[index];
}

}  // namespace object::cnode
