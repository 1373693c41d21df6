#include "object/lifecycle.hpp"

#include <initializer_list>

#include "lib/string.hpp"
#include "object/address_space.hpp"
#include "object/cap_tree.hpp"
#include "object/cnode.hpp"
#include "object/ipc.hpp"
#include "object/objects.hpp"
#include "object/thread.hpp"
#include "sched/scheduler.hpp"

namespace object {

namespace {

Slot sentinel;

// Objects that hold capabilities (CNodes, threads) are destroyed from a
// work list rather than by recursion: a CNode can hold the last capability
// of another CNode, and so on, with no bound the kernel stack could take.
struct PendingDestruction {
    ObjectType type;
    uint64_t object;
    unsigned size_bits;
};
constexpr size_t pending_capacity = 64;
PendingDestruction pending[pending_capacity];
size_t pending_count;
bool draining;

Thread* thread_at(uint64_t object) { return reinterpret_cast<Thread*>(object); }

void destroy_thread(Thread* t) {
    stop(t);
    ipc::unbind(t);
    sched::forget(t);
    for (Slot* s : {&t->cspace, &t->vspace, &t->ipc_buffer, &t->fault_handler}) delete_capability(s);
}

void destroy_cnode(const PendingDestruction& d) {
    Slot* slots = reinterpret_cast<Slot*>(d.object);
    for (uint64_t i = 1; i < (1ull << d.size_bits); ++i) delete_capability(&slots[i]);
}

void destroy_now(const PendingDestruction& d) {
    if (d.type == ObjectType::thread) destroy_thread(thread_at(d.object));
    else destroy_cnode(d);
}

// Destroys an object whose last capability has just gone.
void destroy(const Capability& cap) {
    switch (cap.type) {
    case ObjectType::endpoint: ipc::destroy_endpoint(reinterpret_cast<Endpoint*>(cap.object)); return;
    case ObjectType::notification: ipc::destroy_notification(reinterpret_cast<Notification*>(cap.object)); return;
    case ObjectType::address_space: address_space::destroy(cap); return;
    case ObjectType::thread:
    case ObjectType::cnode: break;
    default: return;  // untyped, frames, page tables: nothing beyond the unmapping already done
    }
    PendingDestruction d{cap.type, cap.object, cap.size_bits};
    if (draining && pending_count < pending_capacity) {
        pending[pending_count++] = d;
        return;
    }
    // Either the outermost deletion, or the list is full: do it here (a
    // bounded recursion, one level per full list).
    bool outermost = !draining;
    draining = true;
    destroy_now(d);
    if (outermost) {
        while (pending_count) destroy_now(pending[--pending_count]);
        draining = false;
    }
}

}  // namespace

Slot* boot_sentinel() { return &sentinel; }

void install(Slot* parent, Slot* dst, const Capability& cap) {
    dst->cap = cap;
    cap_tree::insert_child(parent, dst);
}

void delete_capability(Slot* slot) {
    if (slot->cap.is_null()) return;
    Capability cap = slot->cap;
    bool last = cap_tree::is_final(slot);
    if (cap.type == ObjectType::frame || cap.type == ObjectType::page_table) address_space::unmap(slot->cap);
    cap_tree::unlink(slot);
    slot->cap = Capability{};
    if (last) destroy(cap);
}

void revoke_capability(Slot* slot) {
    while (Slot* leaf = cap_tree::last_descendant(slot)) delete_capability(leaf);
    if (slot->cap.type == ObjectType::untyped) slot->cap.data = 0;  // all of it is free again
}

uint64_t object_size(ObjectType type, unsigned size_bits) {
    switch (type) {
    case ObjectType::untyped:
        return size_bits >= abi::untyped_min_bits && size_bits <= abi::untyped_max_bits ? 1ull << size_bits : 0;
    case ObjectType::cnode:
        return size_bits >= 2 && size_bits <= 16 ? 1ull << (size_bits + abi::cnode_slot_size_bits) : 0;
    case ObjectType::thread: return 1ull << abi::thread_size_bits;
    case ObjectType::address_space:
    case ObjectType::frame: return 1ull << abi::page_size_bits;
    case ObjectType::page_table: return size_bits >= 1 && size_bits <= 3 ? 1ull << abi::page_size_bits : 0;
    case ObjectType::endpoint: return 1ull << abi::endpoint_size_bits;
    case ObjectType::notification: return 1ull << abi::notification_size_bits;
    default: return 0;
    }
}

Error create_object(ObjectType type, unsigned size_bits, uint64_t memory, Capability& out) {
    bool sized = type == ObjectType::untyped || type == ObjectType::cnode || type == ObjectType::page_table;
    out = Capability{type, abi::rights::all, uint8_t(sized ? size_bits : 0), 0, 0, memory, 0};
    if (type == ObjectType::untyped) return Error::none;  // zeroed when retyped into objects
    memset(reinterpret_cast<void*>(memory), 0, object_size(type, size_bits));
    if (type == ObjectType::thread) init_thread(thread_at(memory));
    if (type == ObjectType::address_space) return address_space::create(memory, out.asid);
    return Error::none;
}

}  // namespace object
