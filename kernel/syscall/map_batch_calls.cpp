// frame_map_batch: several frames mapped at consecutive addresses in one
// call, for pagers that map ahead of a fault (docs/abi.md, docs/paging.md).
// Apart from frame_map so that the per-page cost of a batch stays one
// capability lookup and one page-table entry.
#include "object/address_space.hpp"
#include "syscall/call.hpp"
#include "syscall/user_access.hpp"

namespace syscall {

// (vspace, address, rights, const Cptr* frames, count) -> rsi = pages
// mapped, rdx = the missing level on missing_page_table. The arguments are
// checked before anything is mapped; then the frames go in in order, and
// the first that cannot be mapped ends the call with its error (those
// before it stay mapped, as rsi says).
Error sys_frame_map_batch(Call& c) {
    uint64_t address = c.arg(1), rights_wanted = c.arg(2), list = c.arg(3), count = c.arg(4);
    c.frame.rsi = 0;
    Slot* space;
    TRY(lookup(c, c.arg(0), ObjectType::address_space, rights::write, space));
    if (rights_wanted > rights::all || count == 0 || count > abi::max_map_batch) return Error::bad_argument;
    abi::Cptr cptrs[abi::max_map_batch];
    if (!copy_from_user(cptrs, list, count * sizeof(abi::Cptr))) return Error::bad_address;
    // Every capability is looked up before the first page is mapped: a bad
    // slot anywhere in the list is refused with nothing changed.
    Capability* frames[abi::max_map_batch];
    for (uint64_t i = 0; i < count; ++i) {
        Slot* frame;
        TRY(lookup(c, cptrs[i], ObjectType::frame, 0, frame));
        frames[i] = &frame->cap;
    }
    uint64_t mapped = 0;
    unsigned level = 0;
    Error e = object::address_space::map_frames(frames, count, space->cap, address, uint8_t(rights_wanted), mapped,
                                                level);
    c.frame.rsi = mapped;
    if (e == Error::missing_page_table) c.frame.rdx = level;
    return e;
}

}  // namespace syscall
