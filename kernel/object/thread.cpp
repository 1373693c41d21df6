#include "object/thread.hpp"

#include "arch/x86_64/gdt.hpp"
#include "common/string.hpp"
#include "debug/log.hpp"
#include "object/ipc.hpp"
#include "sched/scheduler.hpp"

namespace object {

namespace {
uint64_t next_thread_id = 1;
constexpr uint32_t default_time_slice = 10;  // ticks
}  // namespace

const char* describe(ThreadState state) {
    switch (state) {
    case ThreadState::inactive: return "inactive";
    case ThreadState::ready: return "ready";
    case ThreadState::running: return "running";
    case ThreadState::blocked_send: return "blocked sending";
    case ThreadState::blocked_receive: return "blocked receiving";
    case ThreadState::blocked_reply: return "waiting for a reply";
    case ThreadState::blocked_notification: return "waiting on a notification";
    }
    return "?";
}

void init_thread(Thread* t) {
    t->frame = &t->context;
    t->context.cs = arch::gdt::user_code;
    t->context.ss = arch::gdt::user_data;
    t->context.rflags = 0x202;  // IF: user code always runs interruptible
    t->state = ThreadState::inactive;
    t->time_slice = default_time_slice;
    t->id = next_thread_id++;
    arch::fpu::init_state(t->fpu_state);
    thread_registry.push_back(&t->registry_node);
}

lib::IntrusiveList thread_registry;

void register_idle_thread(Thread* idle) {
    memcpy(idle->name, "idle", 5);
    thread_registry.push_front(&idle->registry_node);
}

void retire_thread(Thread* t) {
    if (t->registry_node.linked) thread_registry.remove(&t->registry_node);
}

uint64_t thread_ids_issued() { return next_thread_id; }

Thread* find_thread(uint64_t id) {
    for (lib::ListNode* n = thread_registry.front(); n; n = n->next) {
        Thread* t = registry_thread(n);
        if (t->id == id) return t;
        if (t->id > id) break;  // the registry is ordered by id
    }
    return nullptr;
}

bool is_runnable_configuration(const Thread* t) {
    return t->cspace.cap.type == ObjectType::cnode && t->vspace.cap.type == ObjectType::address_space;
}

void stop(Thread* t) {
    bool in_call = t->state == ThreadState::blocked_send || t->state == ThreadState::blocked_receive ||
                   t->state == ThreadState::blocked_reply || t->state == ThreadState::blocked_notification;
    // A fault message is not a system call: the registers are the user's.
    if (in_call && !t->faulting) t->context.rax = uint64_t(abi::error_code(Error::cancelled));
    switch (t->state) {
    case ThreadState::ready: sched::dequeue(t); break;
    case ThreadState::blocked_send:
    case ThreadState::blocked_receive:
    case ThreadState::blocked_notification: ipc::cancel_wait(t); break;
    case ThreadState::blocked_reply:
        if (t->callee) t->callee->caller = nullptr;
        t->callee = nullptr;
        break;
    default: break;
    }
    // A thread that owed a reply can no longer give it.
    if (Thread* caller = t->caller) {
        t->caller = nullptr;
        caller->callee = nullptr;
        wake(caller, abi::error_code(Error::partner_died));
    }
    t->faulting = false;
    t->state = ThreadState::inactive;
}

void wake(Thread* t, int64_t result) {
    if (t->faulting) {
        // Its fault handler is gone: nothing can resolve the fault.
        t->faulting = false;
        t->waiting_on = nullptr;
        t->state = ThreadState::inactive;
        klog::warn("thread %lu: its fault handler went away; thread stopped", t->id);
        return;
    }
    t->context.rax = uint64_t(result);
    t->waiting_on = nullptr;
    sched::make_ready(t);
}

}  // namespace object

namespace object {

void lost_capability(Thread* t, Slot* slot) {
    bool space = slot == &t->vspace;
    if ((!space && slot != &t->cspace) || t->state == ThreadState::inactive) return;
    stop(t);
    t->exit_status = abi::error_code(Error::object_destroyed);
    klog::warn("thread %lu: its %s was deleted; thread stopped", t->id, space ? "address space" : "CNode");
    t->fault_vector = space ? abi::fault_vector::lost_address_space : abi::fault_vector::lost_cspace;
    t->fault_address = 0;
    t->fault_code = 0;
    t->fault_ip = t->context.rip;
    ipc::send_fault(t);
}

}  // namespace object
