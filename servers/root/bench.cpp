// Benchmarks, run by the root task with run=bench. Figures are printed as
// "bench: <name>: <value> <unit>" lines; under QEMU -icount shift=0 one
// guest nanosecond is one instruction, so ns figures are instruction counts.
#include <initializer_list>

#include "common/format.hpp"
#include "edu.hpp"
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

namespace {

// The kernel's longest interrupts-off stretch (the timer's worst latency)
// while one long operation runs, against a baseline of ordinary calls.
struct LatencyProbe {
    uint64_t start;
    LatencyProbe() {
        sys::debug_timer_latency(slot::console, true);
        start = rdtsc();
    }
    void report(const char* what) {
        uint64_t cycles = rdtsc() - start;
        uint64_t latency = sys::debug_timer_latency(slot::console, false).nanoseconds;
        sys::print("bench: longest interrupts-off stretch during %s: %lu ns (the whole took %lu us)\n", what,
                   latency, nanoseconds(cycles) / 1000);
    }
};

void long_operation_latency() {
    {
        LatencyProbe probe;
        uint64_t until = rdtsc() + context.info->tsc_hz / 100;
        while (rdtsc() < until) sys::cap_identify(0);
        probe.report("10 ms of null system calls (baseline)");
    }
    // Retype of 64 MiB: sixteen CNodes of 2^16 slots, cleared by the kernel.
    Cptr region = context.memory.allocate(abi::ObjectType::untyped, 26);
    Cptr first = context.slots.allocate();
    for (int i = 1; i < 16; ++i) context.slots.allocate();
    if (!region || !first) return (void)sys::print("bench: no 64 MiB region for the latency benchmark\n");
    {
        LatencyProbe probe;
        int64_t r = sys::untyped_retype(region, abi::ObjectType::cnode, 16, slot::cnode, first, 16);
        if (!sys::ok(r)) return (void)sys::print("bench: retype of 64 MiB failed: %s\n", sys::describe(sys::error_of(r)));
        probe.report("a retype of 64 MiB (16 CNodes of 4 MiB)");
    }
    // Revoke of 10,000 capabilities: copies of an endpoint in one of those
    // CNodes, half as a chain (each a copy of the previous), half as a fan.
    constexpr uint64_t copies = 10000;
    Cptr ep = context.memory.allocate(abi::ObjectType::endpoint);
    Cptr source = ep;
    Cptr source_cnode = slot::cnode;
    for (uint64_t i = 1; i <= copies; ++i) {
        bool chain = i <= copies / 2;
        int64_t r = sys::cap_copy(first, i, chain ? source_cnode : slot::cnode, chain ? source : ep);
        if (!sys::ok(r)) return (void)sys::print("bench: copy %lu failed: %s\n", i, sys::describe(sys::error_of(r)));
        // The chain's next copy is made from this one, named through the
        // CNode it sits in: a CNode capability to it lives at `first`.
        source = i, source_cnode = first;
    }
    {
        LatencyProbe probe;
        sys::cap_revoke(slot::cnode, ep);
        probe.report("a revoke of 10000 capabilities");
    }
    {
        LatencyProbe probe;
        sys::cap_revoke(slot::cnode, region);
        probe.report("a revoke of the 64 MiB region");
    }
}

}  // namespace

namespace {

// --- a fault round trip to a user-space handler ---------------------------------

// Executes ud2 until its handler stops it: every fault is one round trip
// (exception, fault message, the handler's reply, resume at the same ud2).
[[noreturn]] void faulting_loop(uint64_t) {
    for (;;) asm volatile("ud2");
}

void fault_round_trip() {
    Cptr handler = context.memory.allocate(abi::ObjectType::endpoint);
    Cptr space = make_partner_space();
    Cptr thread = space && handler ? make_thread(space, faulting_loop, 0, abi::root_priority, next_stack_top()) : 0;
    if (!thread || !sys::ok(sys::thread_configure(thread, slot::cnode, space, 0, 0, handler))) {
        sys::print("bench: could not set up the fault benchmark\n");
        return;
    }
    sys::thread_resume(thread);
    sys::ipc::Received r = sys::ipc::receive(handler);  // its first fault
    const sys::ipc::Message resume{sys::ipc::make_tag(0, 0), {}};
    for (uint64_t i = 0; i < 100; ++i) r = sys::ipc::reply_receive(handler, resume);
    uint64_t start = rdtsc();
    for (uint64_t i = 0; i < rounds; ++i) r = sys::ipc::reply_receive(handler, resume);
    uint64_t cycles = rdtsc() - start;
    if (r.label() != abi::ipc::fault_label || r.message.words[3] != 6) sys::print("bench: unexpected fault message\n");
    sys::ipc::reply(sys::ipc::Message{sys::ipc::make_tag(1, 0), {}});  // stop it
    report("fault round trip to a user-space handler (ud2, two address spaces)", cycles, rounds);
    sys::cap_delete(slot::cnode, thread);
}

// --- IPC with one capability transferred ------------------------------------------

Cptr cap_endpoint, cap_landing;

// Receives a capability with every call, deletes it, and answers: the
// slow path both ways (capability transfer is never the fast path).
[[noreturn]] void capability_echo(uint64_t) {
    auto& b = *reinterpret_cast<abi::ipc::Buffer*>(thread_ipc_buffer());
    b.receive_cnode = slot::cnode;
    b.receive_index = cap_landing;
    sys::ipc::receive(cap_endpoint);
    for (;;) {
        sys::cap_delete(slot::cnode, cap_landing);
        sys::ipc::reply_receive(cap_endpoint, sys::ipc::Message{sys::ipc::make_tag(1, 0), {}});
    }
}

void ipc_with_a_capability() {
    cap_endpoint = context.memory.allocate(abi::ObjectType::endpoint);
    cap_landing = context.slots.allocate();
    Cptr passed = context.memory.allocate(abi::ObjectType::notification);
    Cptr space = make_partner_space();
    Cptr server = space && cap_endpoint && passed && cap_landing
                      ? make_thread(space, capability_echo, 0, abi::root_priority, next_stack_top())
                      : 0;
    if (!server) return (void)sys::print("bench: could not set up the capability benchmark\n");
    sys::thread_resume(server);
    sys::yield();
    const sys::ipc::Message m{sys::ipc::make_tag(1, 0, 1), {}};
    for (uint64_t i = 0; i < 100; ++i) {
        sys::ipc::buffer().caps[0] = passed;
        sys::ipc::call(cap_endpoint, m);
    }
    uint64_t start = rdtsc();
    for (uint64_t i = 0; i < rounds; ++i) {
        sys::ipc::buffer().caps[0] = passed;
        sys::ipc::call(cap_endpoint, m);
    }
    report("IPC round trip with one capability transferred (and deleted by the receiver)", rdtsc() - start, rounds);
    sys::thread_suspend(server);
    sys::cap_delete(slot::cnode, server);
}

// --- spawn and wait ---------------------------------------------------------------

void spawn_and_wait() {
    constexpr uint64_t spawns = 50;
    const char* argv[] = {"exit_code", "0"};
    sys::loader::Task task;
    if (!run_program(2, argv, 100, task)) return (void)sys::print("bench: could not spawn exit_code\n");
    sys::loader::wait(start_loader(), task);
    uint64_t start = rdtsc();
    for (uint64_t i = 0; i < spawns; ++i)
        if (!run_program(2, argv, 100, task) || sys::loader::wait(start_loader(), task) != 0)
            return (void)sys::print("bench: spawn %lu failed\n", i);
    report("spawn and wait of a small program (exit_code: built by the loader, paged in, exits)", rdtsc() - start,
           spawns);
}

// --- a signal to a waiting higher-priority thread ----------------------------------

volatile uint64_t woken_at, woken_total, wakeups;
Cptr wake_notification, signal_waiter;

[[noreturn]] void waiting_thread(uint64_t) {
    for (;;) {
        sys::notification_wait(wake_notification);
        woken_total = woken_total + (rdtsc() - woken_at);
        wakeups = wakeups + 1;
    }
}

// The signaller runs at 200, the waiter at 201 in the same address space:
// each signal switches to the waiter at once, which then waits again.
// Measured from just before the signal to the waiter's first instruction
// after its wait. Last but one: it lowers our own priority for good.
void signal_to_higher_priority() {
    wake_notification = context.memory.allocate(abi::ObjectType::notification);
    Cptr waiter = wake_notification ? make_thread(slot::vspace, waiting_thread, 0, 201, next_stack_top()) : 0;
    if (!waiter) return (void)sys::print("bench: could not set up the signal benchmark\n");
    sys::thread_resume(waiter);
    sys::thread_set_priority(slot::thread, 200);
    for (uint64_t i = 0; i < 100; ++i) {
        woken_at = rdtsc();
        sys::notification_signal(wake_notification);
    }
    woken_total = 0;
    wakeups = 0;
    for (uint64_t i = 0; i < rounds; ++i) {
        woken_at = rdtsc();
        sys::notification_signal(wake_notification);
    }
    if (wakeups != rounds) sys::print("bench: %lu of %lu signals woke the waiter\n", wakeups, rounds);
    report("signal a notification to a waiting higher-priority thread (to its first instruction)", woken_total,
           wakeups ? wakeups : 1);
    signal_waiter = waiter;  // msi_to_waiting_thread's waiter too: at 200 we can make none above us
}

void time_msis(Edu& edu, Cptr handler) {
    for (uint64_t i = 0; i < rounds + 100; ++i) {
        if (i == 100) {
            woken_total = 0;
            wakeups = 0;
        }
        woken_at = rdtsc();
        edu.raise();
        edu.clear();
        sys::irq_ack(handler);
    }
    if (wakeups != rounds) sys::print("bench: %lu of %lu MSIs woke the waiter\n", wakeups, rounds);
    report("MSI to a waiting higher-priority thread (device register write to its first instruction)", woken_total,
           wakeups ? wakeups : 1);
}

// An MSI from QEMU's edu device to a thread waiting at a higher priority
// (as a driver waits for its device): from the register write that raises
// it to the thread's first instruction after its wait. The interrupt, the
// kernel's signal and the switch are all in it. After
// signal_to_higher_priority, whose waiter (at 201, above us) it takes over
// and deletes.
void msi_to_waiting_thread() {
    Cptr handler = context.slots.allocate();
    sys::ValueResult m = sys::irq_issue_msi(slot::irq_control, slot::cnode, handler);
    Edu edu;
    if (!sys::ok(m.status) || edu.open(m.value) != Edu::Open::ok)
        sys::print("bench: no edu device (-device edu): no MSI figure\n");
    else if (!signal_waiter || !sys::ok(sys::irq_set_notification(handler, wake_notification)))
        sys::print("bench: could not set up the MSI benchmark\n");
    else
        time_msis(edu, handler);
    edu.close();
    sys::thread_suspend(signal_waiter);
    sys::cap_delete(slot::cnode, signal_waiter);
    sys::cap_delete(slot::cnode, handler);
}

}  // namespace

int run_benchmarks() {
    sys::print("bench: TSC %lu Hz, timer %u Hz\n", context.info->tsc_hz, context.info->timer_hz);
    // QEMU's TSC starts at 0 at reset, so this is firmware, boot loader,
    // kernel start-up and the root task's start (the kernel's timer check
    // of timercheck= ticks included).
    sys::print("bench: boot to the first user-space line (machine reset to the root task's first line): %lu us\n",
               context.first_line_tsc * 1000000 / context.info->tsc_hz);
    null_syscall();
    map_one_page();
    pager_fault();
    ipc_round_trips();
    long_operation_latency();
    ipc_with_a_capability();
    spawn_and_wait();
    fault_round_trip();
    signal_to_higher_priority();     // lowers our priority to 200
    msi_to_waiting_thread();
    yield_between_address_spaces();  // last: it lowers our own priority for good
    return 0;
}

}  // namespace root
