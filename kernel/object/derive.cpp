#include "object/derive.hpp"

#include "object/lifecycle.hpp"

namespace object {

Error derive(const Capability& source, uint8_t rights_mask, uint64_t badge, Capability& out) {
    Capability cap = source;
    cap.flags &= ~cap_flags::held_by_thread;
    switch (cap.type) {
    case ObjectType::null: return Error::invalid_capability;
    case ObjectType::untyped: return Error::bad_argument;
    case ObjectType::frame: cap.asid = 0, cap.data = 0; break;
    case ObjectType::page_table:
        if (!cap.asid) return Error::not_mapped;
        break;
    default: break;
    }
    if (badge) {
        bool badged_type = cap.type == ObjectType::endpoint || cap.type == ObjectType::notification;
        if (!badged_type || cap.data) return Error::bad_argument;
        cap.data = badge;
    }
    cap.rights &= rights_mask;
    out = cap;
    return Error::none;
}

Error derive_into(Slot* source, Slot* target, uint8_t rights_mask, uint64_t badge) {
    if (!target->cap.is_null()) return Error::slot_occupied;
    Capability cap;
    if (Error e = derive(source->cap, rights_mask, badge, cap); e != Error::none) return e;
    install(source, target, cap);
    return Error::none;
}

}  // namespace object
