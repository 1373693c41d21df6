// Frames of device memory at a given physical address, for MMIO that the
// root task itself must touch (a device's MSI-X table).
#include "root.hpp"

namespace root {

using abi::ObjectType;
using sys::Cptr;
namespace slot = abi::root_slot;

// The device region holding `physical` is split in halves down to the
// page: each step retypes the lower half and, when the page is above it,
// the upper half too (objects are placed in order), and goes on in the
// half that holds the page. The intermediate regions stay ours: they are
// the frame's ancestors. A lower half not wanted is deleted and its slot
// used again at the next step (and kept at the end rather than freed, so
// that callers still get fresh slots in order). 0 when no device region
// holds the page, or when the region was already used past it.
Cptr device_frame(uint64_t physical) {
    const abi::BootInfo& info = *context.info;
    physical &= ~0xFFFull;
    Cptr region = 0;
    uint64_t base = 0;
    unsigned bits = 0;
    for (uint64_t i = 0; i < info.untyped.count && !region; ++i) {
        const abi::UntypedDescriptor& d = info.untyped_list[i];
        if (d.is_device && physical >= d.physical_address && physical - d.physical_address < (1ull << d.size_bits))
            region = info.untyped.first + i, base = d.physical_address, bits = d.size_bits;
    }
    if (!region) return 0;
    Cptr spare = 0;
    while (bits > abi::page_size_bits) {
        --bits;
        Cptr lower = spare ? spare : context.slots.allocate();
        spare = 0;
        if (!lower || !sys::ok(sys::untyped_retype(region, ObjectType::untyped, bits, slot::cnode, lower, 1))) return 0;
        if (physical < base + (1ull << bits)) {
            region = lower;
            continue;
        }
        Cptr upper = context.slots.allocate();
        if (!upper || !sys::ok(sys::untyped_retype(region, ObjectType::untyped, bits, slot::cnode, upper, 1))) return 0;
        sys::cap_delete(slot::cnode, lower);
        spare = lower;
        region = upper;
        base += 1ull << bits;
    }
    Cptr frame = spare ? spare : context.slots.allocate();
    if (!frame || !sys::ok(sys::untyped_retype(region, ObjectType::frame, 0, slot::cnode, frame, 1))) return 0;
    if (sys::frame_physical_address(frame).value != physical) return 0;
    return frame;
}

}  // namespace root
