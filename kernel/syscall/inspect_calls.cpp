// Introspection: a thread's name, and the kernel's view of threads,
// capability spaces and IPC waits for the console shell (abi/inspect.hpp,
// docs/abi.md "Introspection"). Reading needs the console's read right:
// these calls show every task's state, so they are a debugging authority
// that only the root task holds and hands out.
//
// Each call copies at most abi::inspect::max_records records and does work
// bounded by the number of live threads (the registry walk) or by
// max_slots_scanned CNode slots, then gives a cursor to go on from. A
// listing is a snapshot per call, not across calls: threads made between
// calls appear (their ids are larger), threads destroyed vanish.
#include <initializer_list>

#include "common/string.hpp"
#include "mm/physmap.hpp"
#include "object/objects.hpp"
#include "sched/scheduler.hpp"
#include "syscall/call.hpp"
#include "syscall/user_access.hpp"
#include "trace/trace.hpp"

namespace syscall {

namespace {

namespace inspect = abi::inspect;
using object::ThreadState;

// The ABI's states are the kernel's, in the same order.
static_assert(uint8_t(inspect::ThreadState::inactive) == uint8_t(ThreadState::inactive));
static_assert(uint8_t(inspect::ThreadState::ready) == uint8_t(ThreadState::ready));
static_assert(uint8_t(inspect::ThreadState::running) == uint8_t(ThreadState::running));
static_assert(uint8_t(inspect::ThreadState::blocked_send) == uint8_t(ThreadState::blocked_send));
static_assert(uint8_t(inspect::ThreadState::blocked_receive) == uint8_t(ThreadState::blocked_receive));
static_assert(uint8_t(inspect::ThreadState::blocked_reply) == uint8_t(ThreadState::blocked_reply));
static_assert(uint8_t(inspect::ThreadState::blocked_notification) == uint8_t(ThreadState::blocked_notification));

// Paths as the callers build them (abi::inspect::path_append).
constexpr uint64_t path_of(std::initializer_list<uint64_t> steps) {
    uint64_t path = 0;
    for (uint64_t step : steps)
        if (!inspect::path_append(path, step)) return ~0ull;
    return path;
}
static_assert(path_of({}) == 0 && path_of({5}) == 5 && path_of({5, 3}) == (5 | 3 << 16));
static_assert(path_of({1, 2, 3, 0xFFFF}) == (1 | 2 << 16 | 3ull << 32 | 0xFFFFull << 48));
static_assert(path_of({1, 2, 3, 4, 5}) == ~0ull && path_of({0}) == ~0ull && path_of({0x10000}) == ~0ull);

// An object's id: its physical address, the same through every capability.
uint64_t object_id(uint64_t kernel_address) { return kernel_address ? kernel_address - mm::direct_map_base : 0; }
uint64_t object_id(const void* object) { return object_id(uint64_t(object)); }

bool waits_on_object(const Thread* t) {
    return t->waiting_on && (t->state == ThreadState::blocked_send || t->state == ThreadState::blocked_receive ||
                             t->state == ThreadState::blocked_notification);
}

void describe_thread(const Thread* t, inspect::ThreadInfo& r) {
    r = inspect::ThreadInfo{};
    r.id = t->id;
    memcpy(r.name, t->name, sizeof r.name);
    // The idle thread's own state stays "running": it is running when it
    // is the current thread, and otherwise ready to run.
    ThreadState state = !t->is_idle ? t->state : t == sched::current() ? ThreadState::running : ThreadState::ready;
    r.state = inspect::ThreadState(state);
    r.priority = t->priority;
    r.flags = uint8_t((t->is_idle ? inspect::thread_flags::idle : 0) |
                      (t->faulting ? inspect::thread_flags::faulting : 0));
    r.address_space = t->vspace.cap.type == ObjectType::address_space ? object_id(t->vspace.cap.object) : 0;
    r.cpu_ticks = sched::cpu_ticks(t);
    r.faults = t->fault_count;
    r.waiting_on = waits_on_object(t) ? object_id(t->waiting_on) : 0;
    r.partner = t->state == ThreadState::blocked_reply && t->callee ? t->callee->id : 0;
    r.rip = t->is_idle ? 0 : t->context.rip;
}

// The common arguments of a listing: the console, and room for count
// records of `size` bytes at out.
Error check_listing(Call& c, uint64_t out, uint64_t count, size_t size) {
    Slot* console;
    TRY(lookup(c, c.arg(0), ObjectType::debug_console, rights::read, console));
    if (count == 0 || count > inspect::max_records) return Error::bad_argument;
    return is_user_range(out, count * size) ? Error::none : Error::bad_address;
}

void report(Call& c, uint64_t written, uint64_t next_cursor, bool complete) {
    c.frame.rdx = written;
    c.frame.rsi = next_cursor;
    c.frame.r10 = complete;
}

// The first live thread with id >= cursor, or nullptr.
lib::ListNode* first_from(uint64_t cursor) {
    lib::ListNode* n = object::thread_registry.front();
    while (n && object::registry_thread(n)->id < cursor) n = n->next;
    return n;
}

// A listing over the registry (debug_thread_info, debug_endpoint_info):
// arguments (console, cursor, out, count); describe(thread, record) fills
// the record of a thread, or returns false to leave the thread out.
template <typename Record, typename Describe>
Error list_threads(Call& c, Describe describe) {
    uint64_t cursor = c.arg(1), out = c.arg(2), count = c.arg(3);
    TRY(check_listing(c, out, count, sizeof(Record)));
    if (cursor > object::thread_ids_issued()) return Error::bad_argument;
    uint64_t written = 0, next = cursor;
    lib::ListNode* n = first_from(cursor);
    for (; n && written < count; n = n->next) {
        const Thread* t = object::registry_thread(n);
        next = t->id + 1;
        Record record{};
        if (!describe(t, record)) continue;
        if (!copy_to_user(out + written * sizeof record, &record, sizeof record)) return Error::bad_address;
        ++written;
    }
    report(c, written, next, n == nullptr);
    return Error::none;
}

}  // namespace

Error sys_thread_set_name(Call& c) {
    Slot* thread;
    TRY(lookup(c, c.arg(0), ObjectType::thread, rights::write, thread));
    char name[inspect::name_size];
    uint64_t words[2] = {c.arg(1), c.arg(2)};
    memcpy(name, words, sizeof name);
    // Up to the first NUL, printable ASCII only (the shell prints names
    // as they are); after it, nothing but NULs.
    size_t length = 0;
    while (length < sizeof name && name[length]) {
        if (name[length] < 0x20 || name[length] > 0x7E) return Error::bad_argument;
        ++length;
    }
    if (length == sizeof name) return Error::bad_argument;  // no room for the NUL
    for (size_t i = length; i < sizeof name; ++i)
        if (name[i]) return Error::bad_argument;
    memcpy(object_at<Thread>(thread)->name, name, sizeof name);
    trace::record_name(object_at<Thread>(thread));
    return Error::none;
}

Error sys_debug_thread_info(Call& c) {
    return list_threads<inspect::ThreadInfo>(c, [](const Thread* t, inspect::ThreadInfo& r) {
        describe_thread(t, r);
        return true;
    });
}

Error sys_debug_cspace_info(Call& c) {
    uint64_t thread_id = c.arg(1), path = c.arg(2), cursor = c.arg(3), out = c.arg(4), count = c.arg(5);
    TRY(check_listing(c, out, count, sizeof(inspect::CapInfo)));
    const Thread* t = object::find_thread(thread_id);
    if (!t) return Error::bad_argument;
    if (t->cspace.cap.type != ObjectType::cnode) return Error::invalid_capability;
    // Follow the path; a zero group ends it, and nothing may follow one.
    const object::Capability* cnode = &t->cspace.cap;
    for (uint64_t rest = path; rest; rest >>= inspect::path_bits) {
        uint64_t index = rest & 0xFFFF;
        if (!index) return Error::bad_argument;
        const Slot* s = object::cnode::slot_at(*cnode, index);
        if (!s || s->cap.is_null()) return Error::invalid_capability;
        if (s->cap.type != ObjectType::cnode) return Error::wrong_type;
        cnode = &s->cap;
    }
    uint64_t slots = object::cnode::slot_count(*cnode);
    if (cursor > slots) return Error::bad_argument;
    uint64_t index = cursor ? cursor : 1, written = 0;
    uint64_t scan_end = slots - index > inspect::max_slots_scanned ? index + inspect::max_slots_scanned : slots;
    for (; index < scan_end && written < count; ++index) {
        const object::Capability& cap = object::cnode::slots(*cnode)[index].cap;
        if (cap.is_null()) continue;
        inspect::CapInfo record{};
        record.slot = index;
        record.type = uint8_t(cap.type);
        record.rights = cap.rights;
        record.size_bits = cap.size_bits;
        bool badged = cap.type == ObjectType::endpoint || cap.type == ObjectType::notification;
        record.badge = badged ? cap.data : 0;
        record.object = object_id(cap.object);
        if (!copy_to_user(out + written * sizeof record, &record, sizeof record)) return Error::bad_address;
        ++written;
    }
    report(c, written, index, index == slots);
    c.frame.r8 = cnode->size_bits;  // the radix of the CNode listed
    return Error::none;
}

Error sys_debug_endpoint_info(Call& c) {
    return list_threads<inspect::WaitInfo>(c, [](const Thread* t, inspect::WaitInfo& r) {
        if (!waits_on_object(t)) return false;
        r.object = object_id(t->waiting_on);
        r.thread = t->id;
        switch (t->state) {
        case ThreadState::blocked_send:
            r.kind = t->is_call ? inspect::WaitKind::call : inspect::WaitKind::send;
            r.badge = t->badge;
            break;
        case ThreadState::blocked_receive: r.kind = inspect::WaitKind::receive; break;
        default: r.kind = inspect::WaitKind::notification; break;
        }
        return true;
    });
}

}  // namespace syscall
