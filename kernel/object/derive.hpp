// Deriving a capability from another: the one routine behind copy, mint,
// capability transfer in IPC, and the capabilities a thread is configured
// with. The rules are seL4's:
//  - untyped memory is never copied (two holders could retype the same
//    bytes);
//  - a frame copy starts unmapped: every frame capability maps the frame
//    once, and deleting it removes that one mapping;
//  - a page table has exactly one mapping, shared by all its capabilities:
//    only a mapped table can be copied (the copy inherits the mapping), so
//    an unmapped table has exactly one capability, the one that may map it;
//    its last capability's deletion unmaps it;
//  - a badge is set once, on an endpoint or notification capability that
//    has none;
//  - rights only shrink.
#pragma once

#include "object/capability.hpp"

namespace object {

using Error = abi::Error;

Error derive(const Capability& source, uint8_t rights_mask, uint64_t badge, Capability& out);

// Derives from source into the empty slot target, as source's child.
Error derive_into(Slot* source, Slot* target, uint8_t rights_mask = abi::rights::all, uint64_t badge = 0);

}  // namespace object
