// Capabilities and the slots that hold them.
//
// A capability is a reference to a kernel object plus rights (and, for
// endpoints and notifications, a badge). It lives in a slot of a CNode (or
// of a thread's own small set of slots), and every slot is also a node of
// the derivation tree: copies and mints are children of their source,
// objects made by retype are children of the untyped capability. Revoke
// walks that tree; deletion of an object's last capability destroys it.
#pragma once

#include <cstdint>

#include "abi/syscalls.hpp"

namespace object {

using abi::ObjectType;

struct Capability {
    ObjectType type = ObjectType::null;
    uint8_t rights = 0;
    uint8_t size_bits = 0;  // untyped: log2 size; cnode: radix; page table: level
    uint8_t flags = 0;      // kernel-only marks (cap_flags)
    uint32_t asid = 0;      // frame/page table: address space it is mapped in (0: unmapped);
                            // address space: its own ASID
    uint64_t object = 0;    // kernel (direct map) address of the object
    uint64_t data = 0;      // endpoint/notification: badge; untyped: bytes used (the watermark);
                            // frame/page table: the address it is mapped at
    uint64_t clean_end = 0; // untyped: memory from the watermark up to this offset is known to
                            // be zero (a retype cut short keeps its clearing progress here)

    bool is_null() const { return type == ObjectType::null; }
    // Whether two capabilities name the very same object. Untyped regions
    // carved from a larger one may start at the same address, so the size
    // is part of the identity.
    bool same_object(const Capability& other) const {
        return type == other.type && object == other.object && size_bits == other.size_bits;
    }
};
static_assert(sizeof(Capability) == 32);

namespace cap_flags {
// The slot is one of a thread's own (its cspace, vspace, ...): losing the
// capability there stops the thread.
inline constexpr uint8_t held_by_thread = 1;
// Device memory (untyped, and the frames made from it): never RAM, so
// never cleared by the kernel, and mapped uncached.
inline constexpr uint8_t device = 2;
}  // namespace cap_flags

struct alignas(64) Slot {
    // A thread's own slots sit inside its (4 KiB-aligned) thread object.
    bool held_by_thread() const { return cap.flags & cap_flags::held_by_thread; }

    Capability cap;
    // Derivation tree links; all null while the slot is empty.
    Slot* parent = nullptr;
    Slot* first_child = nullptr;
    Slot* next_sibling = nullptr;
    Slot* prev_sibling = nullptr;
};
static_assert(sizeof(Slot) == 1u << abi::cnode_slot_size_bits);

}  // namespace object
