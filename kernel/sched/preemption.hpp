// Preemption points for the kernel's few long operations (revoke, the
// destruction of large CNodes, retype of large regions).
//
// The kernel runs with interrupts off and on one stack, so it cannot be
// interrupted in the middle of an operation. Long operations instead call
// preemption_point() between steps that each leave every kernel object
// consistent. It opens a one-instruction window in which pending
// interrupts are taken (so the timer's latency is bounded by one step),
// and says whether the current thread should now give up the CPU: its turn
// ended, or a thread of higher priority became ready. The operation then
// stops where it is, and the system call is restarted when the thread runs
// again; each step's progress is kept in the objects themselves.
#pragma once

namespace sched {

bool preemption_point();

// How many steps an operation takes between two preemption points.
inline constexpr unsigned steps_between_preemption_points = 32;

}  // namespace sched
