// Creating objects from untyped memory, and deleting capabilities, which
// destroys an object with its last capability.
#pragma once

#include "object/capability.hpp"

namespace object {

using Error = abi::Error;

// Deletes the capability in slot (no-op on an empty slot). If it was the
// object's last capability the object is destroyed: a thread stops and its
// partners are told, waiters on an endpoint or notification wake with an
// error, mappings are removed, a CNode deletes what it holds.
void delete_capability(Slot* slot);

// Deletes every capability derived from slot's (not slot's own). For an
// untyped capability this returns all of its memory for a new retype.
void revoke_capability(Slot* slot);

// Places a new capability in the empty slot dst as a child of parent.
void install(Slot* parent, Slot* dst, const Capability& cap);

// The sentinel at the top of the derivation tree, parent of the
// capabilities the kernel creates at boot.
Slot* boot_sentinel();

// Object size in bytes for a retype of `type` with `size_bits`, or 0 if the
// combination is invalid.
uint64_t object_size(ObjectType type, unsigned size_bits);

// Creates an object of `type` in zeroed memory at kernel address `memory`
// and returns its first capability (with all rights).
Error create_object(ObjectType type, unsigned size_bits, uint64_t memory, Capability& out);

}  // namespace object
