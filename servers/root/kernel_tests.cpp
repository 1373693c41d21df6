// In-guest tests of capabilities, memory, threads, the scheduler and the
// FPU, run by the root task with run=tests.
#include <initializer_list>

#include "sys/ipc.hpp"
#include "test_support.hpp"

namespace root::testing {

namespace {

// --- capabilities ---------------------------------------------------------------

void forged_slot_is_refused(Test& t) {
    const char text[] = "x";
    t.expect(sys::debug_write(0, text, 1), Error::invalid_capability, "slot 0");
    t.expect(sys::debug_write((1ull << context.info->cnode_radix) - 1, text, 1), Error::invalid_capability, "empty slot");
    t.expect(sys::debug_write(1ull << 40, text, 1), Error::invalid_capability, "slot beyond the CNode");
    t.expect(sys::debug_write(uint64_t(-1), text, 1), Error::invalid_capability, "slot -1");
    t.expect(sys::debug_write(slot::thread, text, 1), Error::wrong_type, "a thread used as console");
    t.expect(sys::thread_resume(slot::console), Error::wrong_type, "a console used as thread");
}

void unknown_syscall_is_refused(Test& t) {
    t.expect(sys::syscall(abi::Syscall(999)).rax, Error::unknown_syscall, "call 999");
    t.expect(sys::syscall(abi::Syscall(uint64_t(-1))).rax, Error::unknown_syscall, "call -1");
    t.expect(sys::syscall(abi::Syscall::count).rax, Error::unknown_syscall, "call count");
}

void mint_removes_rights(Test& t) {
    Cptr read_only_console = free_slot();
    t.expect(sys::cap_mint(slot::cnode, read_only_console, slot::cnode, slot::console, rights::read, 0), Error::none,
             "mint console without write");
    t.expect(sys::debug_write(read_only_console, "x", 1), Error::insufficient_rights, "print through it");
    auto info = sys::cap_identify(read_only_console);
    if (info.rights != rights::read) t.fail("minted rights are %u, expected read only", info.rights);

    Cptr n = allocate(ObjectType::notification);
    Cptr signal_only = free_slot(), wait_only = free_slot();
    t.expect(sys::cap_mint(slot::cnode, signal_only, slot::cnode, n, rights::write, 0), Error::none, "mint signal-only");
    t.expect(sys::cap_mint(slot::cnode, wait_only, slot::cnode, n, rights::read, 0), Error::none, "mint wait-only");
    t.expect(sys::notification_wait(signal_only).status, Error::insufficient_rights, "wait without read");
    t.expect(sys::notification_signal(wait_only), Error::insufficient_rights, "signal without write");
    // Rights only ever shrink: minting back "all" from the reduced copy.
    Cptr regrown = free_slot();
    t.expect(sys::cap_mint(slot::cnode, regrown, slot::cnode, wait_only, rights::all, 0), Error::none, "re-mint");
    if (sys::cap_identify(regrown).rights != rights::read) t.fail("a mint regained rights it did not have");
    for (Cptr c : {read_only_console, n, signal_only, wait_only, regrown}) sys::cap_delete(slot::cnode, c);
}

void badges_are_set_once(Test& t) {
    Cptr n = allocate(ObjectType::notification);
    Cptr badged = free_slot(), rebadged = free_slot();
    t.expect(sys::cap_mint(slot::cnode, badged, slot::cnode, n, rights::all, 0x40), Error::none, "mint badge");
    if (sys::cap_identify(badged).data != 0x40) t.fail("badge not recorded");
    t.expect(sys::cap_mint(slot::cnode, rebadged, slot::cnode, badged, rights::all, 0x80), Error::bad_argument,
             "re-badging a badged capability");
    t.expect(sys::cap_mint(slot::cnode, rebadged, slot::cnode, slot::console, rights::all, 1), Error::bad_argument,
             "badging a console");
    sys::notification_signal(badged);
    uint64_t bits = sys::notification_poll(n).word;
    if (bits != 0x40) t.fail("signal through the badged capability gave 0x%lx", bits);
    sys::cap_delete(slot::cnode, badged);
    sys::cap_delete(slot::cnode, n);
}

void revoke_removes_every_derived_capability(Test& t) {
    Cptr original = allocate(ObjectType::endpoint);
    Cptr copies[6];
    Cptr from = original;
    for (Cptr& c : copies) {  // a chain: each a copy of the previous one
        c = free_slot();
        t.expect(sys::cap_copy(slot::cnode, c, slot::cnode, from), Error::none, "copy");
        from = c;
    }
    Cptr minted = free_slot();
    t.expect(sys::cap_mint(slot::cnode, minted, slot::cnode, copies[2], rights::write, 7), Error::none, "mint");
    Cptr moved = free_slot();
    t.expect(sys::cap_move(slot::cnode, moved, slot::cnode, copies[5]), Error::none, "move");
    t.expect(sys::cap_revoke(slot::cnode, original), Error::none, "revoke");
    for (Cptr c : copies)
        if (sys::cap_identify(c).result >= 0) t.fail("copy in slot %lu survived the revoke", c);
    if (sys::cap_identify(minted).result >= 0) t.fail("minted copy survived the revoke");
    if (sys::cap_identify(moved).result >= 0) t.fail("moved copy survived the revoke");
    if (sys::cap_identify(original).type != ObjectType::endpoint) t.fail("the revoked capability itself is gone");
    sys::cap_delete(slot::cnode, original);
}

void copy_and_move_check_their_slots(Test& t) {
    Cptr n = allocate(ObjectType::notification);
    t.expect(sys::cap_copy(slot::cnode, slot::console, slot::cnode, n), Error::slot_occupied, "copy onto a full slot");
    t.expect(sys::cap_copy(slot::cnode, 0, slot::cnode, n), Error::bad_argument, "copy into slot 0");
    t.expect(sys::cap_copy(slot::cnode, 1ull << 20, slot::cnode, n), Error::bad_argument, "copy beyond the CNode");
    t.expect(sys::cap_copy(slot::console, 5, slot::cnode, n), Error::wrong_type, "copy into a non-CNode");
    Cptr empty = free_slot();
    t.expect(sys::cap_copy(slot::cnode, free_slot(), slot::cnode, empty), Error::invalid_capability, "copy of nothing");
    Cptr untyped_copy = free_slot();
    t.expect(sys::cap_copy(slot::cnode, untyped_copy, slot::cnode, context.info->untyped.first), Error::bad_argument,
             "copy of untyped memory");
    sys::cap_delete(slot::cnode, n);
}

// --- untyped memory ---------------------------------------------------------------

void retype_checks_and_revoke_recycles(Test& t) {
    // A 16 KiB region of our own: four frames fill it.
    Cptr region = allocate(ObjectType::untyped, 14);
    if (!region) return t.fail("no 16 KiB untyped region");
    Cptr frames = context.slots.allocate();
    for (int i = 0; i < 4; ++i) context.slots.allocate();  // frames .. frames+4 are ours
    t.expect(sys::untyped_retype(region, ObjectType::frame, 0, slot::cnode, frames, 4), Error::none, "retype 4 frames");
    t.expect(sys::untyped_retype(region, ObjectType::frame, 0, slot::cnode, frames + 4, 1), Error::out_of_memory,
             "a fifth frame");
    t.expect(sys::untyped_retype(region, ObjectType::frame, 0, slot::cnode, frames, 1), Error::slot_occupied,
             "retype onto a full slot");
    t.expect(sys::untyped_retype(region, ObjectType::debug_console, 0, slot::cnode, frames + 4, 1),
             Error::bad_argument, "retype into a console");
    t.expect(sys::untyped_retype(region, ObjectType(200), 0, slot::cnode, frames + 4, 1), Error::bad_argument,
             "retype into type 200");
    t.expect(sys::untyped_retype(region, ObjectType::cnode, 30, slot::cnode, frames + 4, 1), Error::bad_argument,
             "a CNode of 2^30 slots");
    t.expect(sys::untyped_retype(region, ObjectType::frame, 0, slot::cnode, (1ull << context.info->cnode_radix) - 1, 2),
             Error::bad_argument, "objects past the end of the CNode");
    t.expect(sys::untyped_retype(slot::console, ObjectType::frame, 0, slot::cnode, frames + 4, 1), Error::wrong_type,
             "retype from a console");
    t.expect(sys::cap_revoke(slot::cnode, region), Error::none, "revoke the region");
    for (int i = 0; i < 4; ++i)
        if (sys::cap_identify(frames + i).result >= 0) t.fail("frame %d survived the revoke", i);
    t.expect(sys::untyped_retype(region, ObjectType::frame, 0, slot::cnode, frames, 4), Error::none,
             "retype 4 frames again after the revoke");
    sys::cap_revoke(slot::cnode, region);
    sys::cap_delete(slot::cnode, region);
}

// --- user pointers ----------------------------------------------------------------

void hostile_pointers_are_refused(Test& t) {
    t.expect(sys::debug_write(slot::console, reinterpret_cast<const char*>(0xFFFF800000000000ull), 8),
             Error::bad_address, "kernel address");
    t.expect(sys::debug_write(slot::console, reinterpret_cast<const char*>(0x10), 8), Error::bad_address,
             "unmapped user address");
    t.expect(sys::debug_write(slot::console, reinterpret_cast<const char*>(abi::user_address_limit - 4), 8),
             Error::bad_address, "range crossing the end of the user half");
    t.expect(sys::debug_write(slot::console, "x", uint64_t(-1)), Error::bad_address, "length that wraps");
    Cptr thread = allocate(ObjectType::thread);
    abi::ThreadRegisters r{};
    t.expect(sys::syscall(abi::Syscall::thread_read_registers, thread, 0xFFFFFFFF80100000ull).rax, Error::bad_address,
             "read registers into the kernel");
    r.rip = 0xFFFFFFFF80100000ull;
    t.expect(sys::thread_write_registers(thread, r), Error::bad_address, "a thread started in the kernel half");
    t.expect(sys::thread_write_registers(slot::thread, r), Error::bad_argument, "rewriting one's own registers");
    t.expect(sys::thread_resume(thread), Error::bad_argument, "resume of an unconfigured thread");
    sys::cap_delete(slot::cnode, thread);
}

void mappings_check_their_arguments(Test& t) {
    Cptr frame = allocate(ObjectType::frame);
    t.expect(sys::frame_map(frame, slot::vspace, 0x0000400000000123ull, rights::read), Error::bad_address, "unaligned");
    t.expect(sys::frame_map(frame, slot::vspace, abi::user_address_limit, rights::read), Error::bad_address,
             "at the user limit");
    t.expect(sys::frame_map(frame, slot::vspace, 0xFFFF800000000000ull, rights::read), Error::bad_address,
             "in the kernel half");
    t.expect(sys::frame_map(frame, slot::vspace, 0x0000400000000000ull, rights::read | rights::write | rights::execute),
             Error::bad_argument, "writable and executable");
    unsigned level = 0;
    t.expect(sys::frame_map(frame, slot::vspace, 0x0000400000000000ull, rights::read, &level),
             Error::missing_page_table, "no page tables there yet");
    if (level != 3) t.fail("missing level %u, expected 3 (a PDPT)", level);
    t.expect(context.memory.map_frame(frame, slot::vspace, 0x0000400000000000ull, rights::read), Error::none,
             "map with page tables made as needed");
    t.expect(sys::frame_map(frame, slot::vspace, 0x0000400000001000ull, rights::read), Error::already_mapped,
             "the same capability mapped twice");
    if (*reinterpret_cast<volatile uint64_t*>(0x0000400000000000ull) != 0) t.fail("a new frame is not zeroed");
    t.expect(sys::frame_unmap(frame), Error::none, "unmap");
    t.expect(sys::frame_unmap(frame), Error::not_mapped, "unmap twice");
    sys::cap_delete(slot::cnode, frame);
}

// --- threads, blocking and destruction -----------------------------------------------

Cptr test_endpoint;

void blocked_waiter(uint64_t index) {
    shared.results[index] = sys::notification_wait(shared.counters[0]).status;
    finish_thread();
}

void destroying_a_notification_wakes_its_waiter(Test& t) {
    Cptr n = allocate(ObjectType::notification);
    reset_shared(1);
    shared.counters[0] = n;
    // At our own priority the waiter runs when we yield, and blocks.
    Cptr thread = make_thread(slot::vspace, blocked_waiter, 0, abi::root_priority, next_stack_top());
    sys::thread_resume(thread);
    sys::yield();
    sys::cap_delete(slot::cnode, n);  // the last capability: the waiter must wake
    sys::notification_wait(shared.done_notification);
    if (sys::error_of(shared.results[0]) != Error::object_destroyed)
        t.fail("the waiter got \"%s\", expected \"object destroyed\"", sys::describe(sys::error_of(shared.results[0])));
    sys::cap_delete(slot::cnode, thread);
}

void silent_server(uint64_t) {
    auto got = sys::ipc::receive(test_endpoint);
    shared.results[1] = got.result == 0 ? int64_t(got.label()) : got.result;
    sys::notification_signal(shared.done_notification);  // tell the root task we hold the call
    sys::notification_wait(shared.counters[1]);          // and never reply
    sys::exit(0);
}

void client(uint64_t) {
    auto answer = sys::ipc::call(test_endpoint, sys::ipc::Message{abi::ipc::make_tag(42, 0), {}});
    shared.results[0] = answer.result;
    finish_thread();
}

void destroyed_server_wakes_its_caller(Test& t) {
    test_endpoint = allocate(ObjectType::endpoint);
    Cptr never = allocate(ObjectType::notification);
    reset_shared(1);
    shared.counters[1] = never;
    Cptr server = make_thread(slot::vspace, silent_server, 0, 100, next_stack_top());
    Cptr caller = make_thread(slot::vspace, client, 0, 100, next_stack_top());
    sys::thread_resume(server);
    sys::thread_resume(caller);
    sys::notification_wait(shared.done_notification);  // the server has the call
    if (shared.results[1] != 42) t.fail("the server received label %ld, expected 42", shared.results[1]);
    sys::cap_delete(slot::cnode, server);  // destroy it while it owes a reply
    sys::notification_wait(shared.done_notification);  // the client finished
    if (sys::error_of(shared.results[0]) != Error::partner_died)
        t.fail("the caller got \"%s\", expected \"partner died\"", sys::describe(sys::error_of(shared.results[0])));
    for (Cptr c : {caller, test_endpoint, never}) sys::cap_delete(slot::cnode, c);
}

void faulting_thread(uint64_t) {
    volatile uint64_t* null_page = nullptr;
    asm("" : "+r"(null_page));  // hide the constant from the compiler's bounds checks
    null_page[1] = 1;           // page fault: this thread alone is stopped
    finish_thread();                                   // never reached
}

void a_faulting_thread_is_stopped_alone(Test& t) {
    reset_shared(1);
    Cptr thread = make_thread(make_test_space(), faulting_thread, 0, abi::root_priority, next_stack_top());
    if (!thread) return t.fail("could not create the thread");
    sys::thread_resume(thread);
    sys::yield();  // it runs, faults and is stopped; then we go on
    if (shared.done) t.fail("the faulting thread ran past its fault");
    t.expect(sys::thread_resume(thread), Error::none, "the stopped thread can still be named");
    sys::cap_delete(slot::cnode, thread);
}

// --- scheduling ----------------------------------------------------------------------

constexpr uint64_t spinner_turns = 6;

// Never yields: counts the turns it gets until it has had spinner_turns.
// A turn starts when it finds another thread was the last to run; the
// compare-and-swap claims the turn's number atomically (a single
// instruction, so preemption cannot split it), and the turn's owner is
// filed under that number. Host timing plays no part.
void spinner(uint64_t index) {
    while (shared.turns[index] < spinner_turns) {
        uint64_t seen = __atomic_load_n(&shared.runner, __ATOMIC_SEQ_CST);
        if ((seen & 0xFF) != index + 1) {
            uint64_t turn = seen >> 8;
            if (__atomic_compare_exchange_n(&shared.runner, &seen, ((turn + 1) << 8) | (index + 1), false,
                                            __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
                if (turn < 256) shared.order[turn] = index;
                shared.turns[index] = shared.turns[index] + 1;
            }
        }
        shared.counters[index] = shared.counters[index] + 1;
    }
    finish_thread();
}

void preemption_is_round_robin(Test& t) {
    constexpr uint64_t n = 4;
    sys::thread_set_priority(slot::thread, 255);
    if (!run_threads(t, n, spinner, 100, true)) return;
    for (uint64_t i = 0; i < n; ++i)
        if (shared.counters[i] == 0 || shared.turns[i] < spinner_turns)
            t.fail("thread %lu made no progress (%lu turns)", i, shared.turns[i]);
    // While all are running, the turns must cycle through them in a fixed
    // order: period n, n different threads.
    uint64_t checked = n * (spinner_turns - 1);
    for (uint64_t i = n; i < checked; ++i)
        if (shared.order[i] != shared.order[i - n])
            t.fail("turn %lu went to thread %lu, round robin wants %lu", i, shared.order[i], shared.order[i - n]);
    for (uint64_t i = 0; i < n; ++i)
        for (uint64_t j = i + 1; j < n; ++j)
            if (shared.order[i] == shared.order[j]) t.fail("the first %lu turns did not go to %lu threads", n, n);
}

void timed_spin(uint64_t index) {
    shared.marks[index][0] = rdtsc();
    // Priority is authority: no thread can raise itself.
    shared.results[index] = sys::thread_set_priority(shared.counters[8 + index], 200);
    uint64_t until = shared.marks[index][0] + shared.turn_gap * 30;  // about 30 ms
    while (rdtsc() < until) shared.counters[index] = shared.counters[index] + 1;
    shared.marks[index][1] = rdtsc();
    finish_thread();
}

void higher_priority_runs_first(Test& t) {
    reset_shared(2);
    Cptr low = make_thread(make_test_space(), timed_spin, 0, 100, next_stack_top());
    Cptr high = make_thread(make_test_space(), timed_spin, 1, 150, next_stack_top());
    if (!low || !high) return t.fail("could not create the threads");
    shared.counters[8] = low;
    shared.counters[9] = high;
    sys::thread_resume(low);  // resumed first, yet must run last
    sys::thread_resume(high);
    sys::notification_wait(shared.done_notification);
    if (!(shared.marks[1][1] <= shared.marks[0][0]))
        t.fail("the low-priority thread started before the high-priority one finished");
    t.expect(shared.results[0], Error::not_permitted, "a thread raising itself above its priority");
    t.expect(sys::thread_set_priority(low, abi::root_priority), Error::none, "raising another to our own priority");
    sys::cap_delete(slot::cnode, low);
    sys::cap_delete(slot::cnode, high);
}

// --- floating point --------------------------------------------------------------------

typedef double double2 __attribute__((vector_size(16)));

// A computation long enough to be preempted many times, with its state in
// SSE registers throughout.
double float_work(uint64_t seed, uint64_t iterations) {
    double2 v = {1.0 + double(seed) * 0.25, 2.0 - double(seed) * 0.125};
    double2 step = {1.0000001 + double(seed) * 1e-9, 0.9999999 - double(seed) * 1e-9};
    double x = double(seed) + 0.5;
    for (uint64_t i = 0; i < iterations; ++i) {
        v = v * step + 0.001;
        x = x * 0.999999 + v[0] * 1e-7 - v[1] * 1e-8;
    }
    return x + v[0] + v[1];
}

constexpr uint64_t float_iterations = 3000000;

void float_thread(uint64_t index) {
    uint64_t start = rdtsc();
    double result = float_work(index + 1, float_iterations);
    __builtin_memcpy(const_cast<int64_t*>(&shared.results[index]), &result, sizeof result);
    shared.marks[index][0] = start;
    shared.marks[index][1] = rdtsc();
    finish_thread();
}

void fpu_state_survives_preemption(Test& t) {
    constexpr uint64_t n = 3;
    sys::thread_set_priority(slot::thread, 255);
    if (!run_threads(t, n, float_thread, 100, false)) return;
    for (uint64_t i = 0; i < n; ++i) {
        double expected = float_work(i + 1, float_iterations);
        double got;
        __builtin_memcpy(&got, const_cast<int64_t*>(&shared.results[i]), sizeof got);
        if (__builtin_memcmp(&got, &expected, sizeof got) != 0) t.fail("thread %lu computed a different result", i);
    }
    // The check means something only if the threads really overlapped.
    bool overlapped = shared.marks[0][1] > shared.marks[1][0] && shared.marks[1][1] > shared.marks[0][0];
    if (!overlapped) t.fail("the floating-point threads did not run interleaved");
}

bool cpu_has_avx() {
    uint32_t eax = 1, ebx, ecx, edx;
    asm("cpuid" : "+a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "c"(0));
    return (ecx & (1u << 28)) && (ecx & (1u << 27));  // AVX, and the kernel enabled XSAVE (OSXSAVE)
}

// Fills ymm0..ymm3 with a per-thread pattern, spins across several
// preemptions, and checks all 256 bits of each survived.
void avx_thread(uint64_t index) {
    uint64_t pattern[4][4];
    for (int r = 0; r < 4; ++r)
        for (int w = 0; w < 4; ++w) pattern[r][w] = (index + 1) * 0x0101010101010101ull ^ uint64_t(r * 4 + w) << 56;
    uint64_t back[4][4];
    asm volatile(
        "vmovdqu (%0), %%ymm0\n vmovdqu 32(%0), %%ymm1\n vmovdqu 64(%0), %%ymm2\n vmovdqu 96(%0), %%ymm3"
        ::"r"(pattern) : "memory");
    uint64_t until = rdtsc() + shared.turn_gap * 40;  // about 40 ms: several turns
    while (rdtsc() < until) asm volatile("" ::: "memory");
    asm volatile(
        "vmovdqu %%ymm0, (%0)\n vmovdqu %%ymm1, 32(%0)\n vmovdqu %%ymm2, 64(%0)\n vmovdqu %%ymm3, 96(%0)\n vzeroupper"
        ::"r"(back) : "memory");
    shared.results[index] = __builtin_memcmp(pattern, back, sizeof back) == 0;
    finish_thread();
}

void avx_state_survives_preemption(Test& t) {
    if (!cpu_has_avx()) {
        t.skip("this CPU has no AVX (try -cpu max)");
        return;
    }
    constexpr uint64_t n = 3;
    sys::thread_set_priority(slot::thread, 255);
    if (!run_threads(t, n, avx_thread, 100, false)) return;
    for (uint64_t i = 0; i < n; ++i)
        if (shared.results[i] != 1) t.fail("thread %lu lost part of its ymm registers", i);
}

}  // namespace

// The kernel's longest timer latency: read through the console with the
// read right only, reset on request, and bounded by a tick (the figure
// counts up to one timer period).
void timer_latency_is_reported(Test& t) {
    Cptr write_only = free_slot();
    sys::cap_mint(slot::cnode, write_only, slot::cnode, slot::console, rights::write, 0);
    t.expect(sys::debug_timer_latency(write_only, false).status, Error::insufficient_rights, "without the read right");
    t.expect(sys::debug_timer_latency(slot::thread, false).status, Error::wrong_type, "through a thread");
    sys::LatencyResult first = sys::debug_timer_latency(slot::console, true);
    t.expect(first.status, Error::none, "read and reset");
    uint64_t tick_ns = 1000000000ull / context.info->timer_hz;
    if (first.nanoseconds >= tick_ns) t.fail("a latency of %lu ns, not under one tick (%lu ns)", first.nanoseconds, tick_ns);
    uint64_t end = sys::rdtsc() + context.info->tsc_hz / 100;  // ~10 ticks of ordinary calls
    while (sys::rdtsc() < end) sys::cap_identify(0);
    sys::LatencyResult after = sys::debug_timer_latency(slot::console, false);
    if (after.nanoseconds == 0) t.fail("no latency measured over 10 ticks (the timer handler does not measure)");
    sys::cap_delete(slot::cnode, write_only);
}

const Case kernel_cases[] = {
    {"debug: the longest timer latency is read with the console's read right and reset", timer_latency_is_reported},
    {"capabilities: a forged slot index is refused", forged_slot_is_refused},
    {"syscalls: an unknown call number is refused", unknown_syscall_is_refused},
    {"capabilities: a right removed by mint is refused", mint_removes_rights},
    {"capabilities: badges are set once, and signal as set", badges_are_set_once},
    {"capabilities: revoke removes every derived capability", revoke_removes_every_derived_capability},
    {"capabilities: copy and move check their slots", copy_and_move_check_their_slots},
    {"untyped: retype checks its arguments; revoke makes the memory reusable", retype_checks_and_revoke_recycles},
    {"user pointers: hostile pointers are refused", hostile_pointers_are_refused},
    {"memory: frame mappings check their arguments", mappings_check_their_arguments},
    {"threads: deleting a notification wakes its waiter with an error", destroying_a_notification_wakes_its_waiter},
    {"threads: a server destroyed while holding a call wakes its caller with an error", destroyed_server_wakes_its_caller},
    {"threads: a faulting thread is stopped alone", a_faulting_thread_is_stopped_alone},
    {"scheduler: busy threads in separate address spaces share the CPU round robin", preemption_is_round_robin},
    {"scheduler: a higher-priority thread runs first", higher_priority_runs_first},
    {"fpu: SSE state survives preemption", fpu_state_survives_preemption},
    {"fpu: AVX state survives preemption", avx_state_survives_preemption},
};
const uint64_t kernel_case_count = sizeof kernel_cases / sizeof *kernel_cases;

}  // namespace root::testing
