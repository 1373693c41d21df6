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

// --- frame_map_batch ----------------------------------------------------------

constexpr uint64_t batch_area = fault_area + 0x400000;     // 2 MiB aligned; its page table is made below
constexpr uint64_t fresh_area = 0x0000360000000000ull;     // no page tables at all
constexpr unsigned batch = 4;

// Frames for a batch, and the page table of batch_area in place (made by
// mapping one page there and taking it away again).
bool make_batch_frames(Cptr* frames, unsigned n) {
    for (unsigned i = 0; i < n; ++i)
        if (!(frames[i] = allocate(ObjectType::frame))) return false;
    Cptr probe = map_page(slot::vspace, batch_area);
    if (!probe) return false;
    sys::cap_delete(slot::cnode, probe);  // unmapped with it; the table stays
    return true;
}

void delete_all(const Cptr* caps, unsigned n) {
    for (unsigned i = 0; i < n; ++i) sys::cap_delete(slot::cnode, caps[i]);
}

// How many of the frames are mapped (frame_unmap succeeds on them; it unmaps them too).
unsigned unmap_count(const Cptr* frames, unsigned n) {
    unsigned mapped = 0;
    for (unsigned i = 0; i < n; ++i) mapped += sys::frame_unmap(frames[i]) == 0;
    return mapped;
}

void map_batch_maps_each_frame_at_its_page(Test& t) {
    Cptr frames[batch];
    if (!make_batch_frames(frames, batch)) return t.fail("no frames");
    sys::BatchResult r = sys::frame_map_batch(slot::vspace, batch_area, rights::read | rights::write, frames, batch);
    t.expect(r.status, Error::none, "map a batch of 4");
    if (r.mapped != batch) t.fail("mapped says %lu, expected 4", r.mapped);
    for (unsigned i = 0; i < batch; ++i) *reinterpret_cast<volatile uint64_t*>(batch_area + i * 4096 + 8) = 0xBA7C0 + i;
    // Each frame, mapped again alone at one address, shows what was written
    // at its own page of the batch: frame i really was at page i.
    for (unsigned i = 0; i < batch; ++i) t.expect(sys::frame_unmap(frames[i]), Error::none, "unmap a batch page");
    for (unsigned i = 0; i < batch; ++i) {
        if (!sys::ok(sys::frame_map(frames[i], slot::vspace, batch_area, rights::read))) return t.fail("remap failed");
        uint64_t seen = *reinterpret_cast<volatile uint64_t*>(batch_area + 8);
        if (seen != 0xBA7C0 + i) t.fail("frame %u holds 0x%lx, expected 0x%x", i, seen, 0xBA7C0 + i);
        sys::frame_unmap(frames[i]);
    }
    delete_all(frames, batch);
}

void map_batch_refuses_bad_arguments_with_nothing_mapped(Test& t) {
    Cptr frames[batch];
    if (!make_batch_frames(frames, batch)) return t.fail("no frames");
    constexpr uint8_t rw = rights::read | rights::write;
    struct Attempt {
        const char* what;
        Cptr vspace;
        uint64_t address;
        uint8_t rights;
        const Cptr* list;
        uint64_t count;
        Error expected;
    };
    Cptr endpoint = allocate(ObjectType::endpoint);
    const Attempt attempts[] = {
        {"count 0", slot::vspace, batch_area, rw, frames, 0, Error::bad_argument},
        {"count one over the bound", slot::vspace, batch_area, rw, frames, abi::max_map_batch + 1, Error::bad_argument},
        {"a huge count", slot::vspace, batch_area, rw, frames, 1ull << 62, Error::bad_argument},
        {"rights beyond all", slot::vspace, batch_area, 0x10, frames, batch, Error::bad_argument},
        {"writable and executable", slot::vspace, batch_area, rights::read | rights::write | rights::execute, frames,
         batch, Error::bad_argument},
        {"no vspace (slot 0)", 0, batch_area, rw, frames, batch, Error::invalid_capability},
        {"an endpoint as the vspace", endpoint, batch_area, rw, frames, batch, Error::wrong_type},
        {"address 0", slot::vspace, 0, rw, frames, batch, Error::bad_address},
        {"an unaligned address", slot::vspace, batch_area + 8, rw, frames, batch, Error::bad_address},
        {"a kernel address", slot::vspace, 0xFFFF800000100000ull, rw, frames, batch, Error::bad_address},
        {"a range past the user half", slot::vspace, abi::user_address_limit - 2 * 4096, rw, frames, batch,
         Error::bad_address},
        {"a null list", slot::vspace, batch_area, rw, nullptr, batch, Error::bad_address},
        {"a list in the kernel half", slot::vspace, batch_area, rw, reinterpret_cast<const Cptr*>(0xFFFF800000000000ull),
         batch, Error::bad_address},
        {"a list running off the user half", slot::vspace, batch_area, rw,
         reinterpret_cast<const Cptr*>(abi::user_address_limit - 16), batch, Error::bad_address},
    };
    for (const Attempt& a : attempts) {
        sys::BatchResult r = sys::frame_map_batch(a.vspace, a.address, a.rights, a.list, a.count);
        t.expect(r.status, a.expected, a.what);
        if (r.mapped != 0) t.fail("%s: mapped says %lu", a.what, r.mapped);
    }
    // Bad capabilities anywhere in the list: every one is looked up before
    // the first page is mapped.
    Cptr empty = free_slot();
    const struct {
        const char* what;
        Cptr bad;
        Error expected;
    } bad_caps[] = {{"slot 0 in the list", 0, Error::invalid_capability},
                    {"an empty slot in the list", empty, Error::invalid_capability},
                    {"a slot beyond the CNode", 1ull << 40, Error::invalid_capability},
                    {"an endpoint in the list", endpoint, Error::wrong_type},
                    {"an address space in the list", slot::vspace, Error::wrong_type}};
    for (const auto& b : bad_caps) {
        Cptr list[batch] = {frames[0], frames[1], frames[2], b.bad};
        sys::BatchResult r = sys::frame_map_batch(slot::vspace, batch_area, rw, list, batch);
        t.expect(r.status, b.expected, b.what);
        if (r.mapped != 0) t.fail("%s: mapped says %lu", b.what, r.mapped);
    }
    // A list whose first entries are good but which runs into an unmapped
    // page: the copy faults, and that is an error for the caller, not a
    // kernel fault, with nothing mapped.
    constexpr uint64_t list_page = batch_area + 0x100000;
    Cptr list_frame = map_page(slot::vspace, list_page);
    if (!list_frame) return t.fail("no page for the list");
    auto* straddling = reinterpret_cast<Cptr*>(list_page + 4096 - 2 * sizeof(Cptr));
    straddling[0] = frames[0];
    straddling[1] = frames[1];
    sys::BatchResult r = sys::frame_map_batch(slot::vspace, batch_area, rw, straddling, batch);
    t.expect(r.status, Error::bad_address, "a list running into an unmapped page");
    sys::cap_delete(slot::cnode, list_frame);
    if (unsigned n = unmap_count(frames, batch)) t.fail("%u frames were mapped by refused calls", n);
    // The frame capability's rights bound the mapping's, as for frame_map.
    Cptr read_only = free_slot();
    sys::cap_mint(slot::cnode, read_only, slot::cnode, frames[0], rights::read, 0);
    Cptr list[1] = {read_only};
    t.expect(sys::frame_map_batch(slot::vspace, batch_area, rw, list, 1).status, Error::insufficient_rights,
             "writable mapping of a read-only frame capability");
    t.expect(sys::frame_map_batch(slot::vspace, batch_area, rights::read, list, 1).status, Error::none,
             "read-only mapping of it");
    sys::frame_unmap(read_only);
    delete_all(frames, batch);
    for (Cptr c : {endpoint, read_only, empty}) sys::cap_delete(slot::cnode, c);
}

void map_batch_stops_at_the_first_refusal_and_says_how_far(Test& t) {
    Cptr frames[batch];
    if (!make_batch_frames(frames, batch)) return t.fail("no frames");
    constexpr uint8_t rw = rights::read | rights::write;
    // Frame 2 already mapped elsewhere: 0 and 1 go in and stay.
    t.expect(sys::frame_map(frames[2], slot::vspace, batch_area + 0x10000, rw), Error::none, "map frame 2 alone");
    sys::BatchResult r = sys::frame_map_batch(slot::vspace, batch_area, rw, frames, batch);
    t.expect(r.status, Error::already_mapped, "a batch with an already-mapped frame");
    if (r.mapped != 2) t.fail("mapped says %lu, expected 2", r.mapped);
    *reinterpret_cast<volatile uint64_t*>(batch_area + 4096) = 1;  // page 1 is really there
    if (unsigned n = unmap_count(frames, batch); n != 3) t.fail("%u frames mapped, expected 3 (0, 1 and 2 alone)", n);
    // A page of the range already occupied (by frame 3 at page 1).
    t.expect(sys::frame_map(frames[3], slot::vspace, batch_area + 4096, rw), Error::none, "occupy page 1");
    r = sys::frame_map_batch(slot::vspace, batch_area, rw, frames, 3);
    t.expect(r.status, Error::already_mapped, "a batch over an occupied page");
    if (r.mapped != 1) t.fail("over an occupied page: mapped says %lu, expected 1", r.mapped);
    unmap_count(frames, batch);
    // The same frame twice: the second is already mapped.
    Cptr twice[3] = {frames[0], frames[1], frames[0]};
    r = sys::frame_map_batch(slot::vspace, batch_area, rw, twice, 3);
    t.expect(r.status, Error::already_mapped, "the same frame twice in the list");
    if (r.mapped != 2) t.fail("the same frame twice: mapped says %lu, expected 2", r.mapped);
    unmap_count(frames, batch);
    // No page tables at all: nothing mapped, the missing level named.
    r = sys::frame_map_batch(slot::vspace, fresh_area, rw, frames, batch);
    t.expect(r.status, Error::missing_page_table, "a batch where no page tables exist");
    if (r.mapped != 0 || r.missing_level < 1 || r.missing_level > 3)
        t.fail("no tables: mapped %lu, missing level %u", r.mapped, r.missing_level);
    // Across the end of a page table whose successor is missing: the pages
    // before the boundary go in, then level 1 is named.
    r = sys::frame_map_batch(slot::vspace, batch_area + 0x200000 - 2 * 4096, rw, frames, batch);
    t.expect(r.status, Error::missing_page_table, "a batch running past its page table");
    if (r.mapped != 2 || r.missing_level != 1)
        t.fail("past the table: mapped %lu, missing level %u (expected 2 and 1)", r.mapped, r.missing_level);
    if (unsigned n = unmap_count(frames, batch); n != 2) t.fail("%u frames mapped, expected 2", n);
    delete_all(frames, batch);
}

}  // namespace

const Case paging_cases[] = {
    {"paging: a page fault goes to the fault handler; its reply resumes the thread",
     a_fault_goes_to_the_handler_and_the_reply_resumes},
    {"paging: a fault the handler refuses stops the thread", a_refused_fault_stops_the_thread},
    {"paging: accessed and dirty bits are read and cleared in one call", accessed_and_dirty_bits_are_read_and_cleared},
    {"paging: protect changes the rights of a mapping", protect_changes_a_mapping},
    {"paging: frame_map_batch maps each frame at its page in one call", map_batch_maps_each_frame_at_its_page},
    {"paging: frame_map_batch refuses bad arguments, addresses, lists and capabilities with nothing mapped",
     map_batch_refuses_bad_arguments_with_nothing_mapped},
    {"paging: frame_map_batch stops at the first frame it cannot map and says how many went in",
     map_batch_stops_at_the_first_refusal_and_says_how_far},
};
const uint64_t paging_case_count = sizeof paging_cases / sizeof *paging_cases;

}  // namespace root::testing
