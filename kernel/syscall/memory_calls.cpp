// Calls on address spaces, page tables and frames: the page-table
// primitives a user-space pager builds on.
#include "object/address_space.hpp"
#include "syscall/call.hpp"
#include "syscall/user_access.hpp"

namespace syscall {

namespace {

Error report_missing_level(Call& c, Error e, unsigned level) {
    if (e == Error::missing_page_table) c.frame.rdx = level;
    return e;
}

}  // namespace

Error sys_page_table_map(Call& c) {
    Slot *table, *space;
    TRY(lookup(c, c.arg(0), ObjectType::page_table, rights::write, table));
    TRY(lookup(c, c.arg(1), ObjectType::address_space, rights::write, space));
    unsigned level = 0;
    Error e = object::address_space::map_page_table(table->cap, space->cap, c.arg(2), level);
    return report_missing_level(c, e, level);
}

Error sys_frame_map(Call& c) {
    Slot *frame, *space;
    TRY(lookup(c, c.arg(0), ObjectType::frame, 0, frame));
    TRY(lookup(c, c.arg(1), ObjectType::address_space, rights::write, space));
    if (c.arg(3) > rights::all) return Error::bad_argument;
    unsigned level = 0;
    Error e = object::address_space::map_frame(frame->cap, space->cap, c.arg(2), uint8_t(c.arg(3)), level);
    return report_missing_level(c, e, level);
}

Error sys_frame_unmap(Call& c) {
    Slot* frame;
    TRY(lookup(c, c.arg(0), ObjectType::frame, 0, frame));
    if (!frame->cap.asid) return Error::not_mapped;
    object::address_space::unmap(frame->cap);
    return Error::none;
}

Error sys_frame_protect(Call& c) {
    Slot* frame;
    TRY(lookup(c, c.arg(0), ObjectType::frame, 0, frame));
    if (c.arg(1) > rights::all) return Error::bad_argument;
    return object::address_space::protect(frame->cap, uint8_t(c.arg(1)));
}

Error sys_address_space_query(Call& c) {
    Slot* space;
    // It clears bits: a change to the address space, so it needs write.
    TRY(lookup(c, c.arg(0), ObjectType::address_space, rights::read | rights::write, space));
    uint64_t address = c.arg(1), count = c.arg(2), out = c.arg(3);
    if (count == 0 || count > abi::max_query_pages) return Error::bad_argument;
    uint8_t states[abi::max_query_pages];
    // Look first, then check the answer can be delivered, and only then
    // clear: a bad output buffer must not lose accessed and dirty bits.
    TRY(object::address_space::query(space->cap, address, count, states, false));
    if (!copy_to_user(out, states, count)) return Error::bad_address;
    return object::address_space::query(space->cap, address, count, states, true);
}

}  // namespace syscall
