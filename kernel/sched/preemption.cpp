#include "sched/preemption.hpp"

#include "arch/x86_64/cpu.hpp"
#include "sched/scheduler.hpp"

namespace sched {

bool preemption_point() {
    // sti takes effect after the next instruction: the nop is the window.
    asm volatile("sti\n\tnop\n\tcli" ::: "memory");
    const object::Thread* t = detail::running;
    return detail::end_of_turn ||
           (!detail::run_queue.empty() && detail::run_queue.highest_priority() > t->priority);
}

}  // namespace sched
