#include "services.hpp"

#include "abi/pager.hpp"
#include "abi/task.hpp"
#include "common/cpio.hpp"
#include "common/format.hpp"
#include "root.hpp"
#include "sys/ipc.hpp"
#include "sys/program.hpp"
#include "sys/text.hpp"

namespace root {

namespace {

using abi::ObjectType;
using sys::Cptr;
namespace slot = abi::root_slot;

constexpr unsigned loader_memory_bits = 23;   // its own image, CNode and stack
constexpr unsigned server_cnode_radix = 12;
constexpr unsigned pool_region_bits = 25;     // 32 MiB regions
constexpr unsigned pool_regions = 4;          // 128 MiB for tasks
constexpr uint8_t loader_priority = 254;      // below us: it runs when we wait
constexpr uint64_t scratch_address = 0x0000310000000000ull;

bool fail(const char* why) {
    sys::print("root: cannot start a server: %s\n", why);
    return false;
}

// Slots of ours for a server's objects, built from `memory`; its image goes
// to its CNode from first_task_slot on (the slots before are for what we
// hand it).
sys::ProgramResources server_resources(Cptr memory, Cptr first_task_slot) {
    auto slot = [] { return context.slots.allocate(); };
    return sys::ProgramResources{memory, slot(), slot(), slot(), slot(), {slot(), slot()},
                                 scratch_address, server_cnode_radix, first_task_slot};
}

// Servers read programs from the initrd: map it read-only at the same place
// as in our own address space.
bool map_initrd_into(Cptr vspace) {
    const abi::BootInfo& info = *context.info;
    for (uint64_t i = 0; i < info.initrd_frames.count; ++i)
        if (!share_page(info.initrd_frames.first + i, vspace, abi::initrd_address + i * 4096, abi::rights::read))
            return fail("cannot map the initrd");
    return true;
}

Cptr loader_capability;
Cptr loader_endpoint;  // the original: revoked when the loader dies
Cptr pager_endpoint;  // unbadged: the manager's capability

// What the pager and the loader share for fault supervision (abi/pager.hpp):
// the notification the pager signals and the page of the fault ring.
Cptr fault_notification, fault_ring_frame;

// Our supervision of the servers: their threads' fault endpoint, badged
// with which server it is, and a thread of ours that receives on it.
Cptr server_faults;
volatile bool pager_dead, loader_dead;
constexpr uint64_t pager_badge = 1, loader_badge = 2;
constexpr uint8_t supervisor_priority = 255;

// A server built with resume = false gets our fault endpoint (badged) and
// starts.
bool supervise_and_start(const sys::ProgramResources& r, uint64_t badge) {
    Cptr ipc_copy = context.slots.allocate(), fault = context.slots.allocate();
    if (!ipc_copy || !fault) return fail("out of slots");
    if (!sys::ok(sys::cap_copy(slot::cnode, ipc_copy, r.cnode, abi::task_slot::ipc_buffer)) ||
        !sys::ok(sys::cap_mint(slot::cnode, fault, slot::cnode, server_faults, abi::rights::write, badge)) ||
        !sys::ok(sys::thread_configure(r.thread, r.cnode, r.vspace, ipc_copy, abi::ipc_buffer_address, fault)))
        return fail("cannot make us its fault handler");
    // The thread holds copies of its own.
    sys::cap_delete(slot::cnode, ipc_copy);
    sys::cap_delete(slot::cnode, fault);
    context.slots.free(ipc_copy);
    context.slots.free(fault);
    return sys::ok(sys::thread_resume(r.thread)) || fail("cannot start it");
}

constexpr unsigned pager_image_bits = 22;
constexpr unsigned pager_backing_bits = 26;   // 64 MiB of backing store
constexpr unsigned pager_tables_bits = 24;   // 16 page tables for each of 256 tasks
constexpr Cptr pager_memory_first = 10;

uint64_t command_line_number(const char* key, uint64_t fallback) {
    char value[16];
    if (!command_line_value(key, value, sizeof value) || value[0] < '0' || value[0] > '9') return fallback;
    return sys::parse_number(value);
}

// The pager server: its budget, backing store and page-table memory are
// its own untyped regions; its endpoint goes to the loader (unbadged).
bool build_pager() {
    cpio::File file;
    if (!cpio::find(reinterpret_cast<const void*>(abi::initrd_address), context.info->initrd_size, "pager", file))
        return fail("no pager in the initrd");
    uint64_t frames = command_line_number("pager_frames", PAGER_FRAMES_DEFAULT);
    char policy[16] = "clock";
    command_line_value("pager_policy", policy, sizeof policy);
    unsigned budget_bits = 12;
    while ((1ull << budget_bits) < frames * 4096) ++budget_bits;
    ++budget_bits;  // room for the frames' own bookkeeping alignment
    Cptr image = context.memory.allocate(ObjectType::untyped, pager_image_bits);
    Cptr regions[3] = {context.memory.allocate(ObjectType::untyped, budget_bits),
                       context.memory.allocate(ObjectType::untyped, pager_backing_bits),
                       context.memory.allocate(ObjectType::untyped, pager_tables_bits)};
    pager_endpoint = context.memory.allocate(ObjectType::endpoint);
    sys::ProgramResources r = server_resources(image, pager_memory_first + 3);
    if (!image || !regions[2] || !pager_endpoint || !r.staging[1] ||
        !sys::prepare_scratch_page(context.memory, scratch_address))
        return fail("out of memory for the pager");
    char frames_text[16], first[8], initrd[24];
    lib::format_to(frames_text, sizeof frames_text, "%lu", frames);
    lib::format_to(first, sizeof first, "%lu", pager_memory_first);
    lib::format_to(initrd, sizeof initrd, "%lu", context.info->initrd_size);
    const char* argv[] = {"pager", frames_text, policy, first, "3", initrd};
    sys::ProgramRequest p{file.data, file.size, 6, argv, 0, nullptr, 0, loader_priority, slot::console, 0};
    p.resume = false;
    const char* why = "";
    if (!sys::ok(sys::start_program(r, p, &why))) return fail(why);
    if (!sys::ok(sys::cap_copy(r.cnode, abi::pager::service_slot, slot::cnode, pager_endpoint))) return fail("pager endpoint");
    for (unsigned i = 0; i < 3; ++i)
        if (!sys::ok(sys::cap_move(r.cnode, pager_memory_first + i, slot::cnode, regions[i]))) return fail("pager memory");
    // The fault ring: the pager writes records and signals the loader.
    fault_notification = context.memory.allocate(ObjectType::notification);
    fault_ring_frame = context.memory.allocate(ObjectType::frame);
    if (!fault_notification || !fault_ring_frame ||
        !sys::ok(sys::cap_mint(r.cnode, abi::pager::fault_notification_slot, slot::cnode, fault_notification,
                               abi::rights::write, 0)) ||
        !share_page(fault_ring_frame, r.vspace, abi::pager::fault_ring_address))
        return fail("the pager's fault ring");
    return map_initrd_into(r.vspace) && supervise_and_start(r, pager_badge);
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
    constexpr Cptr pool_first = abi::loader::fault_notification_slot + 1;
    sys::ProgramResources r = server_resources(memory, pool_first + pool_regions);
    if (!memory || !endpoint || !r.staging[1] || !sys::prepare_scratch_page(context.memory, scratch_address))
        return fail("out of memory");

    // Its arguments say where its pool is.
    char size[24], first[8], count[8];
    lib::format_to(size, sizeof size, "%lu", context.info->initrd_size);
    lib::format_to(first, sizeof first, "%lu", pool_first);
    lib::format_to(count, sizeof count, "%u", pool_regions);
    const char* argv[] = {"loader", size, first, count};
    sys::ProgramRequest p{file.data, file.size, 4, argv, 0, nullptr, 0, loader_priority, slot::console, 0};
    p.resume = false;
    const char* why = "";
    if (int64_t e = sys::start_program(r, p, &why); e < 0) {
        sys::print("root: loader: %s\n", sys::describe(sys::error_of(e)));
        return fail(why);
    }

    // It sleeps below our priority until we wait: hand it what it needs.
    if (!sys::ok(sys::cap_copy(r.cnode, abi::loader::service_slot, slot::cnode, endpoint))) return fail("endpoint");
    if (pager_endpoint && !sys::ok(sys::cap_copy(r.cnode, abi::task_slot::pager, slot::cnode, pager_endpoint)))
        return fail("pager endpoint");
    for (unsigned i = 0; i < pool_regions; ++i)
        if (!sys::ok(sys::cap_move(r.cnode, pool_first + i, slot::cnode, pool[i]))) return fail("memory pool");
    if (pager_endpoint && fault_notification &&
        (!sys::ok(sys::cap_mint(r.cnode, abi::loader::fault_notification_slot, slot::cnode, fault_notification,
                                abi::rights::read, 0)) ||
         !share_page(fault_ring_frame, r.vspace, abi::pager::fault_ring_address)))
        return fail("the loader's fault ring");
    if (!map_initrd_into(r.vspace)) return false;
    loader_endpoint = endpoint;
    loader_capability = context.slots.allocate();
    if (!sys::ok(sys::cap_mint(slot::cnode, loader_capability, slot::cnode, endpoint, abi::rights::write, 1)))
        return false;
    return supervise_and_start(r, loader_badge);
}

// --- the servers' supervisor: a thread of ours -------------------------------

// The pager died: its endpoint goes, so every thread blocked on it wakes
// (a caller with object_destroyed, a faulting thread stopped), every later
// call fails, and the loader ends the tasks that depended on it.
void pager_died() {
    pager_dead = true;
    Cptr endpoint = pager_endpoint;
    sys::cap_revoke(slot::cnode, endpoint);
    sys::cap_delete(slot::cnode, endpoint);
    sys::print("root: the pager's endpoint is revoked; telling the loader\n");
    if (loader_dead) return;
    sys::ipc::Received r = sys::ipc::call(loader_capability, sys::ipc::Message{sys::ipc::make_tag(abi::loader::pager_died, 0), {}});
    if (r.result != 0 || r.label() != 0)
        sys::print("root: the loader did not take the news: %s\n",
                   r.result ? sys::describe(sys::error_of(r.result)) : "refused");
}

// The loader died: its endpoint goes, so its clients' pending and later
// calls fail instead of waiting.
void loader_died() {
    loader_dead = true;
    sys::cap_revoke(slot::cnode, loader_endpoint);
    sys::cap_delete(slot::cnode, loader_endpoint);
    sys::print("root: the loader's endpoint is revoked: calls to it fail from now on\n");
}

void supervise(uint64_t) {
    for (;;) {
        sys::ipc::Received r = sys::ipc::receive(server_faults);
        if (r.result != 0 || r.label() != abi::ipc::fault_label) continue;
        const char* who = r.badge == pager_badge ? "pager" : r.badge == loader_badge ? "loader" : "server";
        uint64_t vector = r.message.words[3];
        sys::print("root: %s died: %s (vector %lu) at 0x%lx, rip 0x%lx\n", who, sys::loader::exception_name(vector),
                   vector, r.message.words[0], r.message.words[2]);
        // Any label but 0 stops its thread: a thread waiting for its reply
        // wakes with partner_died (or, if it was faulting, is stopped).
        sys::ipc::reply(sys::ipc::Message{sys::ipc::make_tag(1, 0), {}});
        if (r.badge == pager_badge && !pager_dead) pager_died();
        else if (r.badge == loader_badge && !loader_dead) loader_died();
    }
}

bool start_supervisor() {
    server_faults = context.memory.allocate(ObjectType::endpoint);
    Cptr thread = server_faults ? make_thread(slot::vspace, supervise, 0, supervisor_priority, next_stack_top()) : 0;
    if (!thread) return fail("no memory for the supervisor");
    return sys::ok(sys::thread_resume(thread)) || fail("cannot start the supervisor");
}

}  // namespace

Cptr start_loader() {
    if (!loader_capability && !loader_dead) {
        if (!server_faults && !start_supervisor()) return 0;
        if (!pager_endpoint && !build_pager()) pager_endpoint = 0;
        if (!build_loader()) loader_capability = 0;
    }
    return loader_capability;
}

Cptr pager() { return pager_dead ? 0 : pager_endpoint; }

bool pager_has_died() { return pager_dead; }

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
