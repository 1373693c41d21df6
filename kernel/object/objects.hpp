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

struct Notification {
    uint64_t word;                 // pending signal bits
    lib::IntrusiveList waiters;
};
static_assert(sizeof(Notification) <= 64);

}  // namespace object
