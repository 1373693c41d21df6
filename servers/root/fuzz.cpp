// run=fuzz seed=S[,S...] calls=N [fuzz_trace=1]: the system-call fuzzer
// under supervision (docs/fuzzing.md).
//
// For each seed the root task builds a fuzz task (apps/syscall_fuzz) from
// one untyped region: its own CNode and address space, holding real
// capabilities to abuse (fuzz_protocol.hpp). It watches the task's status
// page: a fuzzer that faults (its fault endpoint is ours) or makes no
// progress for 0.4 s has hurt itself, or is stuck; its calls so far count,
// its last calls are printed, and after suspending every thread it may have
// made, one revoke of the region frees everything it had. A fresh fuzz
// task then goes on with the rest of the seed's calls.
//
// Beside it, at the same priority, a checker task (apps/fuzz_checker)
// keeps verifying its own memory and 256-byte IPC round trips with an echo
// task; the fuzzer holds no capability to either. After each seed it
// reports its counts; any error fails the run.
#include "abi/ipc.hpp"
#include "abi/task.hpp"
#include "fuzz_protocol.hpp"
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
namespace fs = fuzz::slot;
namespace rights = abi::rights;

constexpr uint8_t priority = 100;            // fuzzer, checker, echo, and we while we watch
constexpr unsigned fuzz_region_bits = 20;    // 1 MiB: everything of one fuzz task
constexpr unsigned checker_region_bits = 21; // the checker and echo tasks
constexpr uint64_t scratch_address = 0x0000320000000000ull;
constexpr uint64_t progress_every = 50000;
constexpr uint64_t default_segment = 10000;  // calls per fuzz task, unless it stops before
constexpr uint64_t silence_ms = 400;         // no call for this long: the fuzzer has stopped
constexpr uint64_t max_restarts = 2000;      // per seed: more means something is broken
constexpr uint64_t badge_fuzz = 1, badge_checker = 2, badge_echo = 3;
constexpr unsigned window_tables = 12;
constexpr uint64_t no_trace = ~0ull;

Cptr watch;  // the fault endpoint of the fuzz, checker and echo tasks

uint64_t ms_to_tsc(uint64_t ms) { return context.info->tsc_hz / 1000 * ms; }
uint64_t tsc_to_ms(uint64_t tsc) { return tsc / (context.info->tsc_hz / 1000); }

// The root task's slots for one fuzz task (reused by each incarnation:
// the revoke of the region empties them).
struct FuzzTask {
    Cptr region;
    sys::ProgramResources r;
    Cptr staging2, staging3;
    Cptr status_fuzz, status_root;  // the status page as the fuzzer and we map it
    Cptr tables[window_tables];     // page tables for those mappings, from the region
    unsigned tables_used;
};

bool allocate_resources(sys::ProgramResources& r, Cptr untyped, unsigned radix, Cptr first_task_slot) {
    auto s = [] { return context.slots.allocate(); };
    r = sys::ProgramResources{untyped, s(), s(), s(), s(), {s(), s()}, scratch_address, radix, first_task_slot};
    return r.staging[1] != 0;
}

// Maps a frame of ours into the fuzz task, page tables from its region.
int64_t map_in_task(FuzzTask& t, Cptr frame, uint64_t address, uint8_t frame_rights) {
    for (;;) {
        unsigned level = 0;
        int64_t e = sys::frame_map(frame, t.r.vspace, address, frame_rights, &level);
        if (sys::error_of(e) != abi::Error::missing_page_table) return e;
        if (t.tables_used == window_tables) return abi::error_code(abi::Error::out_of_memory);
        Cptr table = t.tables[t.tables_used++];
        if (int64_t m = sys::untyped_retype(t.region, ObjectType::page_table, level, slot::cnode, table); m < 0) return m;
        if (int64_t m = sys::page_table_map(table, t.r.vspace, address); m < 0) return m;
    }
}

fuzz::Status& status() { return *reinterpret_cast<fuzz::Status*>(fuzz::status_address); }

#define TRY(what, expression)                                                            \
    do {                                                                                 \
        if (int64_t e_ = (expression); e_ < 0) {                                         \
            sys::print("fuzz: cannot build the fuzz task: %s: %s\n", what, sys::describe(sys::error_of(e_))); \
            return false;                                                                \
        }                                                                                \
    } while (0)

// The playground: real capabilities of every kind, made from the region.
bool build_playground(FuzzTask& t) {
    Cptr c = t.r.cnode, own = slot::cnode, region = t.region;
    Cptr s0 = t.r.staging[0], s1 = t.r.staging[1], s2 = t.staging2;
    TRY("untyped", sys::untyped_retype(region, ObjectType::untyped, 18, c, fs::untyped));
    TRY("untyped", sys::untyped_retype(region, ObjectType::untyped, 14, c, fs::untyped_small));
    TRY("cnode copy", sys::cap_copy(c, fs::cnode_copy, own, c));
    TRY("cnode", sys::untyped_retype(region, ObjectType::cnode, 4, c, fs::cnode_small));
    TRY("endpoints", sys::untyped_retype(region, ObjectType::endpoint, 0, c, fs::endpoint, 2));
    TRY("mint", sys::cap_mint(c, fs::endpoint_minted, c, fs::endpoint, rights::all, 0x22));
    TRY("mint", sys::cap_mint(c, fs::endpoint_minted + 1, c, fs::endpoint + 1, rights::write, 0x23));
    TRY("notifications", sys::untyped_retype(region, ObjectType::notification, 0, c, fs::notification, 2));
    TRY("mint", sys::cap_mint(c, fs::notification_minted, c, fs::notification, rights::all, 0x100));
    TRY("mint", sys::cap_mint(c, fs::notification_minted + 1, c, fs::notification + 1, rights::write, 1ull << 63));
    for (uint64_t i = 0; i < fuzz::playground_pages; ++i) {
        TRY("frame", sys::untyped_retype(region, ObjectType::frame, 0, own, s0));
        TRY("map frame", map_in_task(t, s0, fuzz::playground_address + i * 4096, rights::read | rights::write));
        TRY("move frame", sys::cap_move(c, fs::frame_mapped + i, own, s0));
    }
    TRY("frames", sys::untyped_retype(region, ObjectType::frame, 0, c, fs::frame_unmapped, 4));
    for (unsigned level = 1; level <= 3; ++level)
        TRY("page table", sys::untyped_retype(region, ObjectType::page_table, level, c, fs::page_table + level - 1));
    // Another thread, in another (empty) address space, its faults going
    // to the playground's first endpoint; suspended.
    TRY("thread", sys::untyped_retype(region, ObjectType::thread, 0, own, s0));
    TRY("vspace", sys::untyped_retype(region, ObjectType::address_space, 0, own, s1));
    TRY("endpoint copy", sys::cap_copy(own, s2, c, fs::endpoint));
    TRY("configure", sys::thread_configure(s0, c, s1, 0, 0, s2));
    abi::ThreadRegisters regs{};
    regs.rip = 0x1000;
    regs.rsp = 0x2000;
    TRY("registers", sys::thread_write_registers(s0, regs));
    TRY("priority", sys::thread_set_priority(s0, priority));
    TRY("move thread", sys::cap_move(c, fs::thread, own, s0));
    TRY("move vspace", sys::cap_move(c, fs::vspace, own, s1));
    sys::cap_delete(own, s2);
    // The server thread: in the fuzz task's own address space; the fuzzer
    // sets its registers and starts it.
    TRY("server", sys::untyped_retype(region, ObjectType::thread, 0, own, s0));
    TRY("server buffer", sys::untyped_retype(region, ObjectType::frame, 0, own, s1));
    TRY("map server buffer", map_in_task(t, s1, fuzz::server_ipc_address, rights::read | rights::write));
    TRY("endpoint copy", sys::cap_copy(own, s2, c, fs::endpoint + 1));
    TRY("configure server", sys::thread_configure(s0, c, t.r.vspace, s1, fuzz::server_ipc_address, s2));
    TRY("server priority", sys::thread_set_priority(s0, priority));
    TRY("move server", sys::cap_move(c, fs::server, own, s0));
    TRY("move server buffer", sys::cap_move(c, fs::server_ipc_buffer, own, s1));
    sys::cap_delete(own, s2);
    TRY("thread copy", sys::cap_copy(c, fs::thread_copy, c, fs::thread));
    TRY("frame copy", sys::cap_copy(c, fs::frame_copy, c, fs::frame_mapped));
    TRY("receive-only mint", sys::cap_mint(c, fs::endpoint_read, c, fs::endpoint, rights::read, 0));
    return true;
}

bool build_fuzz_task(FuzzTask& t, uint64_t seed, uint64_t incarnation, uint64_t calls, uint64_t trace_first) {
    cpio::File file;
    if (!cpio::find(reinterpret_cast<const void*>(abi::initrd_address), context.info->initrd_size, "syscall_fuzz",
                    file)) {
        sys::print("fuzz: no syscall_fuzz in the initrd\n");
        return false;
    }
    char seed_text[24], incarnation_text[24], calls_text[24], trace_text[24];
    lib::format_to(trace_text, sizeof trace_text, "%lu", trace_first);
    lib::format_to(seed_text, sizeof seed_text, "%lu", seed);
    lib::format_to(incarnation_text, sizeof incarnation_text, "%lu", incarnation);
    lib::format_to(calls_text, sizeof calls_text, "%lu", calls);
    const char* argv[] = {"syscall_fuzz", seed_text, incarnation_text, calls_text, trace_text};
    sys::ProgramRequest p{file.data, file.size, trace_first == no_trace ? 4 : 5, argv, 0, nullptr, badge_fuzz, priority, slot::console, 0, watch,
                          false};
    const char* why = "";
    t.tables_used = 0;
    if (int64_t e = sys::start_program(t.r, p, &why); e < 0) {
        sys::print("fuzz: cannot start the fuzz task: %s (%s)\n", why, sys::describe(sys::error_of(e)));
        return false;
    }
    // Its fault endpoint is ours: the thread keeps its own copy, and the
    // fuzzer gets none (it could send us anything on it).
    sys::cap_delete(t.r.cnode, abi::task_slot::pager);
    TRY("trace console", sys::cap_mint(t.r.cnode, fs::trace_console, slot::cnode, slot::console, rights::write, 0));
    TRY("inspect console", sys::cap_mint(t.r.cnode, fs::inspect_console, slot::cnode, slot::console, rights::read, 0));
    TRY("status page", sys::untyped_retype(t.region, ObjectType::frame, 0, slot::cnode, t.status_fuzz));
    TRY("map status page", map_in_task(t, t.status_fuzz, fuzz::status_address, rights::read | rights::write));
    TRY("status copy", sys::cap_copy(slot::cnode, t.status_root, slot::cnode, t.status_fuzz));
    TRY("map status here", context.memory.map_frame(t.status_root, slot::vspace, fuzz::status_address,
                                                    rights::read | rights::write));
    __builtin_memset(&status(), 0, sizeof(fuzz::Status));
    if (!build_playground(t)) return false;
    TRY("resume", sys::thread_resume(t.r.thread));
    return true;
}

#undef TRY

// Stops every thread the fuzz task could have running (its own, and any
// thread capability in its CNode or in a CNode it holds), then revokes the
// region: everything the task had is gone. (Revoking the address space of
// a ready thread is a known kernel hole; suspending first avoids it.)
void tear_down(FuzzTask& t) {
    Cptr own = slot::cnode;
    sys::thread_suspend(t.r.thread);
    for (uint64_t i = 1; i < fuzz::slot_count; ++i) {
        if (!sys::ok(sys::cap_copy(own, t.staging2, t.r.cnode, i))) continue;
        sys::CapabilityInfo info = sys::cap_identify(t.staging2);
        if (info.type == ObjectType::thread) sys::thread_suspend(t.staging2);
        if (info.type == ObjectType::cnode && info.size_bits <= fuzz::cnode_radix)
            for (uint64_t j = 0; j < (1ull << info.size_bits); ++j) {
                if (!sys::ok(sys::cap_copy(own, t.staging3, t.staging2, j))) continue;
                if (sys::cap_identify(t.staging3).type == ObjectType::thread) sys::thread_suspend(t.staging3);
                sys::cap_delete(own, t.staging3);
            }
        sys::cap_delete(own, t.staging2);
    }
    if (int64_t e = sys::cap_revoke(own, t.region); e < 0)
        sys::print("fuzz: revoking the fuzz task's region failed: %s\n", sys::describe(sys::error_of(e)));
}

void print_ring() {
    fuzz::Status& st = status();
    uint64_t next = st.ring_next;
    uint64_t first = next > fuzz::ring_size ? next - fuzz::ring_size : 0;
    for (uint64_t i = first; i < next; ++i) {
        const fuzz::Call& c = st.ring[i % fuzz::ring_size];
        char result[24];
        if (c.result == INT64_MIN) lib::format_to(result, sizeof result, "(did not return)");
        else lib::format_to(result, sizeof result, "%ld", c.result);
        sys::print("fuzz:   call %lu: %s#%lu(0x%lx, 0x%lx, 0x%lx, 0x%lx, 0x%lx, 0x%lx) -> %s\n", i,
                   fuzz::call_name(c.number), c.number, c.args[0], c.args[1], c.args[2], c.args[3], c.args[4],
                   c.args[5], result);
    }
}

struct Totals {
    uint64_t calls, ok, restarts, ticks;
    uint64_t by_kind[fuzz::call_kinds], ok_by_kind[fuzz::call_kinds];
};

struct CheckerCounts {
    uint64_t pages, messages, errors;
    bool answered;
};

uint64_t checker_faults;

// Receives fault messages on the watch endpoint; returns whether the fuzz task faulted.
bool fuzz_faulted() {
    for (;;) {
        sys::ipc::Received m = sys::ipc::receive(watch, abi::ipc::receive_nonblocking);
        if (m.result < 0) return false;
        if (m.badge == badge_fuzz) {
            sys::print("fuzz: the fuzz task faulted: address 0x%lx, access 0x%lx, rip 0x%lx, vector %lu\n",
                       m.message.words[0], m.message.words[1], m.message.words[2], m.message.words[3]);
            return true;
        }
        ++checker_faults;
        sys::print("fuzz: ERROR: the %s task faulted: address 0x%lx, rip 0x%lx, vector %lu\n",
                   m.badge == badge_checker ? "checker" : "echo", m.message.words[0], m.message.words[2],
                   m.message.words[3]);
    }
}

// Runs one seed to its end; false if the fuzz task cannot be built or
// stops too often.
bool run_seed(FuzzTask& t, uint64_t seed, uint64_t calls, uint64_t segment, uint64_t trace_from, Totals& totals) {
    uint64_t done = 0, restarts = 0, incarnation = 0, ok = 0, next_progress = progress_every;
    uint64_t start = rdtsc(), last_print = start;
    while (done < calls) {
        if (restarts > max_restarts) {
            sys::print("fuzz: seed %lu: ERROR: more than %lu restarts\n", seed, max_restarts);
            return false;
        }
        uint64_t budget = calls - done < segment ? calls - done : segment;
        // Traced: the calls from trace_from on (counted over the seed).
        uint64_t trace_first = trace_from > done ? trace_from - done : 0;
        if (trace_from != no_trace && trace_first < budget)
            sys::print("fuzz: seed %lu: fuzz task %lu makes calls %lu.. (traced from %lu)\n", seed, incarnation, done,
                       done + trace_first);
        if (!build_fuzz_task(t, seed, incarnation++, budget, trace_from == no_trace ? no_trace : trace_first))
            return false;
        fuzz::Status& st = status();
        uint64_t last_calls = 0, last_change = rdtsc();
        const char* stopped = nullptr;
        for (;;) {
            if (fuzz_faulted()) {
                stopped = "it faulted";
                break;
            }
            uint64_t made = st.calls, now = rdtsc();
            if (made != last_calls) last_calls = made, last_change = now;
            if (done + made >= next_progress || now - last_print > ms_to_tsc(3000)) {
                sys::print("fuzz: seed %lu: %lu calls, %lu restarts\n", seed, done + made, restarts);
                while (next_progress <= done + made) next_progress += progress_every;
                last_print = now;
            }
            if (st.done) break;
            if (now - last_change > ms_to_tsc(silence_ms)) {
                stopped = "no call for 400 ms";
                break;
            }
            sys::yield();
        }
        sys::thread_suspend(t.r.thread);  // from here on its counts stand still
        uint64_t made = st.calls;
        if (stopped) {
            sys::print("fuzz: seed %lu: the fuzz task stopped after %lu calls (%s); its last calls:\n", seed,
                       done + made, stopped);
            print_ring();
            ++restarts;
        }
        for (unsigned k = 0; k < fuzz::call_kinds; ++k) {
            totals.by_kind[k] += st.calls_by_kind[k];
            totals.ok_by_kind[k] += st.ok_by_kind[k];
            ok += st.ok_by_kind[k];
        }
        done += made;
        tear_down(t);
    }
    uint64_t ticks = rdtsc() - start;
    uint64_t ms = tsc_to_ms(ticks);
    sys::print("fuzz: seed %lu: %lu calls, %lu restarts, %lu fuzz tasks, %lu succeeded, %lu ms (%lu calls/s)\n", seed,
               done, restarts, incarnation, ok, ms, ms ? done * 1000 / ms : 0);
    totals.calls += done, totals.ok += ok, totals.restarts += restarts, totals.ticks += ticks;
    return true;
}

// --- the checker ------------------------------------------------------------------

struct Checker {
    Cptr report, stop;  // ours: its report endpoint, its stop notification (signal)
};

bool start_checker_task(Checker& c, Cptr region, const char* mode, uint64_t badge, Cptr partner, uint8_t partner_rights,
                        uint64_t seed) {
    cpio::File file;
    if (!cpio::find(reinterpret_cast<const void*>(abi::initrd_address), context.info->initrd_size, "fuzz_checker",
                    file)) {
        sys::print("fuzz: no fuzz_checker in the initrd\n");
        return false;
    }
    sys::ProgramResources r;
    if (!allocate_resources(r, region, abi::task_cnode_radix, 16)) return false;
    char seed_text[24];
    lib::format_to(seed_text, sizeof seed_text, "%lu", seed);
    const char* argv[] = {"fuzz_checker", mode, seed_text};
    sys::ProgramRequest p{file.data, file.size, 3, argv, 0, nullptr, badge, priority, slot::console, 0, watch, false};
    const char* why = "";
    if (int64_t e = sys::start_program(r, p, &why); e < 0) {
        sys::print("fuzz: cannot start the checker: %s (%s)\n", why, sys::describe(sys::error_of(e)));
        return false;
    }
    namespace cs = fuzz::checker_slot;
    sys::cap_delete(r.cnode, abi::task_slot::pager);
    bool ok = sys::ok(sys::cap_mint(r.cnode, cs::partner, slot::cnode, partner, partner_rights, 0));
    if (badge == badge_checker)
        ok = ok && sys::ok(sys::cap_mint(r.cnode, cs::report, slot::cnode, c.report, rights::write, badge)) &&
             sys::ok(sys::cap_mint(r.cnode, cs::stop, slot::cnode, c.stop, rights::read, 0));
    ok = ok && sys::ok(sys::thread_resume(r.thread));
    if (!ok) sys::print("fuzz: cannot hand the checker its capabilities\n");
    return ok;
}

bool start_checker(Checker& c, uint64_t seed) {
    Cptr region = context.memory.allocate(ObjectType::untyped, checker_region_bits);
    Cptr partner = context.memory.allocate(ObjectType::endpoint);
    c.report = context.memory.allocate(ObjectType::endpoint);
    c.stop = context.memory.allocate(ObjectType::notification);
    if (!region || !partner || !c.report || !c.stop) {
        sys::print("fuzz: out of memory for the checker\n");
        return false;
    }
    return start_checker_task(c, region, "echo", badge_echo, partner, rights::read, seed) &&
           start_checker_task(c, region, "check", badge_checker, partner, rights::write, seed);
}

// Asks the checker for its counts (it answers between two of its rounds).
CheckerCounts ask_checker(const Checker& c, bool last) {
    sys::notification_signal(c.stop);
    uint64_t start = rdtsc();
    while (rdtsc() - start < ms_to_tsc(3000)) {
        sys::ipc::Received m = sys::ipc::receive(c.report, abi::ipc::receive_nonblocking);
        if (m.result == 0) {
            sys::ipc::reply(sys::ipc::Message{sys::ipc::make_tag(last ? fuzz::report_stop : fuzz::report_go_on, 0)});
            return CheckerCounts{m.message.words[0], m.message.words[1], m.message.words[2], true};
        }
        sys::yield();
    }
    return CheckerCounts{0, 0, 0, false};
}

uint64_t parse_seeds(const char* text, uint64_t* seeds, uint64_t capacity) {
    uint64_t n = 0;
    while (*text && n < capacity) {
        seeds[n++] = sys::parse_number(text);
        while (*text && *text != ',') ++text;
        if (*text == ',') ++text;
    }
    return n;
}

}  // namespace

int run_fuzz() {
    char seed_text[128] = "1", calls_text[24] = "100000";
    command_line_value("seed", seed_text, sizeof seed_text);
    command_line_value("calls", calls_text, sizeof calls_text);
    uint64_t seeds[16];
    uint64_t seed_count = parse_seeds(seed_text, seeds, 16);
    uint64_t calls = sys::parse_number(calls_text);
    char segment_text[24] = "";
    command_line_value("fuzz_segment", segment_text, sizeof segment_text);
    uint64_t segment = segment_text[0] ? sys::parse_number(segment_text) : default_segment;
    if (!segment) segment = default_segment;
    // fuzz_trace=1 prints every call; fuzz_trace_from=N the calls of each
    // seed from the N-th on (to reproduce a failure seen after N calls).
    char trace_text[24] = "";
    uint64_t trace_from = no_trace;
    if (command_line_value("fuzz_trace", trace_text, sizeof trace_text) && trace_text[0] == '1') trace_from = 0;
    if (command_line_value("fuzz_trace_from", trace_text, sizeof trace_text)) trace_from = sys::parse_number(trace_text);
    bool trace = trace_from != no_trace;
    sys::print("fuzz: %lu seeds (%s), %lu calls each, a fresh fuzz task every %lu calls%s\n", seed_count, seed_text,
               calls, segment, trace ? ", traced" : "");

    static FuzzTask t;
    t.region = context.memory.allocate(ObjectType::untyped, fuzz_region_bits);
    watch = context.memory.allocate(ObjectType::endpoint);
    bool ready = t.region && watch && allocate_resources(t.r, t.region, fuzz::cnode_radix, fs::body_first) &&
                 (t.staging2 = context.slots.allocate()) && (t.staging3 = context.slots.allocate()) &&
                 (t.status_fuzz = context.slots.allocate()) && (t.status_root = context.slots.allocate()) &&
                 sys::prepare_scratch_page(context.memory, scratch_address);
    for (Cptr& table : t.tables) ready = ready && (table = context.slots.allocate());
    Checker checker{};
    if (!ready || !start_checker(checker, seeds[0])) {
        sys::print("fuzz: cannot set up\n");
        return 1;
    }
    sys::thread_set_priority(slot::thread, priority);  // from here on we share the CPU with them

    static Totals totals;
    int failures = 0;
    CheckerCounts before{};
    for (uint64_t i = 0; i < seed_count; ++i) {
        if (!run_seed(t, seeds[i], calls, segment, trace_from, totals)) {
            ++failures;
            break;
        }
        CheckerCounts now = ask_checker(checker, i + 1 == seed_count);
        if (!now.answered) {
            sys::print("fuzz: seed %lu: ERROR: the checker did not answer\n", seeds[i]);
            ++failures;
            break;
        }
        sys::print("fuzz: seed %lu: checker: %lu pages verified, %lu messages, %lu errors\n", seeds[i],
                   now.pages - before.pages, now.messages - before.messages, now.errors - before.errors);
        before = now;
    }
    fuzz_faulted();  // collects any late checker fault
    uint64_t ms = tsc_to_ms(totals.ticks);
    sys::print("fuzz: calls by number (succeeded):\n");
    for (unsigned k = 0; k < fuzz::call_kinds; k += 4) {
        char line[256];
        uint64_t used = 0;
        for (unsigned j = k; j < k + 4 && j < fuzz::call_kinds; ++j)
            used += lib::format_to(line + used, sizeof line - used, "  %s %lu (%lu)",
                                   j + 1 == fuzz::call_kinds ? "out-of-range" : fuzz::call_name(j), totals.by_kind[j],
                                   totals.ok_by_kind[j]);
        sys::print("fuzz:%s\n", line);
    }
    uint64_t errors = before.errors + checker_faults;
    sys::print("fuzz: total: %lu calls, %lu seeds, %lu restarts, %lu ms (%lu calls/s); checker: %lu pages verified, "
               "%lu messages, %lu errors\n",
               totals.calls, seed_count, totals.restarts, ms, ms ? totals.calls * 1000 / ms : 0, before.pages,
               before.messages, errors);
    if (errors) ++failures;
    sys::print("fuzz: %s\n", failures ? "FAILED" : "passed");
    return failures;
}

}  // namespace root
