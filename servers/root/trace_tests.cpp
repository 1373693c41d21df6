// In-guest tests of the kernel trace buffer (docs/tracing.md): the rights
// the two calls need, hostile buffers, a full buffer, and records checked
// against what the test itself did, with the threads known by the names
// the kernel records. Every case leaves recording off and
// the buffer empty.
#include "sys/inspect.hpp"
#include "sys/ipc.hpp"
#include "sys/trace.hpp"
#include "test_support.hpp"

namespace root::testing {

namespace {

namespace ipc = sys::ipc;
namespace trace = sys::trace;
using abi::trace::Kind;
using abi::trace::Op;
using abi::trace::Record;

constexpr uint64_t capacity = abi::trace::buffer_records;
Record records[1024];

// Whether this kernel has tracing (a -Dtrace=false build refuses the calls).
bool available(Test& t) {
    trace::ControlResult r = trace::control(slot::console, Op::off);
    if (r.status == abi::error_code(Error::unknown_syscall)) {
        t.skip("the kernel is built without tracing");
        return false;
    }
    trace::control(slot::console, Op::clear);
    return true;
}

void reset() {
    trace::control(slot::console, Op::off);
    trace::control(slot::console, Op::clear);
}

// Reads the buffer into `records`; the count (or ~0 on an error).
uint64_t read_all(uint64_t& lost) {
    trace::ReadResult r = trace::read(slot::console, records, sizeof records / sizeof *records);
    lost = r.lost;
    return r.status ? ~0ull : r.count;
}

uint32_t tid_named(uint64_t count, const char* name) {
    for (uint64_t i = 0; i < count; ++i) {
        const Record& r = records[i];
        if (r.kind != uint8_t(Kind::name)) continue;
        const char* n = reinterpret_cast<const char*>(&r) + abi::trace::name_offset;
        uint64_t j = 0;
        while (name[j] && n[j] == name[j]) ++j;
        if (!name[j] && (j == abi::trace::name_bytes || !n[j])) return r.tid;
    }
    return ~0u;
}

void calls_need_the_console_and_its_rights(Test& t) {
    if (!available(t)) return;
    Cptr write_only = free_slot(), read_only = free_slot();
    sys::cap_mint(slot::cnode, write_only, slot::cnode, slot::console, rights::write, 0);
    sys::cap_mint(slot::cnode, read_only, slot::cnode, slot::console, rights::read, 0);
    t.expect(trace::control(read_only, Op::on).status, Error::insufficient_rights, "control without the write right");
    t.expect(trace::read(write_only, records, 4).status, Error::insufficient_rights, "read without the read right");
    t.expect(trace::control(slot::thread, Op::on).status, Error::wrong_type, "control through a thread");
    t.expect(trace::read(slot::vspace, records, 4).status, Error::wrong_type, "read through an address space");
    t.expect(trace::control(0xFFFFFF, Op::on).status, Error::invalid_capability, "control through no capability");
    t.expect(trace::control(slot::console, Op::count).status, Error::bad_argument, "an unknown operation");
    t.expect(trace::control(slot::console, Op(~0ull)).status, Error::bad_argument, "operation ~0");
    trace::ControlResult off = trace::control(write_only, Op::off);
    t.expect(off.status, Error::none, "control with the write right alone");
    if (off.tsc_hz != context.info->tsc_hz) t.fail("control says the TSC runs at %lu Hz, boot info %lu", off.tsc_hz,
                                                   context.info->tsc_hz);
    t.expect(trace::read(read_only, records, 4).status, Error::none, "read with the read right alone");
    sys::cap_delete(slot::cnode, write_only);
    sys::cap_delete(slot::cnode, read_only);
    reset();
}

void states_are_returned_and_off_records_nothing(Test& t) {
    if (!available(t)) return;
    if (trace::control(slot::console, Op::on).was_on) t.fail("recording was on after off");
    if (!trace::control(slot::console, Op::on).was_on) t.fail("on did not report the earlier on");
    if (!trace::control(slot::console, Op::clear).was_on) t.fail("clear did not report the state");
    if (!trace::control(slot::console, Op::off).was_on) t.fail("off did not report the state");
    trace::control(slot::console, Op::clear);
    for (int i = 0; i < 20; ++i) sys::yield();
    uint64_t lost, n = read_all(lost);
    if (n != 0 || lost != 0) t.fail("%lu records (%lu lost) made while off and cleared", n, lost);
    trace::control(slot::console, Op::on);
    for (int i = 0; i < 20; ++i) sys::yield();
    trace::control(slot::console, Op::clear);
    trace::control(slot::console, Op::off);
    n = read_all(lost);
    // What remains: the exit of clear, the entry of off, and any timer
    // interrupt that struck between them.
    uint64_t left = 0;
    for (uint64_t i = 0; i < n; ++i) left += records[i].kind != uint8_t(Kind::interrupt);
    if (left > 2) t.fail("clear left %lu records besides interrupts", left);
    reset();
}

// Records made by yields, then hostile reads: each refused, nothing consumed.
void hostile_buffers_are_refused_and_consume_nothing(Test& t) {
    if (!available(t)) return;
    trace::control(slot::console, Op::on);  // records the names of the live threads
    for (int i = 0; i < 40; ++i) sys::yield();
    trace::control(slot::console, Op::off);
    auto hostile = [&](uint64_t address, uint64_t max, const char* what) {
        t.expect(trace::read(slot::console, reinterpret_cast<Record*>(address), max).status, Error::bad_address, what);
    };
    hostile(0xFFFF800000000000ull, 4, "a kernel address");
    hostile(0xFFFFFFFF80100000ull, 4, "the kernel image");
    hostile(0, 4, "a null pointer");
    hostile(0x0000500000000000ull, 4, "an unmapped user address");
    hostile(abi::user_address_limit - 32, 2, "a buffer crossing the end of the user half");
    hostile(abi::user_address_limit - 64, ~0ull, "a huge count near the end of the user half");
    // A buffer whose first two records land in a mapped page and the rest
    // past its end: the copy faults half-way.
    constexpr uint64_t page = 0x0000310000000000ull;
    Cptr frame = map_page(slot::vspace, page);
    if (!frame) return t.fail("no page for the half-mapped buffer");
    hostile(page + 4096 - 2 * sizeof(Record), 16, "a buffer that ends in an unmapped page");
    sys::frame_unmap(frame);
    sys::cap_delete(slot::cnode, frame);
    trace::ReadResult none = trace::read(slot::console, records, 0);
    if (none.status || none.count) t.fail("a read of 0 records: status %ld, %lu records", none.status, none.count);
    uint64_t lost, n = read_all(lost);
    uint32_t root = tid_named(n, "root");
    uint64_t yields = 0;
    for (uint64_t i = 0; i < n; ++i)
        if (records[i].kind == uint8_t(Kind::syscall_enter) && records[i].tid == root &&
            records[i].object == uint64_t(abi::Syscall::yield))
            ++yields;
    if (n == ~0ull || root == ~0u || yields != 40)
        t.fail("after the refused reads: %lu records, root's name %s, %lu of 40 yields", n,
               root == ~0u ? "missing" : "found", yields);
    reset();
}

void a_full_buffer_drops_and_counts(Test& t) {
    if (!available(t)) return;
    trace::control(slot::console, Op::on);
    // Two records (entry and exit) per yield: more than the buffer holds.
    for (uint64_t i = 0; i < capacity; ++i) sys::yield();
    trace::control(slot::console, Op::off);
    uint64_t total = 0, lost = 0;
    for (;;) {
        trace::ReadResult r = trace::read(slot::console, records, sizeof records / sizeof *records);
        if (r.status) return t.fail("read: %s", sys::describe(sys::error_of(r.status)));
        lost += r.lost;
        if (!r.count) break;
        // The oldest are kept: the live threads' names, then the exit of
        // the call that turned recording on.
        if (total == 0) {
            uint64_t i = 0;
            while (i < r.count && records[i].kind == uint8_t(Kind::name)) ++i;
            if (i == 0 || i == r.count || records[i].kind != uint8_t(Kind::syscall_exit))
                t.fail("the buffer starts with %lu names and a record of kind %u", i,
                       i < r.count ? records[i].kind : 0);
        }
        for (uint64_t i = 1; i < r.count; ++i)
            if (records[i].tsc < records[i - 1].tsc) return t.fail("timestamps go backwards at record %lu", total + i);
        total += r.count;
    }
    if (total != capacity) t.fail("%lu records kept, not the buffer's %lu", total, capacity);
    if (total + lost < 2 * capacity) t.fail("%lu kept + %lu lost, fewer than the %lu made", total, lost, 2 * capacity);
    uint64_t again, n = read_all(again);
    if (n != 0 || again != 0) t.fail("a later read finds %lu records, %lu lost: the count was not reset", n, again);
    reset();
}

constexpr uint64_t stop_label = 0x5707;
constexpr uint64_t test_badge = 0x5A;
Cptr echo_endpoint;

void echo(uint64_t) {
    ipc::Received r = ipc::receive(echo_endpoint);
    while (r.result == 0 && r.label() != stop_label) r = ipc::reply_receive(echo_endpoint, ipc::Message{});
    ipc::reply(ipc::Message{});
    finish_thread();
}

// A call to a thread of ours: the records name both threads, the
// endpoint, the badge, and the switches, in the order they happened.
void a_round_trip_is_recorded(Test& t) {
    if (!available(t)) return;
    echo_endpoint = allocate(ObjectType::endpoint);
    Cptr badged = free_slot();
    sys::cap_mint(slot::cnode, badged, slot::cnode, echo_endpoint, rights::write, test_badge);
    reset_shared(1);
    Cptr server = make_thread(slot::vspace, echo, 0, abi::root_priority, next_stack_top());
    trace::control(slot::console, Op::on);  // root's name is recorded now, echo's when it is named
    sys::thread_set_name(server, "echo");
    sys::thread_resume(server);
    ipc::Received answer = ipc::call(badged, ipc::Message{abi::ipc::make_tag(1, 8), {42}});
    trace::control(slot::console, Op::off);
    ipc::call(echo_endpoint, ipc::Message{abi::ipc::make_tag(stop_label, 0), {}});
    sys::notification_wait(shared.done_notification);
    if (answer.result) t.fail("the call failed: %s", sys::describe(sys::error_of(answer.result)));

    uint64_t lost, n = read_all(lost);
    uint32_t root = tid_named(n, "root"), echo_tid = tid_named(n, "echo");
    if (root == ~0u || echo_tid == ~0u || root == echo_tid) t.fail("name records: root %u, echo %u", root, echo_tid);
    // The first record of a kind for thread tid with peer (~0: any) at or
    // after index from; n if none.
    auto find = [&](uint64_t from, Kind kind, uint32_t tid, uint32_t peer) {
        for (uint64_t i = from; i < n; ++i)
            if (records[i].kind == uint8_t(kind) && records[i].tid == tid && (peer == ~0u || records[i].peer == peer))
                return i;
        return n;
    };
    uint64_t send = find(0, Kind::ipc_send, root, ~0u);
    if (send == n) return t.fail("%lu records; no send by root", n);
    if (records[send].value != test_badge || !(records[send].flags & abi::trace::flag::call))
        t.fail("the send has badge 0x%lx, flags %u", records[send].value, records[send].flags);
    // Echo may or may not wait in its receive before the call: the
    // receive and the switch to echo both follow the send, in either order.
    uint64_t receive = find(send, Kind::ipc_recv, echo_tid, root);
    uint64_t to_echo = find(send, Kind::switch_to, echo_tid, root);
    if (receive == n || to_echo == n) return t.fail("after the send: receive %s, switch to echo %s",
                                                    receive == n ? "missing" : "found", to_echo == n ? "missing" : "found");
    if (records[receive].object != records[send].object || records[receive].value != test_badge)
        t.fail("sent on endpoint %u, received from %u with badge 0x%lx", records[send].object,
               records[receive].object, records[receive].value);
    uint64_t reply = find(receive > to_echo ? receive : to_echo, Kind::ipc_reply, echo_tid, root);
    uint64_t back = find(reply, Kind::switch_to, root, echo_tid);
    if (reply == n || back == n) t.fail("after echo ran: reply %s, switch back %s", reply == n ? "missing" : "found",
                                        back == n ? "missing" : "found");
    else if (records[back].tsc <= records[send].tsc) t.fail("the switch back is not later than the send");
    sys::cap_delete(slot::cnode, server);
    sys::cap_delete(slot::cnode, badged);
    sys::cap_delete(slot::cnode, echo_endpoint);
    reset();
}

}  // namespace

const Case trace_cases[] = {
    {"trace: the calls need the console, with the write right to control and the read right to read",
     calls_need_the_console_and_its_rights},
    {"trace: on, off and clear return the previous state; nothing is recorded while off",
     states_are_returned_and_off_records_nothing},
    {"trace: hostile buffers are refused and consume no records", hostile_buffers_are_refused_and_consume_nothing},
    {"trace: a full buffer keeps the oldest records and counts the dropped ones", a_full_buffer_drops_and_counts},
    {"trace: a call and its reply are recorded with threads, endpoint, badge and switches", a_round_trip_is_recorded},
};
const uint64_t trace_case_count = sizeof trace_cases / sizeof *trace_cases;

}  // namespace root::testing
