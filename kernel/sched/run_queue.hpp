// Ready threads by priority: one FIFO per level and a two-level bitmap of
// the non-empty levels (a summary bit per 64-level word), so "anything
// ready?" is one compare and "highest ready level" two bit scans, whatever
// the number of threads. Both sit on every system call's way out.
#pragma once

#include <cstdint>

#include "lib/intrusive_list.hpp"

namespace sched {

inline constexpr unsigned priority_levels = 256;

class RunQueue {
public:
    // Inline: they sit on the scheduler's and the IPC fast path's way.
    void push_back(lib::ListNode* node, unsigned priority) {
        levels_[priority].push_back(node);
        mark_non_empty(priority);
    }
    void push_front(lib::ListNode* node, unsigned priority) {
        levels_[priority].push_front(node);
        mark_non_empty(priority);
    }
    void remove(lib::ListNode* node, unsigned priority) {
        levels_[priority].remove(node);
        if (levels_[priority].empty()) mark_empty(priority);
    }
    // Takes the first node of a level that is not empty.
    lib::ListNode* pop_front(unsigned priority) {
        lib::ListNode* node = levels_[priority].pop_front();
        if (levels_[priority].empty()) mark_empty(priority);
        return node;
    }

    bool empty() const { return summary_ == 0; }
    // The highest priority with a ready thread; only when !empty().
    unsigned highest_priority() const {
        unsigned word = 63 - unsigned(__builtin_clzll(summary_));
        return word * 64 + 63 - unsigned(__builtin_clzll(non_empty_[word]));
    }
    // The first node at the highest priority, or nullptr when empty.
    lib::ListNode* front() const;

private:
    void mark_non_empty(unsigned priority) {
        non_empty_[priority / 64] |= 1ull << (priority % 64);
        summary_ |= 1ull << (priority / 64);
    }
    void mark_empty(unsigned priority) {
        non_empty_[priority / 64] &= ~(1ull << (priority % 64));
        if (!non_empty_[priority / 64]) summary_ &= ~(1ull << (priority / 64));
    }

    lib::IntrusiveList levels_[priority_levels];
    uint64_t non_empty_[priority_levels / 64] = {};
    uint64_t summary_ = 0;  // bit i: non_empty_[i] != 0
};

}  // namespace sched
