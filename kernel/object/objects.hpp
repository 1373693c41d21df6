// The small kernel objects: endpoints and notifications.
#pragma once

#include <cstdint>

#include "lib/intrusive_list.hpp"

namespace object {

struct Endpoint {
    lib::IntrusiveList senders;    // blocked_send, FIFO
    lib::IntrusiveList receivers;  // blocked_receive, FIFO
};
static_assert(sizeof(Endpoint) <= 64);

struct Thread;

struct Notification {
    uint64_t word;                 // pending signal bits
    lib::IntrusiveList waiters;
    Thread* bound_thread;          // receives our signals while it waits on an endpoint
};
static_assert(sizeof(Notification) <= 64);

}  // namespace object
