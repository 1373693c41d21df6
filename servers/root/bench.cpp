// Benchmarks, run by the root task with run=bench. Figures are printed as
// "bench: <name>: <value> <unit>" lines; under QEMU -icount shift=0 one
// guest nanosecond is one instruction, so ns figures are instruction counts.
#include <initializer_list>

#include "lib/format.hpp"
#include "root.hpp"
#include "services.hpp"
#include "sys/ipc.hpp"

namespace root {

namespace {

using sys::Cptr;
namespace slot = abi::root_slot;

constexpr uint64_t rounds = 20000;

uint64_t nanoseconds(uint64_t cycles) {
    return cycles * 1000000000ull / context.info->tsc_hz;
}

// Prints a per-operation figure with two decimals, in ns and TSC cycles.
void report(const char* name, uint64_t cycles, uint64_t operations) {
    uint64_t ns100 = nanoseconds(cycles) * 100 / operations;
    sys::print("bench: %s: %lu.%02lu ns (%lu TSC cycles) per operation, %lu operations\n", name, ns100 / 100,
               ns100 % 100, cycles / operations, operations);
}

volatile uint64_t partner_rounds;
Cptr partner_done;

void yield_partner(uint64_t count) {
    for (uint64_t i = 0; i < count; ++i) sys::yield();
    partner_rounds = count;
    sys::notification_signal(partner_done);
    sys::exit(0);
}

// An address space with the root task's code and, shared, its data: the
// partner threads below run there and still see our globals.
Cptr make_partner_space() {
    Cptr space = make_code_sharing_space();
    const abi::BootInfo& info = *context.info;
    for (uint32_t s = 0; space && s < info.image_segment_count; ++s)
        if (info.image[s].rights & abi::rights::write)
            for (uint64_t i = 0; i < info.image[s].pages; ++i)
                share_page(info.image[s].first_frame + i, space, info.image[s].address + i * 4096);
    return space;
}

Cptr echo_endpoint;

// Answers every call with a message of the same length, forever: the
// payload stays where it landed in its IPC buffer and travels back from there.
void echo(uint64_t) {
    sys::ipc::Received r = sys::ipc::receive(echo_endpoint);
    for (;;) {
        r = sys::ipc::reply_receive(echo_endpoint, sys::ipc::Message{sys::ipc::make_tag(1, r.length()), {}});
    }
}

// Round trips of call + reply_recv between two address spaces.
void ipc_round_trips() {
    echo_endpoint = context.memory.allocate(abi::ObjectType::endpoint);
    Cptr space = make_partner_space();
    Cptr server = space && echo_endpoint ? make_thread(space, echo, 0, abi::root_priority, next_stack_top()) : 0;
    if (!server) {
        sys::print("bench: could not set up the IPC benchmark\n");
        return;
    }
    sys::thread_resume(server);
    sys::yield();  // it starts and waits on the endpoint
    for (uint64_t bytes : {8, 64, 256}) {
        sys::ipc::Message m{sys::ipc::make_tag(1, bytes), {1, 2, 3, 4}};
        for (uint64_t i = 0; i < 100; ++i) sys::ipc::call(echo_endpoint, m);  // warm up
        uint64_t start = rdtsc();
        for (uint64_t i = 0; i < rounds; ++i) sys::ipc::call(echo_endpoint, m);
        uint64_t cycles = rdtsc() - start;
        char name[96];
        lib::format_to(name, sizeof name, "IPC round trip, call + reply_recv, two address spaces, %lu bytes", bytes);
        report(name, cycles, rounds);
        uint64_t per_second = nanoseconds(cycles) ? 2 * rounds * 1000000000ull / nanoseconds(cycles) : 0;
        sys::print("bench: IPC one way, %lu bytes: %lu.%02lu ns; %lu messages/s\n", bytes,
                   nanoseconds(cycles) / rounds / 2, nanoseconds(cycles) * 50 / rounds % 100, per_second);
    }
    sys::thread_suspend(server);
    sys::cap_delete(slot::cnode, server);
}

void null_syscall() {
    uint64_t start = rdtsc();
    for (uint64_t i = 0; i < rounds; ++i) sys::cap_identify(0);
    report("null system call (cap_identify of slot 0)", rdtsc() - start, rounds);
}

// Two threads in two address spaces, the same priority, yielding to each
// other: every yield is one thread switch with an address-space switch.
void yield_between_address_spaces() {
    partner_done = context.memory.allocate(abi::ObjectType::notification);
    Cptr space = make_partner_space();
    constexpr uint8_t priority = 100;
    Cptr partner = make_thread(space, yield_partner, rounds, priority, next_stack_top());
    if (!partner || !space || !partner_done) {
        sys::print("bench: could not set up the yield benchmark\n");
        return;
    }
    sys::thread_set_priority(slot::thread, priority);  // from here on we share the CPU with it
    sys::thread_resume(partner);
    sys::yield();  // let it start
    uint64_t start = rdtsc();
    for (uint64_t i = 0; i < rounds; ++i) sys::yield();
    uint64_t cycles = rdtsc() - start;
    sys::notification_wait(partner_done);
    report("thread switch via yield, two address spaces", cycles, 2 * rounds);
}

}  // namespace

// Mapping and unmapping one page from user space, page tables in place:
// what a task pays to map memory itself.
void map_one_page() {
    constexpr uint64_t address = 0x0000330000000000ull;
    Cptr frame = context.memory.allocate(abi::ObjectType::frame);
    if (!frame || !sys::ok(context.memory.map_frame(frame, slot::vspace, address, abi::rights::read))) return;
    sys::frame_unmap(frame);
    uint64_t start = rdtsc();
    for (uint64_t i = 0; i < rounds; ++i) {
        sys::frame_map(frame, slot::vspace, address, abi::rights::read | abi::rights::write);
        sys::frame_unmap(frame);
    }
    report("map one page from user space (frame_map + frame_unmap)", rdtsc() - start, rounds);
}

// A page fault served by the pager server, measured inside a task of the
// loader's (pager_stress bench) so that the pager is its fault handler.
void pager_fault() {
    char tsc[24];
    lib::format_to(tsc, sizeof tsc, "%lu", context.info->tsc_hz);
    const char* argv[] = {"pager_stress", "bench", "200", tsc};
    sys::loader::Task task;
    if (run_program(4, argv, 100, task)) sys::loader::wait(start_loader(), task);
}

int run_benchmarks() {
    sys::print("bench: TSC %lu Hz, timer %u Hz\n", context.info->tsc_hz, context.info->timer_hz);
    null_syscall();
    map_one_page();
    pager_fault();
    ipc_round_trips();
    yield_between_address_spaces();  // last: it lowers our own priority for good
    return 0;
}

}  // namespace root
