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

// The one capability lookup, shared by the system-call decoder and the IPC
// fast path: the capability at cptr in the CNode cspace, checked for type
// (null: any) and rights; nullptr with error set when it does not qualify.
inline Slot* find(const Capability& cspace, uint64_t cptr, ObjectType type, uint8_t rights, abi::Error& error) {
    Slot* slot = slot_at(cspace, cptr);
    if (!slot || slot->cap.is_null()) return error = abi::Error::invalid_capability, nullptr;
    if (type != ObjectType::null && slot->cap.type != type) return error = abi::Error::wrong_type, nullptr;
    if ((slot->cap.rights & rights) != rights) return error = abi::Error::insufficient_rights, nullptr;
    return slot;
}

}  // namespace object::cnode
