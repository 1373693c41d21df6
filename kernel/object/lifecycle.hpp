// Creating objects from untyped memory, and deleting capabilities, which
// destroys an object with its last capability.
//
// Every operation here does a bounded amount of work between preemption
// points (sched/preemption.hpp), whatever the size of the region, the
// number of capabilities or the nesting of CNodes, and never recurses: the
// kernel stack stays bounded. An operation that returns
// Progress::preempted has made progress that is kept in the objects, and
// completes when the same call is made again.
#pragma once

#include "object/capability.hpp"

namespace object {

using Error = abi::Error;

enum class Progress { done, preempted };

// Deletes the capability in slot (no-op on an empty slot). If it was the
// object's last capability the object is destroyed: a thread stops and its
// partners are told, waiters on an endpoint or notification wake with an
// error, mappings are removed. A CNode becomes a zombie whose contents are
// deleted by finish_destruction; until then it is unreachable but its
// memory stays in use.
void delete_capability(Slot* slot);

// Deletes the contents of destroyed CNodes (which may destroy more).
Progress finish_destruction();

// Deletes every capability derived from slot's (not slot's own), then
// finishes all destruction. For an untyped capability it then returns all
// of the region for a new retype.
Progress revoke_capability(Slot* slot);

// Creates `count` objects from the untyped capability in `untyped` into
// the empty slots targets[0..count), in order; `created` counts those made
// by this call (on Progress::preempted the caller retries with the rest).
// The caller has checked the arguments (check_retype).
Progress retype(Slot* untyped, ObjectType type, unsigned size_bits, Slot* targets, uint64_t count,
                uint64_t& created);
// Whether the arguments of a retype are valid (Error::bad_argument if
// not), and whether count such objects fit in the region that remains
// (Error::out_of_memory if not).
Error check_retype(const Capability& untyped, ObjectType type, uint64_t size_bits, uint64_t count);
Error check_room(const Capability& untyped, ObjectType type, uint64_t size_bits, uint64_t count);

// Places a new capability in the empty slot dst as a child of parent.
void install(Slot* parent, Slot* dst, const Capability& cap);

// The sentinel at the top of the derivation tree, parent of the
// capabilities the kernel creates at boot.
Slot* boot_sentinel();

// Creates an object of `type` in zeroed memory at kernel address `memory`
// and returns its first capability (with all rights).
void create_object(ObjectType type, unsigned size_bits, uint64_t memory, Capability& out);

}  // namespace object
