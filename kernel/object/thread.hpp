// Thread objects (TCBs): saved user state, scheduling parameters, IPC state
// and the capabilities a thread runs with.
#pragma once

#include <cstdint>

#include "abi/inspect.hpp"
#include "arch/x86_64/fpu.hpp"
#include "arch/x86_64/trap_frame.hpp"
#include "lib/intrusive_list.hpp"
#include "object/capability.hpp"

namespace object {

using Error = abi::Error;  // the kernel's error vocabulary is the ABI's

enum class ThreadState : uint8_t {
    inactive,              // created, suspended, exited, or stopped by a fault
    ready,                 // in the run queue
    running,               // the current thread (not in the run queue)
    blocked_send,          // queued on an endpoint with a message (send or call)
    blocked_receive,       // queued on an endpoint, waiting for a sender
    blocked_reply,         // called and waiting for the reply
    blocked_notification,  // waiting on a notification
};

const char* describe(ThreadState state);

struct Notification;

struct Thread {
    // Saved user registers. Kept first: entries from user mode write them
    // here directly (TSS.RSP0 and CpuLocal.context_end point at its end).
    arch::TrapFrame context;
    arch::TrapFrame* frame;      // where to resume: &context, or the idle thread's stack

    lib::ListNode queue_node;    // in the run queue or one wait queue
    ThreadState state;
    uint8_t priority;
    bool is_call;                // while blocked_send: a call, so it wants a reply
    bool is_idle;
    uint32_t time_slice;         // ticks per turn
    uint32_t slice_left;
    uint64_t id;                 // for the console only

    void* waiting_on;            // the endpoint or notification while blocked on it
    Thread* caller;              // who waits for our reply: our one-shot reply right
    Thread* callee;              // whose reply we wait for
    uint64_t badge;              // of the endpoint capability used, while blocked_send
                                 // (the message itself waits in the saved registers)
    uint64_t send_tag;           // while blocked_send: the tag as validated at the send (the
                                 // registers cannot change while blocked, but the tag that
                                 // was checked is the one delivered, whatever happens)
    bool send_may_grant;         // while blocked_send: the capability used had the grant right
    Notification* bound_notification;  // its signals also end a receive

    // While a fault message is out to the fault handler (the thread's
    // registers are left alone: the reply resumes or stops it).
    bool faulting;
    uint64_t fault_address, fault_code, fault_ip, fault_vector;
    int64_t exit_status;
    bool restarting;             // its last system call was preempted and runs again

    // The capabilities the thread runs with: copies, so the objects live
    // as long as the thread uses them.
    Slot cspace;
    Slot vspace;
    Slot ipc_buffer;
    Slot fault_handler;
    uint64_t ipc_buffer_address;

    // What introspection shows (abi/inspect.hpp): every live thread is in
    // the registry, in order of id; the console shell and the GDB helpers
    // (tools/gdb/) read these.
    lib::ListNode registry_node;
    char name[abi::inspect::name_size];  // NUL-terminated, printable
    uint64_t cpu_ticks;          // TSC ticks run; while running, minus the TSC at its
                                 // switch-in (sched::cpu_ticks reads it either way)
    uint64_t fault_count;        // exceptions taken in user mode

    alignas(64) uint8_t fpu_state[arch::fpu::max_state_size];
};
static_assert(sizeof(Thread) <= (1u << abi::thread_size_bits));

inline Thread* thread_of(lib::ListNode* node) { return lib::owner_of<Thread, &Thread::queue_node>(node); }

// Sets up a thread object in freshly zeroed memory: inactive, priority 0,
// user segment selectors, interrupts enabled, clean FPU state; enters it
// in the registry.
void init_thread(Thread* t);

// The registry of live threads, ordered by id (ids only grow, threads join
// at the tail). Threads leave it when destroyed (retire_thread). The idle
// thread, id 0, is its head.
extern lib::IntrusiveList thread_registry;
inline Thread* registry_thread(lib::ListNode* node) {
    return lib::owner_of<Thread, &Thread::registry_node>(node);
}
void register_idle_thread(Thread* idle);
void retire_thread(Thread* t);
// One more than the highest id given out so far.
uint64_t thread_ids_issued();
// The live thread with this id, or nullptr (a walk of the registry).
Thread* find_thread(uint64_t id);

// Whether the thread has the cspace and vspace it needs to run.
bool is_runnable_configuration(const Thread* t);

// Takes a thread out of whatever it waits in (run queue, endpoint,
// notification, pending reply) and makes it inactive. Partners that wait
// for it are told: a caller waiting for its reply gets partner_died. A
// system call it was blocked in returns Error::cancelled if it ever runs
// again.
void stop(Thread* t);

// One of the thread's own slots (slot) has just lost its capability. Losing
// the CNode or the address space it runs in stops the thread for good
// (until it is configured anew); its fault handler, if any, hears of it
// as a fault with vector abi::fault_vector::lost_address_space or
// lost_cspace.
void lost_capability(Thread* t, Slot* slot);

// Wakes a blocked thread with result in rax (0 or a negated error).
void wake(Thread* t, int64_t result);

}  // namespace object
