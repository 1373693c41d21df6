// In-guest tests of the kernel's paging primitives for user-space pagers:
// faults delivered as messages, resume or stop by reply, rights changes,
// and the batched accessed/dirty query.
#include <initializer_list>

#include "abi/ipc.hpp"
#include "sys/ipc.hpp"
#include "test_support.hpp"

namespace root::testing {

namespace {

namespace ipc = sys::ipc;

constexpr uint64_t fault_area = 0x0000320000000000ull;

// Writes counters[0] to the address in counters[1], then reports.
void toucher(uint64_t) {
    *reinterpret_cast<volatile uint64_t*>(shared.counters[1]) = shared.counters[0];
    shared.results[0] = 1;
    finish_thread();
}

Cptr make_faulting_thread(Cptr handler, uint64_t address, uint64_t value) {
    shared.counters[0] = value;
    shared.counters[1] = address;
    Cptr thread = make_thread(slot::vspace, toucher, 0, abi::root_priority, next_stack_top());
    if (thread && !sys::ok(sys::thread_configure(thread, slot::cnode, slot::vspace, 0, 0, handler))) return 0;
    return thread;
}

void a_fault_goes_to_the_handler_and_the_reply_resumes(Test& t) {
    Cptr handler = allocate(ObjectType::endpoint);
    reset_shared(1);
    uint64_t address = fault_area + 0x123 * 8;
    Cptr thread = make_faulting_thread(handler, address, 0xC0FFEE);
    if (!thread) return t.fail("could not create the thread");
    sys::thread_resume(thread);
    ipc::Received fault = ipc::receive(handler);  // it runs, faults, and we hear of it
    if (fault.result != 0 || fault.label() != abi::ipc::fault_label) return t.fail("no fault message arrived");
    if (fault.message.words[0] != address) t.fail("fault address 0x%lx, expected 0x%lx", fault.message.words[0], address);
    if (!(fault.message.words[1] & abi::ipc::fault_write) || !(fault.message.words[1] & abi::ipc::fault_user))
        t.fail("access bits 0x%lx do not say user write", fault.message.words[1]);
    if (fault.message.words[2] < 0x400000 || fault.message.words[3] != 14) t.fail("bad rip or vector in the message");
    Cptr frame = map_page(slot::vspace, address & ~0xFFFull);
    t.expect(ipc::reply(ipc::Message{}), Error::none, "reply to the fault");
    sys::notification_wait(shared.done_notification);
    if (*reinterpret_cast<volatile uint64_t*>(address) != 0xC0FFEE) t.fail("the resumed store did not happen");
    sys::cap_delete(slot::cnode, thread);
    sys::cap_delete(slot::cnode, frame);
    sys::cap_delete(slot::cnode, handler);
}

void a_refused_fault_stops_the_thread(Test& t) {
    Cptr handler = allocate(ObjectType::endpoint);
    reset_shared(1);
    Cptr thread = make_faulting_thread(handler, fault_area + 0x10000, 1);
    sys::thread_resume(thread);
    ipc::Received fault = ipc::receive(handler);
    if (fault.label() != abi::ipc::fault_label) return t.fail("no fault message arrived");
    ipc::reply(ipc::Message{ipc::make_tag(1, 0), {}});  // not resolved
    for (int i = 0; i < 10; ++i) sys::yield();
    if (shared.results[0]) t.fail("the thread ran on after a refused fault");
    sys::cap_delete(slot::cnode, thread);
    sys::cap_delete(slot::cnode, handler);
}

void accessed_and_dirty_bits_are_read_and_cleared(Test& t) {
    constexpr uint64_t base = fault_area + 0x100000;
    Cptr frames[3];
    for (uint64_t i = 0; i < 3; ++i) frames[i] = map_page(slot::vspace, base + i * 4096);
    uint8_t states[4];
    sys::address_space_query(slot::vspace, base, 4, states);  // clear what mapping set
    (void)*reinterpret_cast<volatile uint64_t*>(base);          // page 0: read
    *reinterpret_cast<volatile uint64_t*>(base + 4096) = 5;     // page 1: write
    t.expect(sys::address_space_query(slot::vspace, base, 4, states), Error::none, "query");
    namespace ps = abi::page_state;
    if (states[0] != (ps::present | ps::accessed)) t.fail("page 0 (read) shows 0x%x", states[0]);
    if (states[1] != (ps::present | ps::accessed | ps::dirty)) t.fail("page 1 (written) shows 0x%x", states[1]);
    if (states[2] != ps::present) t.fail("page 2 (untouched) shows 0x%x", states[2]);
    if (states[3] != 0) t.fail("page 3 (unmapped) shows 0x%x", states[3]);
    sys::address_space_query(slot::vspace, base, 4, states);
    if (states[0] != ps::present || states[1] != ps::present) t.fail("the bits were not cleared");
    *reinterpret_cast<volatile uint64_t*>(base + 4096) = 6;  // set again after the clear
    sys::address_space_query(slot::vspace, base, 2, states);
    if (states[1] != (ps::present | ps::accessed | ps::dirty)) t.fail("bits not set again after a clear (stale TLB?)");
    t.expect(sys::address_space_query(slot::vspace, base, 0, states), Error::bad_argument, "count 0");
    t.expect(sys::address_space_query(slot::vspace, base, 513, states), Error::bad_argument, "count over 512");
    t.expect(sys::address_space_query(slot::vspace, abi::user_address_limit - 4096, 2, states), Error::bad_address,
             "range past the user half");
    for (Cptr f : frames) sys::cap_delete(slot::cnode, f);
}

void protect_changes_a_mapping(Test& t) {
    Cptr handler = allocate(ObjectType::endpoint);
    uint64_t address = fault_area + 0x200000;
    Cptr frame = map_page(slot::vspace, address);
    t.expect(sys::frame_protect(frame, abi::rights::read), Error::none, "make it read-only");
    reset_shared(1);
    Cptr thread = make_faulting_thread(handler, address, 77);
    sys::thread_resume(thread);
    ipc::Received fault = ipc::receive(handler);
    if (fault.label() != abi::ipc::fault_label ||
        (fault.message.words[1] & (abi::ipc::fault_present | abi::ipc::fault_write)) !=
            (abi::ipc::fault_present | abi::ipc::fault_write))
        t.fail("a write to a read-only page did not fault as a protection fault");
    t.expect(sys::frame_protect(frame, abi::rights::read | abi::rights::write), Error::none, "make it writable");
    ipc::reply(ipc::Message{});
    sys::notification_wait(shared.done_notification);
    if (*reinterpret_cast<volatile uint64_t*>(address) != 77) t.fail("the retried store did not happen");
    t.expect(sys::frame_protect(frame, abi::rights::all), Error::bad_argument, "writable and executable");
    sys::frame_unmap(frame);
    t.expect(sys::frame_protect(frame, abi::rights::read), Error::not_mapped, "protect of an unmapped frame");
    for (Cptr c : {thread, frame, handler}) sys::cap_delete(slot::cnode, c);
}

}  // namespace

const Case paging_cases[] = {
    {"paging: a page fault goes to the fault handler; its reply resumes the thread",
     a_fault_goes_to_the_handler_and_the_reply_resumes},
    {"paging: a fault the handler refuses stops the thread", a_refused_fault_stops_the_thread},
    {"paging: accessed and dirty bits are read and cleared in one call", accessed_and_dirty_bits_are_read_and_cleared},
    {"paging: protect changes the rights of a mapping", protect_changes_a_mapping},
};
const uint64_t paging_case_count = sizeof paging_cases / sizeof *paging_cases;

}  // namespace root::testing
