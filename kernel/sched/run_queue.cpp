#include "sched/run_queue.hpp"

namespace sched {

void RunQueue::push_back(lib::ListNode* node, unsigned priority) {
    levels_[priority].push_back(node);
    non_empty_[priority / 64] |= 1ull << (priority % 64);
}

void RunQueue::push_front(lib::ListNode* node, unsigned priority) {
    levels_[priority].push_front(node);
    non_empty_[priority / 64] |= 1ull << (priority % 64);
}

void RunQueue::remove(lib::ListNode* node, unsigned priority) {
    levels_[priority].remove(node);
    if (levels_[priority].empty()) non_empty_[priority / 64] &= ~(1ull << (priority % 64));
}

bool RunQueue::empty() const {
    for (uint64_t word : non_empty_)
        if (word) return false;
    return true;
}

unsigned RunQueue::highest_priority() const {
    for (unsigned i = priority_levels / 64; i-- > 0;)
        if (non_empty_[i]) return i * 64 + 63 - unsigned(__builtin_clzll(non_empty_[i]));
    return 0;
}

lib::ListNode* RunQueue::front() const { return empty() ? nullptr : levels_[highest_priority()].front(); }

}  // namespace sched
