// The capability derivation tree.
//
// Invariants kept by these operations:
//  - every non-empty slot has a parent (the kernel's boot sentinel at the
//    top), so no capability is ever cut off from the tree;
//  - the children of a non-untyped capability are copies of it (same
//    object), so all capabilities to one object form a connected group;
//  - where capabilities to one object are siblings, they are adjacent:
//    unlinking a slot splices its children into its own place.
// Together these make "is this the object's last capability?" a check of a
// slot's immediate neighbours, as in seL4's mapping database.
#pragma once

#include "object/capability.hpp"

namespace object::cap_tree {

// Makes the empty, unlinked slot child the first child of parent (O(1)).
void insert_child(Slot* parent, Slot* child);

// Removes slot from the tree, putting its children in its place under its
// parent. The capability in slot is left for the caller to clear.
void unlink(Slot* slot);

// Moves the capability and tree position of from into the empty slot to.
void move(Slot* from, Slot* to);

// True if no other slot holds a capability to the same object.
bool is_final(const Slot* slot);

// A leaf among slot's descendants (the first child's first child ...), or
// nullptr when slot has no children: O(depth below slot). Revoke deletes
// these one by one, resuming each search at the deleted leaf's parent, so
// a whole revoke walks every link a bounded number of times.
Slot* leaf_descendant(Slot* slot);

}  // namespace object::cap_tree
