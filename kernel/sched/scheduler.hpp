// The scheduler: preemptive, round robin within a priority, higher
// priorities first. The running thread is kept out of the run queue; it
// goes back at the tail when its time slice ends or it yields, and at the
// head when a higher-priority thread preempts it (it keeps its turn).
#pragma once

#include "arch/x86_64/trap_frame.hpp"
#include "object/thread.hpp"
#include "sched/run_queue.hpp"

namespace sched {

// The scheduler's state, visible here only so that the checks on every
// system call's way out (current, switch_pending) inline to a few loads.
namespace detail {
extern RunQueue run_queue;
extern object::Thread* running;
extern bool end_of_turn;  // the running thread's slice ended or it yielded
}  // namespace detail

// Creates the idle thread and makes it current.
void init();
// From now on interrupts from user mode and from the idle loop reschedule.
void start();
bool started();

inline object::Thread* current() { return detail::running; }

void make_ready(object::Thread* t);  // inactive or blocked -> ready (tail of its level)
void dequeue(object::Thread* t);     // ready -> out of the run queue (state unchanged)
void set_priority(object::Thread* t, uint8_t priority);

// Ends the current thread's turn: it goes to the back of its level.
void yield();
// Called on every timer interrupt.
void tick();

// Whether schedule() would switch away from the current thread: its turn
// is over, it blocked, or a higher-priority thread is ready. Cheap, so the
// system-call path can skip the scheduler when nothing changed.
inline bool switch_pending() {
    const object::Thread* t = detail::running;
    return detail::end_of_turn || t->state != object::ThreadState::running || t->is_idle ||
           (!detail::run_queue.empty() && detail::run_queue.highest_priority() > t->priority);
}

// Decides who runs next and switches to it (address space, FPU, kernel
// entry stack). Returns the frame to resume.
arch::TrapFrame* schedule();

// For IPC's fast path, with the current thread about to block: whether t
// may run next without a look at the run queue (nobody ready outranks it),
// and the switch itself.
inline bool can_switch_to(const object::Thread* t) {
    return detail::run_queue.empty() || t->priority >= detail::run_queue.highest_priority();
}
arch::TrapFrame* switch_directly(object::Thread* t);

// The thread object is going away: drop every reference the scheduler has.
void forget(object::Thread* t);

// The TSC ticks t has run, including the running thread's current turn.
uint64_t cpu_ticks(const object::Thread* t);

// The address space is going away: stop using it if it is loaded.
void forget_address_space(uint64_t root_phys);

}  // namespace sched
