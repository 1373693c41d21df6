// The scheduler: preemptive, round robin within a priority, higher
// priorities first. The running thread is kept out of the run queue; it
// goes back at the tail when its time slice ends or it yields, and at the
// head when a higher-priority thread preempts it (it keeps its turn).
#pragma once

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/cpu_local.hpp"
#include "arch/x86_64/fpu.hpp"
#include "arch/x86_64/trap_frame.hpp"
#include "mm/physmap.hpp"
#include "object/thread.hpp"
#include "sched/run_queue.hpp"
#include "trace/trace.hpp"

namespace sched {

// The scheduler's state, visible here only so that the checks on every
// system call's way out (current, reschedule_pending) inline to a few loads.
namespace detail {
extern RunQueue run_queue;
extern object::Thread* running;
extern bool end_of_turn;  // the running thread's slice ended or it yielded
// A thread of higher priority than the running one may be ready: set when
// one is queued (make_ready, set_priority) or the running one's priority
// changes, cleared when the scheduler picks. Without it no ready thread
// outranks the running one, which spares the system-call exit and the IPC
// fast path a look at the run queue.
extern bool preempt;
extern object::Thread* fpu_owner;  // whose state the FPU registers hold

// CPU time, accounted at each switch (one rdtsc and eight instructions,
// nothing per tick). While a thread runs its counter holds its ticks so
// far minus the TSC when it was switched to, so a switch is one add to
// the old thread's counter and one subtract from the new one's. `charged`
// is the running thread's counter, or a sink once that thread has been
// destroyed (its memory may be reused before the switch).
extern uint64_t* charged;
extern uint64_t discarded_ticks;
inline void charge_cpu_time(object::Thread* next) {
    uint64_t now = arch::rdtsc();
    *charged += now;
    charged = &next->cpu_ticks;
    *charged -= now;
}

// Makes t, a user thread, the running one: its address space, its frame
// as the target of the next entry from user mode, the FPU trap unless its
// state is the one loaded, a new slice if its last one ran out. Inline for
// the IPC fast path, whose untraced version (syscall/ipc_fast.cpp) leaves
// out the hook: it runs only while tracing is off.
template <bool traced = true>
inline void switch_to_user(object::Thread* t) {
    if constexpr (traced) trace::record(trace::Kind::switch_to, t->id, running->id, uint64_t(running->state));
    charge_cpu_time(t);
    uint64_t root = t->vspace.cap.object - mm::direct_map_base;
    if (arch::read_cr3() != root) arch::write_cr3(root);
    arch::set_user_context(&t->context + 1);
    arch::fpu::trap_next_use(t != fpu_owner);
    running = t;
    t->state = object::ThreadState::running;
    if (!t->slice_left) t->slice_left = t->time_slice;
}
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

// For a system call's way out, the caller still running: whether
// schedule() might switch away from it (its turn is over, or a thread of
// higher priority is ready). A thread that blocked is seen by its state.
inline bool reschedule_pending() { return detail::end_of_turn | detail::preempt; }

// Decides who runs next and switches to it (address space, FPU, kernel
// entry stack). Returns the frame to resume.
arch::TrapFrame* schedule();

// For IPC's fast path, with the current thread about to block: whether t
// may run next without a look at the run queue (nobody ready outranks it),
// and the switch itself.
inline bool can_switch_to(const object::Thread* t) {
    // Without preempt no ready thread outranks the running one, so none
    // outranks t either when t is not below it.
    if (!detail::preempt && t->priority >= detail::running->priority) return true;
    return detail::run_queue.empty() || t->priority >= detail::run_queue.highest_priority();
}
template <bool traced = true>
inline arch::TrapFrame* switch_directly(object::Thread* t) {
    detail::end_of_turn = false;
    detail::preempt = false;
    detail::switch_to_user<traced>(t);
    return &t->context;
}

// The current thread took #NM: it is the FPU's owner from now on (the
// registers are exchanged now, not at every switch; arch/x86_64/fpu.hpp).
void claim_fpu();

// The thread object is going away: drop every reference the scheduler has.
void forget(object::Thread* t);

// The TSC ticks t has run, including the running thread's current turn.
uint64_t cpu_ticks(const object::Thread* t);

// The address space is going away: stop using it if it is loaded.
void forget_address_space(uint64_t root_phys);

}  // namespace sched
