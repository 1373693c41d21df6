#include "sched/run_queue.hpp"

namespace sched {

lib::ListNode* RunQueue::front() const { return empty() ? nullptr : levels_[highest_priority()].front(); }

}  // namespace sched
