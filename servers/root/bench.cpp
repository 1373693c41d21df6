// Benchmarks, run by the root task with run=bench. Figures are printed as
// "bench: <name>: <value> <unit>" lines; under QEMU -icount shift=0 one
// guest nanosecond is one instruction, so ns figures are instruction counts.
#include "root.hpp"

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

void null_syscall() {
    uint64_t start = rdtsc();
    for (uint64_t i = 0; i < rounds; ++i) sys::cap_identify(0);
    report("null system call (cap_identify of slot 0)", rdtsc() - start, rounds);
}

// Two threads in two address spaces, the same priority, yielding to each
// other: every yield is one thread switch with an address-space switch.
void yield_between_address_spaces() {
    partner_done = context.memory.allocate(abi::ObjectType::notification);
    Cptr space = make_code_sharing_space();
    // The partner's data (partner_rounds, partner_done) lives in our private
    // pages, so share them: map our data segment's frames into its space.
    const abi::BootInfo& info = *context.info;
    for (uint32_t s = 0; s < info.image_segment_count; ++s)
        if (info.image[s].rights & abi::rights::write)
            for (uint64_t i = 0; i < info.image[s].pages; ++i)
                share_page(info.image[s].first_frame + i, space, info.image[s].address + i * 4096);
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

int run_benchmarks() {
    sys::print("bench: TSC %lu Hz, timer %u Hz\n", context.info->tsc_hz, context.info->timer_hz);
    null_syscall();
    yield_between_address_spaces();
    return 0;
}

}  // namespace root
