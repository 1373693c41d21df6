#include "services.hpp"

#include "abi/task.hpp"
#include "lib/cpio.hpp"
#include "lib/format.hpp"
#include "root.hpp"
#include "sys/program.hpp"

namespace root {

namespace {

using abi::ObjectType;
using sys::Cptr;
namespace slot = abi::root_slot;

constexpr unsigned loader_memory_bits = 23;   // its own image, CNode and stack
constexpr unsigned loader_cnode_radix = 12;
constexpr unsigned pool_region_bits = 25;     // 32 MiB regions
constexpr unsigned pool_regions = 4;          // 128 MiB for tasks
constexpr uint8_t loader_priority = 254;      // below us: it runs when we wait
constexpr uint64_t scratch_address = 0x0000310000000000ull;

Cptr loader_capability;

bool fail(const char* why) {
    sys::print("root: cannot start the loader: %s\n", why);
    return false;
}

bool build_loader() {
    cpio::File file;
    if (!cpio::find(reinterpret_cast<const void*>(abi::initrd_address), context.info->initrd_size, "loader", file))
        return fail("no loader in the initrd");
    Cptr memory = context.memory.allocate(ObjectType::untyped, loader_memory_bits);
    Cptr endpoint = context.memory.allocate(ObjectType::endpoint);
    Cptr pool[pool_regions];
    for (Cptr& region : pool)
        if (!(region = context.memory.allocate(ObjectType::untyped, pool_region_bits))) return fail("out of memory");
    // Its endpoint and its pool go right after the standard slots, and its
    // image after those.
    constexpr Cptr pool_first = abi::loader::service_slot + 1;
    sys::ProgramResources r{memory, context.slots.allocate(), context.slots.allocate(), context.slots.allocate(),
                            context.slots.allocate(), {context.slots.allocate(), context.slots.allocate()},
                            scratch_address, loader_cnode_radix, pool_first + pool_regions};
    if (!memory || !endpoint || !r.staging[1] || !sys::prepare_scratch_page(context.memory, scratch_address))
        return fail("out of memory");

    // Its arguments say where its pool is.
    char size[24], first[8], count[8];
    lib::format_to(size, sizeof size, "%lu", context.info->initrd_size);
    lib::format_to(first, sizeof first, "%lu", pool_first);
    lib::format_to(count, sizeof count, "%u", pool_regions);
    const char* argv[] = {"loader", size, first, count};
    sys::ProgramRequest p{file.data, file.size, 4, argv, 0, nullptr, 0, loader_priority, slot::console, 0};
    const char* why = "";
    if (int64_t e = sys::start_program(r, p, &why); e < 0) {
        sys::print("root: loader: %s\n", sys::describe(sys::error_of(e)));
        return fail(why);
    }

    // It sleeps below our priority until we wait: hand it what it needs.
    if (!sys::ok(sys::cap_copy(r.cnode, abi::loader::service_slot, slot::cnode, endpoint))) return fail("endpoint");
    for (unsigned i = 0; i < pool_regions; ++i)
        if (!sys::ok(sys::cap_move(r.cnode, pool_first + i, slot::cnode, pool[i]))) return fail("memory pool");
    const abi::BootInfo& info = *context.info;
    for (uint64_t i = 0; i < info.initrd_frames.count; ++i)
        if (!share_page(info.initrd_frames.first + i, r.vspace, abi::initrd_address + i * 4096, abi::rights::read))
            return fail("cannot map the initrd");
    loader_capability = context.slots.allocate();
    return sys::ok(sys::cap_mint(slot::cnode, loader_capability, slot::cnode, endpoint, abi::rights::write, 1));
}

}  // namespace

Cptr start_loader() {
    if (!loader_capability && !build_loader()) loader_capability = 0;
    return loader_capability;
}

bool run_program(int argc, const char* const* argv, uint8_t priority, sys::loader::Task& task) {
    Cptr loader = start_loader();
    if (!loader) return false;
    char reason[128] = "";
    int64_t e = sys::loader::spawn(loader, argc, argv, sys::loader::Options{priority}, context.slots.allocate(), task, reason,
                                   sizeof reason);
    if (e < 0) {
        sys::print("root: cannot run %s: %s (%s)\n", argv[0], reason, sys::describe(sys::error_of(e)));
        return false;
    }
    return true;
}

}  // namespace root
