// Calls on capabilities and CNodes (copy, mint, move, delete, revoke,
// identify) and on untyped memory (retype).
#include "object/cap_tree.hpp"
#include "object/cnode.hpp"
#include "object/derive.hpp"
#include "object/lifecycle.hpp"
#include "syscall/call.hpp"

namespace syscall {

namespace {

// Source and empty destination of copy, mint and move.
Error lookup_transfer(const Call& c, Slot*& dst, Slot*& src) {
    TRY(lookup_slot(c, c.arg(0), c.arg(1), dst));
    TRY(lookup_slot(c, c.arg(2), c.arg(3), src));
    if (src->cap.is_null()) return Error::invalid_capability;
    if (!dst->cap.is_null()) return Error::slot_occupied;
    return Error::none;
}

Error copy_capability(Call& c, uint8_t rights_mask, uint64_t badge) {
    Slot *dst, *src;
    TRY(lookup_transfer(c, dst, src));
    return object::derive_into(src, dst, rights_mask, badge);
}

Error outcome(object::Progress p) { return p == object::Progress::done ? Error::none : restart; }

}  // namespace

Error sys_cap_copy(Call& c) { return copy_capability(c, rights::all, 0); }
Error sys_cap_mint(Call& c) { return copy_capability(c, uint8_t(c.arg(4)), c.arg(5)); }

Error sys_cap_move(Call& c) {
    Slot *dst, *src;
    TRY(lookup_transfer(c, dst, src));
    object::cap_tree::move(src, dst);
    return Error::none;
}

Error sys_cap_delete(Call& c) {
    bool again = continued(c);
    Slot* slot;
    TRY(lookup_slot(c, c.arg(0), c.arg(1), slot));
    // A preempted delete only finishes the destruction it started: the
    // slot may hold a new capability by now.
    if (!again) object::delete_capability(slot);
    return outcome(object::finish_destruction());
}

Error sys_cap_revoke(Call& c) {
    continued(c);  // a revoke run again simply goes on
    Slot* slot;
    TRY(lookup_slot(c, c.arg(0), c.arg(1), slot));
    if (slot->cap.is_null()) return Error::invalid_capability;
    return outcome(object::revoke_capability(slot));
}

Error sys_cap_identify(Call& c) {
    Slot* slot;
    TRY(lookup(c, c.arg(0), ObjectType::null, 0, slot));
    const Capability& cap = slot->cap;
    c.frame.rsi = uint64_t(cap.type) | uint64_t(cap.rights) << 8 | uint64_t(cap.size_bits) << 16;
    c.frame.rdx = cap.data;
    return Error::none;
}

Error sys_untyped_retype(Call& c) {
    continued(c);  // its arguments already name what is left to do
    Slot* untyped;
    TRY(lookup(c, c.arg(0), ObjectType::untyped, rights::write, untyped));
    if (c.arg(1) >= uint64_t(ObjectType::count)) return Error::bad_argument;
    auto type = ObjectType(c.arg(1));
    uint64_t size_bits = c.arg(2), first = c.arg(4), count = c.arg(5);
    TRY(object::check_retype(untyped->cap, type, size_bits, count));
    Slot* cnode;
    TRY(lookup(c, c.arg(3), ObjectType::cnode, rights::write, cnode));
    uint64_t slots = object::cnode::slot_count(cnode->cap);
    if (first == 0 || first >= slots || count > slots - first) return Error::bad_argument;
    Slot* targets = object::cnode::slots(cnode->cap) + first;
    for (uint64_t i = 0; i < count; ++i)
        if (!targets[i].cap.is_null()) return Error::slot_occupied;
    TRY(object::check_room(untyped->cap, type, size_bits, count));
    uint64_t created;
    if (object::retype(untyped, type, unsigned(size_bits), targets, count, created) == object::Progress::done)
        return Error::none;
    // Preempted: the objects made so far are in place; the restarted call
    // makes the rest.
    c.frame.r8 = first + created;
    c.frame.r9 = count - created;
    return restart;
}

}  // namespace syscall
