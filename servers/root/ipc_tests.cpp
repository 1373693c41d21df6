// In-guest tests of IPC: message sizes, badges, queueing order, capability
// transfer, notifications, non-blocking calls and bound notifications.
#include <initializer_list>

#include "sys/ipc.hpp"
#include "test_support.hpp"

namespace root::testing {

namespace {

namespace ipc = sys::ipc;
using abi::ipc::make_tag;

constexpr uint64_t stop_label = 0xDEAD;
Cptr endpoint;

uint8_t pattern(uint64_t length, uint64_t i) { return uint8_t(length * 7 + i * 13 + 1); }

// Answers every call with the payload's bytes inverted, until stop_label.
void echo_server(uint64_t) {
    abi::ipc::Buffer& b = my_ipc_buffer();
    ipc::Received r = ipc::receive(endpoint);
    while (r.result == 0 && r.label() != stop_label) {
        uint8_t data[abi::ipc::max_message_bytes];
        size_t n = ipc::unpack_bytes(b, r, data, sizeof data);
        for (size_t i = 0; i < n; ++i) data[i] = uint8_t(~data[i]);
        r = ipc::reply_receive(endpoint, ipc::pack_bytes(b, r.label(), data, n));
    }
    shared.results[0] = r.result;
    ipc::reply(ipc::Message{});
    finish_thread();
}

void every_length_arrives_intact(Test& t) {
    endpoint = allocate(ObjectType::endpoint);
    reset_shared(1);
    Cptr server = make_thread(slot::vspace, echo_server, 0, abi::root_priority, next_stack_top());
    sys::thread_resume(server);
    for (uint64_t length = 0; length <= abi::ipc::max_message_bytes; ++length) {
        uint8_t data[abi::ipc::max_message_bytes], back[abi::ipc::max_message_bytes];
        for (uint64_t i = 0; i < length; ++i) data[i] = pattern(length, i);
        ipc::Received r = ipc::call(endpoint, ipc::pack_bytes(length, data, length));
        if (r.result != 0) return t.fail("call of %lu bytes: %s", length, sys::describe(sys::error_of(r.result)));
        if (r.label() != length || r.length() != length)
            return t.fail("reply to %lu bytes came back with label %lu, length %lu", length, r.label(), r.length());
        ipc::unpack_bytes(r, back, sizeof back);
        for (uint64_t i = 0; i < length; ++i)
            if (back[i] != uint8_t(~pattern(length, i)))
                return t.fail("byte %lu of a %lu-byte message differs after the round trip", i, length);
    }
    ipc::call(endpoint, ipc::Message{make_tag(stop_label, 0), {}});
    sys::notification_wait(shared.done_notification);
    sys::cap_delete(slot::cnode, server);
    sys::cap_delete(slot::cnode, endpoint);
}

void oversized_messages_are_refused(Test& t) {
    Cptr ep = allocate(ObjectType::endpoint);
    ipc::Message too_long{make_tag(1, abi::ipc::max_message_bytes + 1), {}};
    t.expect(ipc::send(ep, too_long), Error::bad_argument, "send of 257 bytes");
    t.expect(ipc::call(ep, too_long).result, Error::bad_argument, "call of 257 bytes");
    t.expect(ipc::send(ep, ipc::Message{make_tag(1, 511), {}}), Error::bad_argument, "send of 511 bytes");
    t.expect(ipc::reply(ipc::Message{make_tag(1, 8), {}}), Error::no_caller, "reply with no caller");
    sys::cap_delete(slot::cnode, ep);
}

// Sends three messages labelled with its index through the capability
// whose cptr is in counters[index].
void badged_sender(uint64_t index) {
    for (int i = 0; i < 3; ++i) ipc::send(shared.counters[index], ipc::Message{make_tag(index, 0), {}});
    finish_thread();
}

void badges_identify_senders(Test& t) {
    endpoint = allocate(ObjectType::endpoint);
    reset_shared(2);
    const uint64_t badges[2] = {0x11, 0x22};
    Cptr threads[2];
    for (uint64_t i = 0; i < 2; ++i) {
        Cptr badged = free_slot();
        sys::cap_mint(slot::cnode, badged, slot::cnode, endpoint, rights::write, badges[i]);
        shared.counters[i] = badged;
        threads[i] = make_thread(slot::vspace, badged_sender, i, abi::root_priority, next_stack_top());
        sys::thread_resume(threads[i]);
    }
    for (int n = 0; n < 6; ++n) {
        ipc::Received r = ipc::receive(endpoint);
        if (r.result != 0) return t.fail("receive: %s", sys::describe(sys::error_of(r.result)));
        if (r.label() > 1 || r.badge != badges[r.label()])
            t.fail("a message from sender %lu carried badge 0x%lx", r.label(), r.badge);
    }
    sys::notification_wait(shared.done_notification);
    for (Cptr c : threads) sys::cap_delete(slot::cnode, c);
    sys::cap_delete(slot::cnode, endpoint);
}

void queued_sender(uint64_t index) {
    ipc::send(endpoint, ipc::Message{make_tag(index, 8), {index * 100}});
    finish_thread();
}

void senders_are_served_in_fifo_order(Test& t) {
    constexpr uint64_t n = 4;
    endpoint = allocate(ObjectType::endpoint);
    reset_shared(n);
    Cptr threads[n];
    // Each sender runs (we yield to it) and blocks on the endpoint in turn.
    for (uint64_t i = 0; i < n; ++i) {
        threads[i] = make_thread(slot::vspace, queued_sender, i, abi::root_priority, next_stack_top());
        sys::thread_resume(threads[i]);
        sys::yield();
    }
    for (uint64_t i = 0; i < n; ++i) {
        ipc::Received r = ipc::receive(endpoint);
        if (r.label() != i || r.message.words[0] != i * 100)
            t.fail("message %lu came from sender %lu", i, r.label());
    }
    sys::notification_wait(shared.done_notification);
    for (Cptr c : threads) sys::cap_delete(slot::cnode, c);
    sys::cap_delete(slot::cnode, endpoint);
}

// Sends the notification in counters[1] through the endpoint capability in
// counters[0], as a capability; the result goes to results[index].
void capability_sender(uint64_t index) {
    abi::ipc::Buffer& b = my_ipc_buffer();
    b.caps[0] = shared.counters[1];
    shared.results[index] = ipc::send(shared.counters[0], ipc::Message{make_tag(7, 0, 1), {}});
    finish_thread();
}

void capabilities_travel_with_the_grant_right(Test& t) {
    endpoint = allocate(ObjectType::endpoint);
    Cptr n = allocate(ObjectType::notification);
    Cptr landing = free_slot();
    abi::ipc::Buffer& mine = ipc::buffer();
    mine.receive_cnode = slot::cnode;
    mine.receive_index = landing;

    // With grant: the capability arrives in the receive slot.
    reset_shared(1);
    shared.counters[0] = endpoint;
    shared.counters[1] = n;
    Cptr sender = make_thread(slot::vspace, capability_sender, 0, abi::root_priority, next_stack_top());
    sys::thread_resume(sender);
    ipc::Received r = ipc::receive(endpoint);
    sys::notification_wait(shared.done_notification);
    t.expect(shared.results[0], Error::none, "send with a capability");
    if (r.result != 0 || ipc::tag_caps(r.message.tag) != 1) t.fail("the message arrived with %lu capabilities", ipc::tag_caps(r.message.tag));
    auto info = sys::cap_identify(landing);
    if (info.type != ObjectType::notification) t.fail("the receive slot holds no notification");
    sys::notification_signal(landing);
    if (sys::notification_poll(n).word != 1) t.fail("the transferred capability does not reach the notification");

    // Without grant: refused before anything moves.
    Cptr no_grant = free_slot();
    sys::cap_mint(slot::cnode, no_grant, slot::cnode, endpoint, rights::read | rights::write, 0);
    reset_shared(1);
    shared.counters[0] = no_grant;
    Cptr second = make_thread(slot::vspace, capability_sender, 1, abi::root_priority, next_stack_top());
    sys::thread_resume(second);
    sys::notification_wait(shared.done_notification);
    t.expect(shared.results[1], Error::insufficient_rights, "send of a capability without grant");

    // Naming an empty slot as the capability to send is refused too.
    reset_shared(1);
    shared.counters[0] = endpoint;
    shared.counters[1] = free_slot();
    Cptr third = make_thread(slot::vspace, capability_sender, 2, abi::root_priority, next_stack_top());
    sys::thread_resume(third);
    sys::notification_wait(shared.done_notification);
    t.expect(shared.results[2], Error::invalid_capability, "send of an empty slot");

    mine.receive_cnode = 0;
    for (Cptr c : {sender, second, third, landing, no_grant, n, endpoint}) sys::cap_delete(slot::cnode, c);
}

void notifications_coalesce_bits(Test& t) {
    Cptr n = allocate(ObjectType::notification);
    Cptr badged[3];
    for (uint64_t i = 0; i < 3; ++i) {
        badged[i] = free_slot();
        sys::cap_mint(slot::cnode, badged[i], slot::cnode, n, rights::write, 1ull << i);
        sys::notification_signal(badged[i]);
        sys::notification_signal(badged[i]);  // twice: still one bit
    }
    uint64_t bits = sys::notification_wait(n).word;
    if (bits != 7) t.fail("three signals gave 0x%lx, expected 0x7", bits);
    if (sys::notification_poll(n).word != 0) t.fail("the word was not cleared by the wait");
    for (Cptr c : badged) sys::cap_delete(slot::cnode, c);
    sys::cap_delete(slot::cnode, n);
}

void nonblocking_calls_do_not_wait(Test& t) {
    Cptr ep = allocate(ObjectType::endpoint);
    t.expect(ipc::send(ep, ipc::Message{make_tag(1, 0, 0, abi::ipc::flag_nonblocking), {}}), Error::would_block,
             "non-blocking send with no receiver");
    t.expect(ipc::receive(ep, abi::ipc::receive_nonblocking).result, Error::would_block,
             "non-blocking receive with no sender");
    t.expect(ipc::call(ep, ipc::Message{make_tag(1, 0, 0, abi::ipc::flag_nonblocking), {}}).result,
             Error::would_block, "non-blocking call with no receiver");
    sys::cap_delete(slot::cnode, ep);
}

// Waits on the endpoint in counters[0] with the notification bound.
void bound_waiter(uint64_t) {
    ipc::Received r = ipc::receive(shared.counters[0]);
    shared.results[0] = r.result;
    shared.results[1] = r.is_notification() ? int64_t(r.badge) : -1;
    finish_thread();
}

void a_bound_notification_ends_a_receive(Test& t) {
    Cptr ep = allocate(ObjectType::endpoint);
    Cptr n = allocate(ObjectType::notification);
    reset_shared(1);
    shared.counters[0] = ep;
    Cptr waiter = make_thread(slot::vspace, bound_waiter, 0, abi::root_priority, next_stack_top());
    t.expect(sys::thread_bind_notification(waiter, n), Error::none, "bind");
    sys::thread_resume(waiter);
    sys::yield();  // it blocks on the endpoint
    Cptr badged = free_slot();
    sys::cap_mint(slot::cnode, badged, slot::cnode, n, rights::write, 0x30);
    sys::notification_signal(badged);
    sys::notification_wait(shared.done_notification);
    t.expect(shared.results[0], Error::none, "the receive");
    if (shared.results[1] != 0x30) t.fail("the receive ended with bits 0x%lx, expected 0x30", shared.results[1]);
    for (Cptr c : {waiter, badged, n, ep}) sys::cap_delete(slot::cnode, c);
}

// Waits on the endpoint in counters[0]; the result goes to results[index].
void endpoint_waiter(uint64_t index) {
    shared.results[index] = ipc::receive(shared.counters[0]).result;
    finish_thread();
}

void destroying_an_endpoint_wakes_its_waiters(Test& t) {
    Cptr ep = allocate(ObjectType::endpoint);
    reset_shared(2);
    shared.counters[0] = ep;
    Cptr waiters[2];
    for (uint64_t i = 0; i < 2; ++i) {
        waiters[i] = make_thread(slot::vspace, endpoint_waiter, i, abi::root_priority, next_stack_top());
        sys::thread_resume(waiters[i]);
        sys::yield();  // it blocks on the endpoint
    }
    sys::cap_delete(slot::cnode, ep);  // its last capability
    sys::notification_wait(shared.done_notification);
    for (uint64_t i = 0; i < 2; ++i) {
        t.expect(shared.results[i], Error::object_destroyed, "a receiver of a destroyed endpoint");
        sys::cap_delete(slot::cnode, waiters[i]);
    }
}

// Sends 64 bytes on counters[0]; a thread configured without an IPC buffer.
void bufferless_sender(uint64_t) {
    shared.results[0] = ipc::send(shared.counters[0], ipc::Message{make_tag(1, 64), {}});
    finish_thread();
}

void long_messages_need_an_ipc_buffer(Test& t) {
    Cptr ep = allocate(ObjectType::endpoint);
    reset_shared(1);
    shared.counters[0] = ep;
    Cptr thread = make_thread(slot::vspace, bufferless_sender, 0, abi::root_priority, next_stack_top());
    t.expect(sys::thread_configure(thread, slot::cnode, slot::vspace), Error::none, "configure without a buffer");
    sys::thread_resume(thread);
    sys::notification_wait(shared.done_notification);
    t.expect(shared.results[0], Error::bad_address, "64 bytes from a thread without an IPC buffer");
    sys::cap_delete(slot::cnode, thread);
    sys::cap_delete(slot::cnode, ep);
}

}  // namespace

const Case ipc_cases[] = {
    {"ipc: messages of every length from 0 to 256 bytes arrive intact", every_length_arrives_intact},
    {"ipc: messages over 256 bytes are refused", oversized_messages_are_refused},
    {"ipc: badges identify senders", badges_identify_senders},
    {"ipc: several senders are served in FIFO order", senders_are_served_in_fifo_order},
    {"ipc: capabilities travel with a message and need the grant right", capabilities_travel_with_the_grant_right},
    {"ipc: notifications coalesce bits", notifications_coalesce_bits},
    {"ipc: non-blocking send, receive and call fail instead of waiting", nonblocking_calls_do_not_wait},
    {"ipc: a bound notification ends a receive", a_bound_notification_ends_a_receive},
    {"ipc: destroying an endpoint wakes its waiters with an error", destroying_an_endpoint_wakes_its_waiters},
    {"ipc: messages over 32 bytes need the sender's IPC buffer", long_messages_need_an_ipc_buffer},
};
const uint64_t ipc_case_count = sizeof ipc_cases / sizeof *ipc_cases;

}  // namespace root::testing
