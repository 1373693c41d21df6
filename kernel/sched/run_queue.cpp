#include "sched/run_queue.hpp"

namespace sched {

void RunQueue::push_back(lib::ListNode* node, unsigned priority) {
    levels_[priority].push_back(node);
    non_empty_[priority / 64] |= 1ull << (priority % 64);
    summary_ |= 1ull << (priority / 64);
}

void RunQueue::push_front(lib::ListNode* node, unsigned priority) {
    levels_[priority].push_front(node);
    non_empty_[priority / 64] |= 1ull << (priority % 64);
    summary_ |= 1ull << (priority / 64);
}

void RunQueue::remove(lib::ListNode* node, unsigned priority) {
    levels_[priority].remove(node);
    if (!levels_[priority].empty()) return;
    non_empty_[priority / 64] &= ~(1ull << (priority % 64));
    if (!non_empty_[priority / 64]) summary_ &= ~(1ull << (priority / 64));
}

lib::ListNode* RunQueue::front() const { return empty() ? nullptr : levels_[highest_priority()].front(); }

}  // namespace sched
