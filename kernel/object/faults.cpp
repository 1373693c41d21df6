#include "object/faults.hpp"

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/idt.hpp"
#include "debug/log.hpp"
#include "object/ipc.hpp"
#include "object/thread.hpp"
#include "sched/scheduler.hpp"
#include "trace/trace.hpp"

namespace faults {

void user_exception(const arch::TrapFrame& frame) {
    object::Thread* t = sched::current();
    ++t->fault_count;
    // A thread with a fault handler (its pager) gets the fault resolved there.
    t->fault_vector = frame.vector;
    t->fault_address = frame.vector == 14 ? arch::read_cr2() : 0;
    t->fault_code = frame.error_code;
    t->fault_ip = frame.rip;
    trace::record(trace::Kind::fault, t->id, frame.error_code, frame.vector, t->fault_address);
    if (object::ipc::send_fault(t)) return;
    if (frame.vector == 14) {
        klog::warn("thread %lu: page fault at 0x%lx (%s %s), rip 0x%lx: thread stopped", t->id, arch::read_cr2(),
                   frame.error_code & 1 ? "protection violation," : "not present,",
                   frame.error_code & 16 ? "execute" : frame.error_code & 2 ? "write" : "read", frame.rip);
    } else {
        klog::warn("thread %lu: %s (vector %lu, error 0x%lx) at rip 0x%lx: thread stopped", t->id,
                   arch::interrupts::exception_name(frame.vector), frame.vector, frame.error_code, frame.rip);
    }
    t->exit_status = -int64_t(frame.vector) - 1;
    object::stop(t);
}

}  // namespace faults
