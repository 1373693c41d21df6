#include "object/lifecycle.hpp"

#include <initializer_list>

#include "common/string.hpp"
#include "object/address_space.hpp"
#include "object/cap_tree.hpp"
#include "object/cnode.hpp"
#include "object/ipc.hpp"
#include "object/irq.hpp"
#include "object/objects.hpp"
#include "object/thread.hpp"
#include "sched/preemption.hpp"
#include "sched/scheduler.hpp"

namespace object {

namespace {

Slot sentinel;

// A destroyed CNode whose slots still hold capabilities. Its bookkeeping
// lives in slot 0, which never holds a capability. Zombies form a list
// through their own memory, so destroying CNodes nested to any depth needs
// neither recursion nor a fixed-size work list; the memory stays allocated
// in its untyped region until the zombie is empty, because revoking that
// region finishes all destruction before the memory can be retyped.
struct Zombie {
    Zombie* next;
    uint64_t next_index;
    uint64_t slot_count;
};
static_assert(sizeof(Zombie) <= sizeof(Slot));
Zombie* zombies;

constexpr uint64_t clear_chunk = 16 * 1024;  // bytes zeroed between preemption points

Thread* thread_at(uint64_t object) { return reinterpret_cast<Thread*>(object); }

// The thread whose own slot this is (threads are aligned to their size).
Thread* owner_of(Slot* slot) {
    return reinterpret_cast<Thread*>(uint64_t(slot) & ~((1ull << abi::thread_size_bits) - 1));
}

void destroy_thread(Thread* t) {
    stop(t);
    ipc::unbind(t);
    sched::forget(t);
    retire_thread(t);
    for (Slot* s : {&t->cspace, &t->vspace, &t->ipc_buffer, &t->fault_handler}) delete_capability(s);
}

// Destroys an object whose last capability has just gone. Bounded work:
// a thread's own four slots hold no thread, and a CNode only joins the
// zombie list.
void destroy(const Capability& cap) {
    switch (cap.type) {
    case ObjectType::endpoint: ipc::destroy_endpoint(reinterpret_cast<Endpoint*>(cap.object)); return;
    case ObjectType::notification: ipc::destroy_notification(reinterpret_cast<Notification*>(cap.object)); return;
    case ObjectType::address_space: address_space::destroy(cap); return;
    case ObjectType::thread: destroy_thread(thread_at(cap.object)); return;
    case ObjectType::irq_handler: irq::release(cap); return;
    case ObjectType::cnode: {
        auto* z = reinterpret_cast<Zombie*>(cap.object);
        *z = Zombie{zombies, 1, cnode::slot_count(cap)};
        zombies = z;
        return;
    }
    default: return;  // untyped, frames, page tables: nothing beyond the unmapping already done
    }
}

// Whether no capability but slot's names this endpoint with this badge.
// Its copies are its children; the others it was minted beside are its
// siblings, and those minted one after another sit next to each other.
// The search looks at the nearest siblings only, so that a deletion stays
// constant work however many siblings there are: when none of those has
// the badge, the senders blocked with it are cancelled (a sender told
// "cancelled" while a capability with its badge survives farther away can
// send again; one left blocked forever could not).
bool last_with_badge(const Slot* slot) {
    constexpr unsigned nearest = 32;
    const Capability& cap = slot->cap;
    auto same = [&](const Slot* s) { return s && s->cap.same_object(cap) && s->cap.data == cap.data; };
    if (slot->first_child || same(slot->parent)) return false;
    const Slot* before = slot->prev_sibling;
    const Slot* after = slot->next_sibling;
    for (unsigned i = 0; i < nearest && (before || after); ++i) {
        if (same(before) || same(after)) return false;
        if (before) before = before->prev_sibling;
        if (after) after = after->next_sibling;
    }
    return true;
}

void zero(uint64_t address, uint64_t bytes) { memset(reinterpret_cast<void*>(address), 0, bytes); }

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
    if (cap.type == ObjectType::frame) address_space::unmap(slot->cap);
    if (cap.type == ObjectType::page_table && last) address_space::unmap(slot->cap);
    if (cap.type == ObjectType::endpoint && cap.data && !last && last_with_badge(slot))
        ipc::cancel_badged_sends(reinterpret_cast<Endpoint*>(cap.object), cap.data);
    bool thread_slot = slot->held_by_thread();
    cap_tree::unlink(slot);
    slot->cap = Capability{};
    if (thread_slot) lost_capability(owner_of(slot), slot);
    if (last) destroy(cap);
}

Progress finish_destruction() {
    for (unsigned steps = 1; Zombie* z = zombies; ++steps) {
        if (z->next_index == z->slot_count) {
            zombies = z->next;  // z is the head: new zombies go in front of it
            z->next = nullptr;
            continue;
        }
        delete_capability(reinterpret_cast<Slot*>(z) + z->next_index++);
        if (steps % sched::steps_between_preemption_points == 0 && sched::preemption_point())
            return Progress::preempted;
    }
    return Progress::done;
}

Progress revoke_capability(Slot* slot) {
    // Leaves go first; after each, the search resumes at the leaf's parent,
    // which cannot be a thread's own slot (those have no children), so no
    // destruction the deletion causes can remove it.
    Slot* at = slot;
    for (unsigned steps = 1;; ++steps) {
        Slot* leaf = cap_tree::leaf_descendant(at);
        if (!leaf) {
            if (at == slot) break;
            leaf = at;
        }
        at = leaf->parent;
        delete_capability(leaf);
        if (steps % sched::steps_between_preemption_points == 0 && sched::preemption_point())
            return Progress::preempted;
    }
    if (finish_destruction() == Progress::preempted) return Progress::preempted;
    if (slot->cap.type == ObjectType::untyped) {
        // Nothing made from the region is left: all of it is free again,
        // and none of it is known to be zero.
        slot->cap.data = 0;
        slot->cap.clean_end = 0;
    }
    return Progress::done;
}

Error check_retype(const Capability& untyped, ObjectType type, uint64_t size_bits, uint64_t count) {
    // Only memory objects come from untyped memory; consoles, I/O ports and
    // interrupt lines are issued from the root task's control capabilities.
    if (type >= ObjectType::count || type == ObjectType::null || type >= ObjectType::debug_console)
        return Error::bad_argument;
    uint64_t size = abi::object_size(type, size_bits);
    if (!size || count == 0 || count > abi::max_retype_count) return Error::bad_argument;
    // A child region as large as its parent would be the same object to
    // the derivation tree; it could never be told apart.
    if (type == ObjectType::untyped && size_bits >= untyped.size_bits) return Error::bad_argument;
    // Device memory holds frames for MMIO, never kernel objects.
    if ((untyped.flags & cap_flags::device) && type != ObjectType::frame && type != ObjectType::untyped)
        return Error::bad_argument;
    return Error::none;
}

Error check_room(const Capability& untyped, ObjectType type, uint64_t size_bits, uint64_t count) {
    uint64_t size = abi::object_size(type, size_bits);
    uint64_t region = 1ull << untyped.size_bits;
    uint64_t offset = (untyped.data + size - 1) & ~(size - 1);  // objects are size-aligned
    if (offset > region || count > (region - offset) / size) return Error::out_of_memory;
    return Error::none;
}

Progress retype(Slot* untyped, ObjectType type, unsigned size_bits, Slot* targets, uint64_t count,
                uint64_t& created) {
    Capability& region = untyped->cap;
    uint64_t size = abi::object_size(type, size_bits);
    created = 0;
    for (unsigned steps = 1; created < count; ++steps) {
        uint64_t offset = (region.data + size - 1) & ~(size - 1);
        uint64_t end = offset + size;
        // Kernel objects and frames start zeroed; a child region is cleared
        // by its own retypes. Clearing goes in chunks, its progress kept in
        // the untyped capability, so even a 4 MiB CNode never holds off
        // interrupts for long and a preempted retype resumes where it was.
        bool device = region.flags & cap_flags::device;
        if (type != ObjectType::untyped && !device) {
            if (region.clean_end < offset) region.clean_end = offset;
            while (region.clean_end < end) {
                uint64_t chunk = end - region.clean_end < clear_chunk ? end - region.clean_end : clear_chunk;
                zero(region.object + region.clean_end, chunk);
                region.clean_end += chunk;
                if (region.clean_end < end && sched::preemption_point()) return Progress::preempted;
            }
        }
        Capability cap;
        create_object(type, size_bits, region.object + offset, cap);
        cap.flags = region.flags & cap_flags::device;
        install(untyped, &targets[created], cap);
        region.data = end;
        ++created;
        bool big = size >= clear_chunk;
        if (created < count && (big || steps % sched::steps_between_preemption_points == 0) &&
            sched::preemption_point())
            return Progress::preempted;
    }
    return Progress::done;
}

void create_object(ObjectType type, unsigned size_bits, uint64_t memory, Capability& out) {
    bool sized = type == ObjectType::untyped || type == ObjectType::cnode || type == ObjectType::page_table;
    out = Capability{type, abi::rights::all, uint8_t(sized ? size_bits : 0), 0, 0, memory, 0, 0};
    if (type == ObjectType::thread) init_thread(thread_at(memory));
    if (type == ObjectType::address_space) address_space::create(memory, out.asid);
}

}  // namespace object
