// syscall_fuzz SEED INCARNATION CALLS [TRACE_FROM]: the system-call fuzzer of
// run=fuzz (servers/root/fuzz.cpp builds this task and supervises it).
//
// It issues CALLS random, "half valid" system calls from a PRNG seeded with
// SEED and INCARNATION (the number of fuzz tasks of this seed that stopped
// before it): call numbers mostly in range, capability slots mostly among
// the real capabilities the root task gave it (fuzz_protocol.hpp), sizes
// and types near the valid ranges, addresses from a menu of mapped,
// unmapped, unaligned, kernel-half and non-canonical ones, random rights,
// badges and message tags. It carries on after every error. Each call is
// counted in the status page (the root task's heartbeat) and kept in a
// ring of the last calls; with TRACE_FROM each from that one on is also printed
// before it is made, so a call that hangs or crashes the kernel is the last line.
//
// It avoids only what would end the machine or block for good by design:
// exit, system_poweroff and notification_wait are never called, IPC
// always carries the non-blocking flags, and its own thread is suspended
// or lowered only on rare purpose ("self-harm"). Everything else, including
// destroying its own capabilities and memory, is allowed; the root task
// notices a stopped fuzzer and starts a fresh one.
#include "abi/boot_info.hpp"
#include "abi/ipc.hpp"
#include "abi/task.hpp"
#include "fuzz_protocol.hpp"
#include "common/format.hpp"
#include "sys/print.hpp"
#include "sys/syscall.hpp"
#include "sys/text.hpp"

namespace {

using abi::Syscall;
namespace ts = abi::task_slot;

uint64_t rng_state;
uint64_t rnd() { return fuzz::splitmix(rng_state); }
uint64_t below(uint64_t n) { return rnd() % n; }
bool chance(uint64_t one_in) { return below(one_in) == 0; }

uint64_t body_end;  // the first empty slot after the task's own frames and page tables

abi::ThreadRegisters registers_source;
constexpr uint64_t stack_low = abi::root_stack_top - 8 * 4096;
constexpr uint64_t stack_high = abi::root_stack_top;

// --- arguments ------------------------------------------------------------------

uint64_t huge() {
    constexpr uint64_t values[] = {~0ull, 1ull << 63, 1ull << 32, (1ull << 32) + 1, 0x7FFFFFFF, 0x80000000,
                                   0xFFFFFFFF, 0xFFFF, 0x10000};
    return chance(3) ? rnd() : values[below(sizeof values / sizeof *values)];
}

// A capability slot: mostly the playground, sometimes the standard slots,
// empty and out-of-range ones; its own thread and its body only rarely.
uint64_t slot() {
    if (chance(65536) && body_end > fuzz::slot::body_first)
        return fuzz::slot::body_first + below(body_end - fuzz::slot::body_first);
    if (chance(8192)) {
        constexpr uint64_t own[] = {ts::cnode, ts::thread, ts::ipc_buffer};
        return own[below(3)];
    }
    uint64_t r = below(1000);
    if (r < 600) return fuzz::slot::playground_first + below(fuzz::slot::playground_end - fuzz::slot::playground_first);
    if (r < 850) return fuzz::slot::playground_end + below(fuzz::slot::free_end - fuzz::slot::playground_end);
    if (r < 900) {
        // Not the IPC buffer frame (5): unmapped, it would stop us at the next IPC call.
        // Nor its own CNode (1): the copy in 18 is the one to lose (both gone,
        // every CNode call fails for the rest of the fuzz task's life).
        constexpr uint64_t standard[] = {ts::vspace, ts::console, ts::registry, ts::inbox, ts::pager, 9, 15};
        return standard[below(sizeof standard / sizeof *standard)];
    }
    if (r < 960) return chance(4) ? 0 : body_end + below(fuzz::slot_count - body_end);
    return chance(2) ? fuzz::slot_count + below(64) : huge();
}

// The CNode of a (cnode, index) pair: mostly its own.
uint64_t cnode() {
    uint64_t r = below(10);
    if (r < 5) return ts::cnode;
    if (r < 7) return fuzz::slot::cnode_copy;
    if (r < 8) return fuzz::slot::cnode_small;
    return slot();
}

// An index in a CNode: in its own CNode's range mostly, small ones for the
// radix-4 CNode.
uint64_t index() {
    if (!chance(8)) return slot();
    uint64_t i = below(20);
    // (slot() names the IPC buffer frame and our CNode rarely, on purpose)
    return i == ts::ipc_buffer || i == ts::cnode ? 0 : i;
}

// A destination index: mostly an empty slot of ours, so copies and retypes can succeed.
uint64_t destination() {
    return chance(3) ? index() : fuzz::slot::playground_end + below(fuzz::slot::free_end - fuzz::slot::playground_end);
}

uint64_t code_page() { return uint64_t(&rnd) & ~0xFFFull; }

// Addresses: mapped pages (the playground, the IPC buffer, read-only code),
// unmapped ones, unaligned, the user limit, the kernel half, non-canonical.
uint64_t address(bool allow_code = true) {
    switch (below(14)) {
    case 0: case 1: case 2: return fuzz::playground_address + below(fuzz::playground_pages) * 4096;
    case 3: return fuzz::playground_address + below(fuzz::playground_pages * 4096);  // unaligned
    case 4: return abi::ipc_buffer_address + (chance(2) ? 0 : below(4096));
    case 5: return allow_code ? code_page() + (chance(2) ? 0 : below(4096)) : 0x1000;
    case 6: case 7: {  // unmapped user pages near and far: where the map calls can succeed
        constexpr uint64_t bases[] = {0x1000, 0x200000, 0x0000600000000000ull, 0x0000600000200000ull,
                                      0x00007FFFFFFFE000ull, 0x0000400000010000ull};
        return bases[below(sizeof bases / sizeof *bases)] + below(8) * 4096;
    }
    case 8: return 0;
    case 9: return abi::user_address_limit - (chance(2) ? 0 : 4096 * below(2)) + (chance(4) ? below(4096) : 0);
    case 10: return chance(2) ? 0xFFFF800000000000ull + below(16) * 4096 : 0xFFFFFFFF80000000ull + below(16) * 4096;
    case 11: return 0x0000800000000000ull + (chance(2) ? 0 : below(1ull << 40) * 4096);
    case 12: return huge();
    default: return rnd() & 0x00007FFFFFFFF000ull;
    }
}

uint64_t rights() { return chance(8) ? below(256) : below(16); }

uint64_t object_type() {
    if (chance(16)) return chance(2) ? below(256) : huge();
    return below(uint64_t(abi::ObjectType::count));
}

uint64_t size_bits(uint64_t type) {
    if (chance(16)) return chance(2) ? below(70) : huge();
    switch (abi::ObjectType(type)) {
    case abi::ObjectType::untyped: return 10 + below(12);
    case abi::ObjectType::cnode: return below(10);
    case abi::ObjectType::page_table: return below(5);
    default: return below(3);
    }
}

uint64_t count() {
    uint64_t r = below(20);
    if (r < 14) return 1 + below(4);
    if (r < 16) return 0;
    if (r < 18) return 250 + below(10);
    return huge();
}

uint64_t badge() { return chance(4) ? below(4) : rnd(); }

// A message tag: lengths over 256 and all capability counts; sends and
// calls never wait.
uint64_t tag() {
    uint64_t length = chance(8) ? 257 + below(255) : below(257);
    uint64_t caps = below(4);
    uint64_t label = chance(2) ? below(8) : rnd() & abi::ipc::max_label;
    uint64_t flags = abi::ipc::flag_nonblocking | (chance(8) ? abi::ipc::flag_notification : 0);
    return abi::ipc::make_tag(label, length, caps, flags);
}

// Fills the IPC buffer's capability slots and receive slot for an IPC call.
void prepare_ipc_buffer() {
    auto& b = *reinterpret_cast<abi::ipc::Buffer*>(abi::ipc_buffer_address);
    for (uint64_t& c : b.caps) c = slot();
    b.receive_cnode = cnode();
    b.receive_index = index();
    if (chance(4))
        for (uint64_t i = 4; i < abi::ipc::max_message_words; ++i) b.words[i] = rnd();
}

void prepare_registers() {
    abi::ThreadRegisters& r = registers_source;
    uint64_t* words = &r.rip;
    for (unsigned i = 0; i < sizeof r / 8; ++i) words[i] = chance(2) ? rnd() : below(0x1000);
    r.rip = address(false);  // never into code: a thread of ours running our code could do anything
    r.rsp = address(false);
    r.rflags = chance(2) ? 0x202 : rnd();
}

// Whether a thread capability names our own thread: our registers, read
// back, have our stack pointer.
bool is_self(uint64_t thread) {
    abi::ThreadRegisters r;
    return sys::ok(sys::thread_read_registers(thread, r)) && r.rsp >= stack_low && r.rsp <= stack_high;
}

const char dot_line[] = "fuzz: debug_write\n";

// --- the server thread ------------------------------------------------------------
// A receiver on the playground's first endpoint, so that sends and calls
// (with capabilities, when the endpoint capability grants) find a partner:
// it answers each message with its first words back. It runs in our
// address space on a stack of its own.
alignas(16) uint8_t server_stack[4 * 4096];

[[noreturn]] void serve(uint64_t) {
    auto& b = *reinterpret_cast<abi::ipc::Buffer*>(fuzz::server_ipc_address);
    b.receive_cnode = ts::cnode;
    b.receive_index = 96;
    sys::Registers r = sys::syscall(Syscall::endpoint_recv, fuzz::slot::endpoint, 0);
    for (;;) {
        if (r.rax < 0) {  // our endpoint is gone, or worse: stop rather than spin
            if (sys::thread_suspend(fuzz::slot::server) < 0) sys::yield();
            r = sys::syscall(Syscall::endpoint_recv, fuzz::slot::endpoint, 0);
            continue;
        }
        b.receive_cnode = ts::cnode;
        b.receive_index = 96 + (r.rsi & 31);  // received capabilities land in 96..127
        uint64_t length = abi::ipc::tag_length(r.rsi);
        // A fault message (the other thread's faults come here) is refused:
        // label 0 would resume the thread into the same fault, for ever.
        uint64_t label = abi::ipc::tag_label(r.rsi) == abi::ipc::fault_label ? 1 : r.rdi & 0xFF;
        uint64_t tag = abi::ipc::make_tag(label, length > 256 ? 256 : length);
        r = sys::syscall(Syscall::endpoint_reply_recv, fuzz::slot::endpoint, tag, r.rdx, r.r10, r.r8, r.r9);
    }
}

void start_server() {
    abi::ThreadRegisters r{};
    r.rip = uint64_t(&serve);
    r.rsp = uint64_t(server_stack + sizeof server_stack) - 8;
    r.rflags = 0x202;
    sys::thread_write_registers(fuzz::slot::server, r);
    sys::thread_resume(fuzz::slot::server);
}

// --- one call -------------------------------------------------------------------

fuzz::Call next_call() {
    fuzz::Call c{};
    uint64_t* a = c.args;
    if (chance(4096)) {
        constexpr uint64_t out_of_range[] = {uint64_t(Syscall::count), uint64_t(Syscall::count) + 1, 63, 64, 255, 256};
        c.number = chance(2) ? out_of_range[below(sizeof out_of_range / sizeof *out_of_range)] : huge();
        if (c.number < uint64_t(Syscall::count)) c.number = uint64_t(Syscall::count);
        for (int i = 0; i < 6; ++i) a[i] = rnd();
        return c;
    }
    Syscall n;
    do n = Syscall(below(uint64_t(Syscall::count)));
    while (n == Syscall::exit || n == Syscall::system_poweroff || n == Syscall::notification_wait ||
           (n == Syscall::debug_write && !chance(8)) || (n == Syscall::yield && !chance(64)));
    // (A yield ends our turn: the checker and the root task then run for
    // whole time slices, so yields are rare.)
    c.number = uint64_t(n);
    switch (n) {
    case Syscall::debug_write:
        a[0] = chance(2) ? uint64_t(ts::console) : slot();
        if (chance(512)) {  // now and then one real line
            a[1] = uint64_t(dot_line);
            a[2] = sizeof dot_line - 1;
        } else if (chance(2)) {  // a good pointer: nothing to print
            a[1] = uint64_t(dot_line);
            a[2] = 0;
        } else {  // a bad pointer, any length
            constexpr uint64_t bad[] = {0, 0x0000600000000000ull, abi::user_address_limit - 8, 0xFFFF800000000000ull,
                                        0xFFFFFFFF80000000ull, 0x0000800000000000ull, fuzz::playground_address +
                                        fuzz::playground_pages * 4096 - 8};
            a[1] = bad[below(sizeof bad / sizeof *bad)];
            a[2] = chance(2) ? 16 + below(64) : huge();
            // The last of these straddles into an unmapped page: 8 good bytes, then none.
        }
        break;
    case Syscall::yield: break;
    case Syscall::cap_copy:
    case Syscall::cap_move: a[0] = cnode(), a[1] = destination(), a[2] = cnode(), a[3] = index(); break;
    case Syscall::cap_mint:
        a[0] = cnode(), a[1] = destination(), a[2] = cnode(), a[3] = index(), a[4] = rights(), a[5] = badge();
        break;
    case Syscall::cap_delete:
    case Syscall::cap_revoke: a[0] = cnode(), a[1] = index(); break;
    case Syscall::cap_identify: a[0] = slot(); break;
    case Syscall::untyped_retype:
        a[0] = chance(4) ? slot() : fuzz::slot::untyped + below(2);
        a[1] = object_type();
        a[2] = size_bits(a[1]);
        a[3] = cnode(), a[4] = destination(), a[5] = count();
        break;
    case Syscall::thread_configure:
        a[0] = slot(), a[1] = chance(2) ? cnode() : slot(), a[2] = chance(2) ? fuzz::slot::vspace : slot();
        a[3] = chance(2) ? 0 : slot(), a[4] = address(), a[5] = chance(2) ? 0 : slot();
        break;
    case Syscall::thread_set_priority:
        a[0] = slot(), a[1] = chance(8) ? huge() : below(256), a[2] = chance(2) ? 0 : (chance(2) ? below(20) : huge());
        break;
    case Syscall::thread_write_registers:
        prepare_registers();
        a[0] = slot(), a[1] = chance(5) ? address(false) : uint64_t(&registers_source);
        break;
    case Syscall::thread_read_registers: a[0] = slot(), a[1] = address(); break;
    case Syscall::thread_resume:
    case Syscall::thread_suspend: a[0] = chance(2) ? fuzz::slot::thread : slot(); break;
    case Syscall::page_table_map:
        a[0] = chance(2) ? fuzz::slot::page_table + below(3) : slot();
        a[1] = chance(2) ? (chance(2) ? uint64_t(ts::vspace) : fuzz::slot::vspace) : slot();
        a[2] = address();
        break;
    case Syscall::frame_map:
        a[0] = chance(2) ? fuzz::slot::frame_mapped + below(15) : slot();
        a[1] = chance(2) ? (chance(2) ? uint64_t(ts::vspace) : fuzz::slot::vspace) : slot();
        a[2] = address(), a[3] = rights();
        break;
    case Syscall::frame_unmap: a[0] = chance(2) ? fuzz::slot::frame_mapped + below(15) : slot(); break;
    case Syscall::frame_protect:
        a[0] = chance(2) ? fuzz::slot::frame_mapped + below(15) : slot(), a[1] = rights();
        break;
    case Syscall::notification_signal:
    case Syscall::notification_poll: a[0] = chance(2) ? fuzz::slot::notification + below(4) : slot(); break;
    case Syscall::endpoint_send:
    case Syscall::endpoint_call:
    case Syscall::endpoint_reply:
    case Syscall::endpoint_reply_recv:
        prepare_ipc_buffer();
        a[0] = chance(2) ? fuzz::slot::endpoint + below(4) : slot();
        a[1] = tag();
        for (int i = 2; i < 6; ++i) a[i] = rnd();
        break;
    case Syscall::endpoint_recv:
        prepare_ipc_buffer();
        a[0] = chance(2) ? (chance(4) ? fuzz::slot::endpoint_read : fuzz::slot::endpoint + below(4)) : slot();
        a[1] = abi::ipc::receive_nonblocking | (chance(8) ? rnd() : 0);
        break;
    case Syscall::thread_bind_notification:
        a[0] = chance(2) ? fuzz::slot::thread : slot();
        a[1] = chance(4) ? 0 : (chance(2) ? fuzz::slot::notification + below(4) : slot());
        break;
    case Syscall::address_space_query:
        a[0] = chance(2) ? (chance(2) ? uint64_t(ts::vspace) : fuzz::slot::vspace) : slot();
        a[1] = address(), a[2] = chance(4) ? huge() : below(514), a[3] = address(false);
        break;
    // Introspection: records written to any address, names of any bytes.
    case Syscall::thread_set_name:
        a[0] = chance(2) ? fuzz::slot::thread : slot();
        a[1] = chance(2) ? rnd() & 0x7F7F7F7F7F7F7F7Full : rnd(), a[2] = chance(2) ? 0 : rnd();
        break;
    case Syscall::debug_thread_info:
    case Syscall::debug_endpoint_info:
        a[0] = chance(2) ? fuzz::slot::inspect_console : slot();
        a[1] = chance(2) ? below(64) : rnd(), a[2] = address(), a[3] = chance(4) ? huge() : below(66);
        break;
    case Syscall::debug_cspace_info:
        a[0] = chance(2) ? fuzz::slot::inspect_console : slot();
        a[1] = chance(2) ? below(64) : rnd();
        a[2] = chance(2) ? (chance(2) ? 0 : index() | (chance(2) ? index() << 16 : 0)) : rnd();
        a[3] = chance(2) ? below(300) : rnd(), a[4] = address(), a[5] = chance(4) ? huge() : below(66);
        break;
    default: break;
    }
    // Our own thread is suspended or lowered only on purpose, rarely: the
    // root task then takes 0.4 s to notice that we stopped.
    if ((n == Syscall::thread_suspend || n == Syscall::thread_set_priority) && !chance(16) && is_self(a[0]))
        c.number = uint64_t(Syscall::thread_read_registers), a[1] = fuzz::playground_address;
    return c;
}

}  // namespace

int main(int argc, char** argv, char**) {
    uint64_t seed = argc > 1 ? sys::parse_number(argv[1]) : 1;
    uint64_t incarnation = argc > 2 ? sys::parse_number(argv[2]) : 0;
    uint64_t calls = argc > 3 ? sys::parse_number(argv[3]) : 1000;
    bool trace = argc > 4;
    uint64_t trace_first = trace ? sys::parse_number(argv[4]) : 0;
    // The trace goes through a console capability far from the slots we
    // mostly abuse, so it outlives a deleted slot 4.
    if (trace) sys::set_console(fuzz::slot::trace_console);
    rng_state = seed * 0x9E3779B97F4A7C15ull ^ incarnation * 0xD1B54A32D192ED03ull;
    body_end = fuzz::slot::body_first;
    while (body_end < fuzz::slot_count && sys::cap_identify(body_end).result >= 0) ++body_end;

    start_server();
    fuzz::Status& status = *reinterpret_cast<fuzz::Status*>(fuzz::status_address);
    for (uint64_t i = 0; i < calls; ++i) {
        fuzz::Call c = next_call();
        if (trace && i >= trace_first)
            sys::print("fuzz: trace %lu.%lu: %s(0x%lx, 0x%lx, 0x%lx, 0x%lx, 0x%lx, 0x%lx)\n", incarnation, i,
                       fuzz::call_name(c.number), c.args[0], c.args[1], c.args[2], c.args[3], c.args[4], c.args[5]);
        fuzz::Call& kept = status.ring[status.ring_next % fuzz::ring_size];
        kept = c;
        kept.result = INT64_MIN;  // still running
        status.ring_next = status.ring_next + 1;
        int64_t result = sys::syscall(Syscall(c.number), c.args[0], c.args[1], c.args[2], c.args[3], c.args[4],
                                      c.args[5]).rax;
        kept.result = result;
        if (trace && i >= trace_first) sys::print("fuzz: trace %lu.%lu: = %ld\n", incarnation, i, result);
        unsigned kind = fuzz::call_kind(c.number);
        status.calls_by_kind[kind] = status.calls_by_kind[kind] + 1;
        if (result >= 0) status.ok_by_kind[kind] = status.ok_by_kind[kind] + 1;
        status.calls = i + 1;
    }
    status.done = 1;
    sys::exit(0);  // not main's return: slot 6 (the registry) may hold anything by now
}
