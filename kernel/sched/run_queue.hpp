// Ready threads by priority: one FIFO per level and a bitmap of the
// non-empty levels, so finding the highest-priority ready thread is a
// couple of bit scans whatever the number of threads.
#pragma once

#include <cstdint>

#include "lib/intrusive_list.hpp"

namespace sched {

inline constexpr unsigned priority_levels = 256;

class RunQueue {
public:
    void push_back(lib::ListNode* node, unsigned priority);
    void push_front(lib::ListNode* node, unsigned priority);
    void remove(lib::ListNode* node, unsigned priority);

    bool empty() const;
    // The highest priority with a ready thread; only when !empty().
    unsigned highest_priority() const;
    // The first node at the highest priority, or nullptr when empty.
    lib::ListNode* front() const;

private:
    lib::IntrusiveList levels_[priority_levels];
    uint64_t non_empty_[priority_levels / 64] = {};
};

}  // namespace sched
