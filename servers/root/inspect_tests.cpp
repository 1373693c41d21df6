// In-guest tests of introspection (abi/inspect.hpp): the kernel's report of
// threads, capability spaces and IPC waits is checked against facts these
// tests create themselves -- threads they name and block on endpoints and
// notifications they made, CNodes they fill -- and every call is attacked
// with bad pointers, bad cursors, bad paths and missing rights.
#include <initializer_list>

#include "common/string.hpp"
#include "sys/inspect.hpp"
#include "test_support.hpp"

namespace root::testing {

namespace {

namespace inspect = abi::inspect;
using inspect::CapInfo;
using inspect::ThreadInfo;
using inspect::ThreadState;
using inspect::WaitInfo;
using inspect::WaitKind;
using S = abi::Syscall;

// What the test threads use (they share our globals and our CNode).
Cptr receive_endpoint, call_endpoint_badged, wake_notification;
constexpr uint64_t call_badge = 0x77;

void receive_then_wait(uint64_t) {
    sys::syscall(S::endpoint_recv, receive_endpoint, 0);   // blocks receiving until the caller comes
    sys::syscall(S::notification_wait, wake_notification);  // then holds the caller's reply right, waiting
    sys::exit(0);
}

void call_receiver(uint64_t) {
    sys::syscall(S::endpoint_call, receive_endpoint, 0);   // blocks for the reply that never comes
    sys::exit(0);
}

void call_nobody(uint64_t) {
    sys::syscall(S::endpoint_call, call_endpoint_badged, 0);  // nobody receives: blocks sending
    sys::exit(0);
}

void spin(uint64_t) {
    for (;;) sys::yield();
}

void take_a_fault(uint64_t) { asm volatile("ud2"); }

Cptr doomed_thread;
// Deletes the last capability to its own thread object: it is destroyed
// while it runs, and its time from here on is charged to nobody.
void destroy_self(uint64_t) {
    sys::cap_delete(slot::cnode, doomed_thread);
    sys::exit(1);  // never reached: the thread is gone
}

// The kernel's record of thread `id`, or a failed test.
bool record_of(Test& t, uint64_t id, ThreadInfo& out) {
    int64_t e = sys::thread_info(slot::console, id, out);
    if (e < 0) t.fail("no record of thread %lu: %s", id, sys::describe(sys::error_of(e)));
    return e == 0;
}

// Our own thread: the one running (there is one CPU).
uint64_t own_thread_id() {
    ThreadInfo records[inspect::max_records];
    uint64_t cursor = 0;
    for (;;) {
        sys::Listing l = sys::list_threads(slot::console, cursor, records, inspect::max_records);
        if (l.status < 0) return 0;
        for (uint64_t i = 0; i < l.count; ++i)
            if (records[i].state == ThreadState::running) return records[i].id;
        if (l.complete) return 0;
        cursor = l.next;
    }
}

// The highest thread id (the thread made last, when nothing was made since).
uint64_t last_thread_id() {
    ThreadInfo records[inspect::max_records];
    uint64_t cursor = 0, last = 0;
    for (;;) {
        sys::Listing l = sys::list_threads(slot::console, cursor, records, inspect::max_records);
        if (l.status < 0) return 0;
        if (l.count) last = records[l.count - 1].id;
        if (l.complete) return last;
        cursor = l.next;
    }
}

// The record of one slot of the CNode at path in thread tid's CSpace.
bool slot_record(uint64_t tid, uint64_t path, uint64_t index, CapInfo& out, unsigned* radix = nullptr) {
    sys::Listing l = sys::list_capabilities(slot::console, tid, path, index, &out, 1);
    if (radix) *radix = l.radix;
    return l.status == 0 && l.count == 1 && out.slot == index;
}

// A thread made by make_thread (in our address space, with our CNode),
// named, and its id (the id the kernel gave it last).
Cptr named_thread(ThreadEntry entry, const char* name, uint64_t& id, uint8_t priority = abi::root_priority) {
    Cptr thread = make_thread(slot::vspace, entry, 0, priority, next_stack_top());
    if (!thread || !sys::ok(sys::thread_set_name(thread, name))) return 0;
    id = last_thread_id();
    return thread;
}

// Yields until the thread is in `state` (at most a few hundred turns).
bool reaches(uint64_t id, ThreadState state) {
    for (int i = 0; i < 500; ++i) {
        ThreadInfo r;
        if (sys::thread_info(slot::console, id, r) == 0 && r.state == state) return true;
        sys::yield();
    }
    return false;
}

// Whether the waits listing has this record (kind, object, badge) for thread id.
bool has_wait(uint64_t id, WaitKind kind, uint64_t object, uint64_t badge) {
    WaitInfo records[4];
    uint64_t cursor = 0;
    for (;;) {
        sys::Listing l = sys::list_waits(slot::console, cursor, records, 4);
        if (l.status < 0) return false;
        for (uint64_t i = 0; i < l.count; ++i)
            if (records[i].thread == id)
                return records[i].kind == kind && records[i].object == object && records[i].badge == badge;
        if (l.complete) return false;
        cursor = l.next;
    }
}

// --- the thread registry --------------------------------------------------------

void threads_are_listed_with_their_names(Test& t) {
    uint64_t self = own_thread_id();
    ThreadInfo me, idle;
    if (!self) return t.fail("no thread is listed as running");
    if (!record_of(t, self, me) || !record_of(t, 0, idle)) return;
    if (!lib::equal(me.name, "root")) t.fail("we are listed as '%s', not 'root'", me.name);
    if (me.priority != abi::root_priority) t.fail("our priority is listed as %u", me.priority);
    if (idle.state != ThreadState::ready) t.fail("the idle thread is listed as %s", sys::describe(idle.state));
    if (!lib::equal(idle.name, "idle") || !(idle.flags & inspect::thread_flags::idle))
        t.fail("thread 0 is '%s' with flags %u, not the idle thread", idle.name, idle.flags);
    // Our address space is the object our vspace capability names.
    CapInfo vspace;
    if (!slot_record(self, 0, slot::vspace, vspace)) return t.fail("no record of our vspace slot");
    if (vspace.type != uint8_t(ObjectType::address_space) || me.address_space != vspace.object)
        t.fail("our address space 0x%lx is not our vspace capability's object 0x%lx", me.address_space,
               vspace.object);

    uint64_t id = 0;
    Cptr probe = named_thread(spin, "probe-thread", id, 10);
    if (!probe || id <= self) return t.fail("cannot make a named thread (id %lu)", id);
    ThreadInfo r;
    if (!record_of(t, id, r)) return;
    if (!lib::equal(r.name, "probe-thread")) t.fail("the new thread is listed as '%s'", r.name);
    if (r.state != ThreadState::inactive || r.priority != 10 || r.address_space != me.address_space)
        t.fail("new thread: state %s, priority %u, space 0x%lx", sys::describe(r.state), r.priority,
               r.address_space);
    // Renaming replaces the whole name.
    t.expect(sys::thread_set_name(probe, "p2"), Error::none, "rename");
    if (record_of(t, id, r) && !lib::equal(r.name, "p2")) t.fail("renamed thread is '%s'", r.name);
    // Listing one at a time walks every id in order.
    uint64_t cursor = 0, previous = 0, seen = 0;
    bool found = false;
    for (int guard = 0; guard < 10000; ++guard) {
        sys::Listing l = sys::list_threads(slot::console, cursor, &r, 1);
        if (l.status < 0) return t.fail("listing from %lu: %s", cursor, sys::describe(sys::error_of(l.status)));
        if (l.count == 1) {
            if (seen && r.id <= previous) return t.fail("ids out of order: %lu after %lu", r.id, previous);
            if (l.next != r.id + 1) return t.fail("cursor %lu after id %lu", l.next, r.id);
            found |= r.id == id;
            previous = r.id;
            ++seen;
        }
        if (l.complete) break;
        cursor = l.next;
    }
    if (!found || seen < 3) t.fail("one-at-a-time listing saw %lu threads, the new one %s", seen, found ? "too" : "not");
    // Destroyed, it leaves the registry.
    sys::cap_delete(slot::cnode, probe);
    t.expect(sys::thread_info(slot::console, id, r), Error::bad_argument, "the deleted thread's record");
}

void servers_are_named(Test& t) {
    // run=tests starts the loader for its own tests; the servers and every
    // task they make are named after their programs.
    bool loader = false;
    ThreadInfo records[inspect::max_records];
    uint64_t cursor = 0;
    for (;;) {
        sys::Listing l = sys::list_threads(slot::console, cursor, records, inspect::max_records);
        if (l.status < 0) return t.fail("listing: %s", sys::describe(sys::error_of(l.status)));
        for (uint64_t i = 0; i < l.count; ++i) {
            loader |= lib::equal(records[i].name, "loader");
        }
        if (l.complete) break;
        cursor = l.next;
    }
    if (!loader) t.skip("the loader is not running");
}

void blocked_threads_show_where_they_wait(Test& t) {
    uint64_t self = own_thread_id();
    receive_endpoint = allocate(ObjectType::endpoint);
    Cptr plain = allocate(ObjectType::endpoint);
    wake_notification = allocate(ObjectType::notification);
    call_endpoint_badged = free_slot();
    if (!self) return t.fail("no thread is listed as running");
    if (!receive_endpoint || !plain || !wake_notification || !call_endpoint_badged ||
        !sys::ok(sys::cap_mint(slot::cnode, call_endpoint_badged, slot::cnode, plain, rights::write, call_badge)))
        return t.fail("cannot make the endpoints");
    CapInfo ep, other, note;
    if (!slot_record(self, 0, receive_endpoint, ep) || !slot_record(self, 0, call_endpoint_badged, other) ||
        !slot_record(self, 0, wake_notification, note))
        return t.fail("no records of the new capabilities");
    if (other.badge != call_badge || other.rights != rights::write)
        t.fail("the minted endpoint shows badge 0x%lx, rights %u", other.badge, other.rights);

    uint64_t receiver_id = 0, caller_id = 0, sender_id = 0;
    Cptr receiver = named_thread(receive_then_wait, "receiver", receiver_id);
    if (!receiver || !sys::ok(sys::thread_resume(receiver))) return t.fail("cannot start the receiver");
    ThreadInfo r;
    if (!reaches(receiver_id, ThreadState::blocked_receive)) t.fail("the receiver never blocks receiving");
    else if (record_of(t, receiver_id, r) && (r.waiting_on != ep.object || !lib::equal(r.name, "receiver")))
        t.fail("receiver '%s' waits on 0x%lx, not on the endpoint 0x%lx", r.name, r.waiting_on, ep.object);
    if (!has_wait(receiver_id, WaitKind::receive, ep.object, 0)) t.fail("no receive wait listed for the receiver");

    Cptr caller = named_thread(call_receiver, "caller", caller_id);
    Cptr sender = named_thread(call_nobody, "sender", sender_id);
    if (!caller || !sender || !sys::ok(sys::thread_resume(caller)) || !sys::ok(sys::thread_resume(sender)))
        return t.fail("cannot start the callers");
    if (!reaches(caller_id, ThreadState::blocked_reply) || !reaches(sender_id, ThreadState::blocked_send) ||
        !reaches(receiver_id, ThreadState::blocked_notification))
        return t.fail("the threads do not reach reply, send and notification waits");
    if (record_of(t, caller_id, r) && r.partner != receiver_id)
        t.fail("the caller waits for a reply from %lu, not from the receiver %lu", r.partner, receiver_id);
    if (record_of(t, sender_id, r) && r.waiting_on != other.object)
        t.fail("the sender waits on 0x%lx, not 0x%lx", r.waiting_on, other.object);
    if (record_of(t, receiver_id, r) && r.waiting_on != note.object)
        t.fail("the receiver waits on 0x%lx, not the notification 0x%lx", r.waiting_on, note.object);
    if (!has_wait(sender_id, WaitKind::call, other.object, call_badge)) t.fail("no call wait with the badge listed");
    if (!has_wait(receiver_id, WaitKind::notification, note.object, 0)) t.fail("no notification wait listed");
    if (has_wait(caller_id, WaitKind::call, ep.object, 0)) t.fail("the caller, now waiting for a reply, is still queued");

    // Gone with their threads.
    for (Cptr c : {receiver, caller, sender}) sys::cap_delete(slot::cnode, c);
    for (uint64_t id : {receiver_id, caller_id, sender_id}) {
        t.expect(sys::thread_info(slot::console, id, r), Error::bad_argument, "a destroyed thread's record");
        if (has_wait(id, WaitKind::receive, ep.object, 0) || has_wait(id, WaitKind::call, other.object, call_badge))
            t.fail("thread %lu still listed as waiting after its destruction", id);
    }
    for (Cptr c : {receive_endpoint, call_endpoint_badged, plain, wake_notification}) sys::cap_delete(slot::cnode, c);
}

void cpu_time_and_faults_are_counted(Test& t) {
    uint64_t self = own_thread_id(), spinner_id = 0, faulter_id = 0;
    ThreadInfo before, after, r;
    if (!self) return t.fail("no thread is listed as running");
    if (!record_of(t, self, before)) return;
    Cptr spinner = named_thread(spin, "spinner", spinner_id);
    Cptr faulter = named_thread(take_a_fault, "faulter", faulter_id);
    if (!spinner || !faulter) return t.fail("cannot make the threads");
    if (record_of(t, spinner_id, r) && (r.cpu_ticks != 0 || r.faults != 0))
        t.fail("a thread that never ran has %lu ticks, %lu faults", r.cpu_ticks, r.faults);
    sys::thread_resume(spinner);
    sys::thread_resume(faulter);
    for (int i = 0; i < 20; ++i) sys::yield();
    if (!reaches(faulter_id, ThreadState::inactive)) t.fail("the faulting thread was not stopped");
    if (record_of(t, faulter_id, r) && r.faults != 1) t.fail("the faulting thread took %lu faults, not 1", r.faults);
    if (record_of(t, spinner_id, r) && (r.cpu_ticks == 0 || r.faults != 0))
        t.fail("the spinner ran %lu ticks with %lu faults", r.cpu_ticks, r.faults);
    // Our own time includes the turn we are in.
    if (record_of(t, self, after) && after.cpu_ticks <= before.cpu_ticks)
        t.fail("our time went from %lu to %lu ticks", before.cpu_ticks, after.cpu_ticks);
    sys::cap_delete(slot::cnode, spinner);
    sys::cap_delete(slot::cnode, faulter);
}

void a_thread_destroying_itself_leaves_the_registry(Test& t) {
    uint64_t id = 0, spinner_id = 0;
    doomed_thread = named_thread(destroy_self, "doomed", id);
    Cptr spinner = named_thread(spin, "bystander", spinner_id);
    if (!doomed_thread || !spinner) return t.fail("cannot make the threads");
    sys::thread_resume(doomed_thread);
    sys::thread_resume(spinner);
    ThreadInfo r;
    for (int i = 0; i < 50 && sys::thread_info(slot::console, id, r) == 0; ++i) sys::yield();
    t.expect(sys::thread_info(slot::console, id, r), Error::bad_argument, "the record of the destroyed thread");
    // The others go on being listed and charged.
    uint64_t before = 0;
    if (record_of(t, spinner_id, r)) before = r.cpu_ticks;
    for (int i = 0; i < 10; ++i) sys::yield();
    if (record_of(t, spinner_id, r) && r.cpu_ticks <= before)
        t.fail("the bystander's time stays at %lu ticks", r.cpu_ticks);
    sys::cap_delete(slot::cnode, spinner);
}

// --- capability spaces ----------------------------------------------------------

void a_cnode_tree_is_listed(Test& t) {
    uint64_t self = own_thread_id();
    Cptr cnode = allocate(ObjectType::cnode, 4), inner = allocate(ObjectType::cnode, 2);
    Cptr ep = allocate(ObjectType::endpoint), note = allocate(ObjectType::notification);
    Cptr frame = allocate(ObjectType::frame);
    if (!self) return t.fail("no thread is listed as running");
    if (!cnode || !inner || !ep || !note || !frame) return t.fail("cannot make the objects");
    t.expect(sys::cap_mint(cnode, 3, slot::cnode, ep, rights::write | rights::grant, 5), Error::none, "badged endpoint");
    t.expect(sys::cap_copy(cnode, 7, slot::cnode, note), Error::none, "notification");
    t.expect(sys::cap_move(inner, 1, slot::cnode, frame), Error::none, "frame into the inner CNode");
    t.expect(sys::cap_move(cnode, 9, slot::cnode, inner), Error::none, "inner CNode into slot 9");

    CapInfo top, original;
    unsigned radix = 0;
    if (!slot_record(self, 0, cnode, top) || !slot_record(self, 0, ep, original))
        return t.fail("no records of our CNode and endpoint slots");
    if (top.type != uint8_t(ObjectType::cnode) || top.size_bits != 4)
        return t.fail("slot %lu lists type %u, size %u; not a CNode of radix 4", cnode, top.type, top.size_bits);
    uint64_t path = 0;
    if (!inspect::path_append(path, cnode)) return t.fail("no path to slot %lu", cnode);
    CapInfo records[inspect::max_records];
    sys::Listing l = sys::list_capabilities(slot::console, self, path, 0, records, inspect::max_records);
    if (l.status < 0) return t.fail("listing the CNode: %s", sys::describe(sys::error_of(l.status)));
    if (l.radix != 4 || !l.complete || l.next != 16 || l.count != 3)
        return t.fail("radix %u, complete %d, next %lu, %lu records; expected 4, yes, 16, 3", l.radix, l.complete,
                      l.next, l.count);
    const CapInfo& a = records[0];
    const CapInfo& b = records[1];
    const CapInfo& c = records[2];
    if (a.slot != 3 || a.type != uint8_t(ObjectType::endpoint) || a.badge != 5 ||
        a.rights != (rights::write | rights::grant) || a.object != original.object)
        t.fail("slot 3: slot %lu type %u badge %lu rights %u object 0x%lx (the endpoint is 0x%lx)", a.slot, a.type,
               a.badge, a.rights, a.object, original.object);
    if (b.slot != 7 || b.type != uint8_t(ObjectType::notification)) t.fail("slot 7: %lu type %u", b.slot, b.type);
    if (c.slot != 9 || c.type != uint8_t(ObjectType::cnode) || c.size_bits != 2)
        t.fail("slot 9: %lu type %u radix %u", c.slot, c.type, c.size_bits);
    // One level deeper: the frame in the inner CNode.
    if (!inspect::path_append(path, 9)) return t.fail("no path to slot 9");
    CapInfo deep;
    if (!slot_record(self, path, 1, deep, &radix) || deep.type != uint8_t(ObjectType::frame) || radix != 2)
        t.fail("the inner CNode's slot 1 is not the frame (radix %u)", radix);
    // Cursors: one record at a time from slot 4 finds slot 7 next.
    l = sys::list_capabilities(slot::console, self, path & 0xFFFF, 4, records, 1);
    if (l.status < 0 || l.count != 1 || records[0].slot != 7 || l.next != 8 || l.complete)
        t.fail("from slot 4: %lu records, slot %lu, next %lu", l.count, records[0].slot, l.next);
    l = sys::list_capabilities(slot::console, self, path & 0xFFFF, 16, records, 1);
    if (l.status < 0 || l.count != 0 || !l.complete) t.fail("from the end: %lu records, complete %d", l.count, l.complete);
    sys::cap_delete(slot::cnode, cnode);
    sys::cap_delete(slot::cnode, ep);
    sys::cap_delete(slot::cnode, note);
}

// --- hostile arguments ----------------------------------------------------------

void bad_listing_arguments_are_refused(Test& t) {
    uint64_t self = own_thread_id();
    if (!self) return t.fail("no thread is listed as running");
    ThreadInfo r[2];
    CapInfo c[2];
    WaitInfo w[2];
    auto threads = [&](Cptr console, uint64_t cursor, uint64_t out, uint64_t count) {
        return sys::syscall(S::debug_thread_info, console, cursor, out, count).rax;
    };
    auto caps = [&](uint64_t tid, uint64_t path, uint64_t cursor, uint64_t out, uint64_t count) {
        return sys::syscall(S::debug_cspace_info, slot::console, tid, path, cursor, out, count).rax;
    };
    auto waits = [&](uint64_t cursor, uint64_t out, uint64_t count) {
        return sys::syscall(S::debug_endpoint_info, slot::console, cursor, out, count).rax;
    };
    // Rights and types.
    Cptr write_only = free_slot();
    t.expect(sys::cap_mint(slot::cnode, write_only, slot::cnode, slot::console, rights::write, 0), Error::none,
             "console without read");
    t.expect(threads(write_only, 0, uint64_t(r), 1), Error::insufficient_rights, "threads without the read right");
    t.expect(sys::syscall(S::debug_cspace_info, write_only, self, 0, 0, uint64_t(c), 1).rax,
             Error::insufficient_rights, "capabilities without the read right");
    t.expect(sys::syscall(S::debug_endpoint_info, write_only, 0, uint64_t(w), 1).rax, Error::insufficient_rights,
             "waits without the read right");
    t.expect(threads(slot::thread, 0, uint64_t(r), 1), Error::wrong_type, "a thread as console");
    t.expect(threads(free_slot(), 0, uint64_t(r), 1), Error::invalid_capability, "an empty slot as console");
    sys::cap_delete(slot::cnode, write_only);
    // Buffers.
    for (uint64_t bad : {uint64_t(0), uint64_t(0x0000500000000000), abi::user_address_limit - sizeof(ThreadInfo) + 8,
                         uint64_t(0xFFFF800000100000), ~uint64_t(0)}) {
        t.expect(threads(slot::console, 0, bad, 1), Error::bad_address, "threads into a bad buffer");
        t.expect(caps(self, 0, 0, bad, 1), Error::bad_address, "capabilities into a bad buffer");
        t.expect(waits(0, bad, 1), Error::bad_address, "waits into a bad buffer");
    }
    // A buffer whose first record fits in a page and whose second runs off it.
    Cptr page = map_page(slot::vspace, shared_address + shared_pages * 4096 + 0x10000);
    uint64_t edge = shared_address + shared_pages * 4096 + 0x10000 + 4096 - sizeof(ThreadInfo);
    if (!page) return t.fail("cannot map the edge page");
    t.expect(threads(slot::console, 0, edge, 1), Error::none, "one record just below an unmapped page");
    t.expect(threads(slot::console, 0, edge, 2), Error::bad_address, "two records over an unmapped page");
    // A read-only page: the kernel's write must fault and be refused.
    t.expect(sys::frame_protect(page, rights::read), Error::none, "make the page read-only");
    t.expect(threads(slot::console, 0, edge, 1), Error::bad_address, "into a read-only page");
    t.expect(caps(self, 0, 0, edge, 1), Error::bad_address, "capabilities into a read-only page");
    sys::frame_unmap(page);
    sys::cap_delete(slot::cnode, page);
    // Counts and cursors.
    for (uint64_t count : {uint64_t(0), inspect::max_records + 1, ~uint64_t(0)}) {
        t.expect(threads(slot::console, 0, uint64_t(r), count), Error::bad_argument, "a bad count of threads");
        t.expect(caps(self, 0, 0, uint64_t(c), count), Error::bad_argument, "a bad count of capabilities");
        t.expect(waits(0, uint64_t(w), count), Error::bad_argument, "a bad count of waits");
    }
    t.expect(threads(slot::console, ~0ull, uint64_t(r), 1), Error::bad_argument, "a cursor past every id");
    t.expect(waits(~0ull, uint64_t(w), 1), Error::bad_argument, "a wait cursor past every id");
    uint64_t root_slots = 1ull << context.info->cnode_radix;
    t.expect(caps(self, 0, root_slots + 1, uint64_t(c), 1), Error::bad_argument, "a slot cursor past the CNode");
    t.expect(caps(self, 0, root_slots, uint64_t(c), 1), Error::none, "a slot cursor at the CNode's end");
    // Threads and paths.
    t.expect(caps(~0ull, 0, 0, uint64_t(c), 1), Error::bad_argument, "a thread id never given out");
    t.expect(caps(0, 0, 0, uint64_t(c), 1), Error::invalid_capability, "the idle thread has no CSpace");
    t.expect(caps(self, slot::console, 0, uint64_t(c), 1), Error::wrong_type, "a path through a console");
    t.expect(caps(self, free_slot(), 0, uint64_t(c), 1), Error::invalid_capability, "a path through an empty slot");
    t.expect(caps(self, uint64_t(slot::cnode) << 16, 0, uint64_t(c), 1), Error::bad_argument,
             "a path with a gap");
    t.expect(caps(self, 0xFFFF, 0, uint64_t(c), 1), Error::invalid_capability, "a path past the root CNode");
    // Our CNode holds itself: a path may go round, but only four steps deep.
    uint64_t loop = slot::cnode | slot::cnode << 16 | slot::cnode << 32 | uint64_t(slot::cnode) << 48;
    t.expect(caps(self, loop, 0, uint64_t(c), 1), Error::none, "four steps round our own CNode");
    uint64_t id = 0;
    Cptr unconfigured = allocate(ObjectType::thread);
    if (unconfigured) id = last_thread_id();
    t.expect(caps(id, 0, 0, uint64_t(c), 1), Error::invalid_capability, "a thread without a CSpace");
    sys::cap_delete(slot::cnode, unconfigured);
    t.expect(caps(id, 0, 0, uint64_t(c), 1), Error::bad_argument, "a destroyed thread");
}

void bad_names_are_refused(Test& t) {
    uint64_t id = 0;
    Cptr thread = named_thread(spin, "good", id, 10);
    if (!thread) return t.fail("cannot make a thread");
    auto raw = [&](Cptr c, const char* bytes) {
        uint64_t words[2];
        memcpy(words, bytes, 16);
        return sys::syscall(S::thread_set_name, c, words[0], words[1]).rax;
    };
    t.expect(raw(thread, "sixteen-chars-xx"), Error::bad_argument, "16 characters, no NUL");
    t.expect(raw(thread, "tab\there\0\0\0\0\0\0\0"), Error::bad_argument, "a control character");
    t.expect(raw(thread, "esc\x1b\0\0\0\0\0\0\0\0\0\0\0"), Error::bad_argument, "an escape");
    t.expect(raw(thread, "ok\0hidden\0\0\0\0\0\0"), Error::bad_argument, "bytes after the NUL");
    t.expect(raw(thread, "high\xff\0\0\0\0\0\0\0\0\0\0"), Error::bad_argument, "a byte above ASCII");
    t.expect(sys::thread_set_name(thread, "sixteen-chars-xx"), Error::bad_argument, "the wrapper refuses 16 too");
    Cptr read_only = free_slot();
    t.expect(sys::cap_mint(slot::cnode, read_only, slot::cnode, thread, rights::read, 0), Error::none, "read-only");
    t.expect(sys::thread_set_name(read_only, "x"), Error::insufficient_rights, "through a read-only capability");
    t.expect(sys::thread_set_name(slot::console, "x"), Error::wrong_type, "a console");
    t.expect(sys::thread_set_name(0, "x"), Error::invalid_capability, "slot 0");
    ThreadInfo r;
    if (record_of(t, id, r) && !lib::equal(r.name, "good")) t.fail("refused names changed it to '%s'", r.name);
    t.expect(raw(thread, "fifteen-chars-x\0"), Error::none, "15 characters");
    if (record_of(t, id, r) && !lib::equal(r.name, "fifteen-chars-x")) t.fail("the name is '%s'", r.name);
    t.expect(sys::thread_set_name(thread, ""), Error::none, "an empty name");
    if (record_of(t, id, r) && r.name[0]) t.fail("the empty name reads '%s'", r.name);
    sys::cap_delete(slot::cnode, read_only);
    sys::cap_delete(slot::cnode, thread);
}

}  // namespace

extern const Case inspect_cases[] = {
    {"introspection: threads listed with names, ids in order, gone when destroyed", threads_are_listed_with_their_names},
    {"introspection: every thread is named, the loader among them", servers_are_named},
    {"introspection: blocked threads show their endpoint, notification, badge and reply partner",
     blocked_threads_show_where_they_wait},
    {"introspection: CPU time and faults counted per thread", cpu_time_and_faults_are_counted},
    {"introspection: a thread destroying itself leaves the registry", a_thread_destroying_itself_leaves_the_registry},
    {"introspection: a CNode tree listed slot by slot with types, badges, radixes and cursors", a_cnode_tree_is_listed},
    {"introspection: bad buffers, counts, cursors, paths and rights refused", bad_listing_arguments_are_refused},
    {"introspection: bad thread names refused", bad_names_are_refused},
};
extern const uint64_t inspect_case_count = sizeof inspect_cases / sizeof *inspect_cases;

}  // namespace root::testing
