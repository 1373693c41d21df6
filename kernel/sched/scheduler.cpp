#include "sched/scheduler.hpp"

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/cpu_local.hpp"
#include "arch/x86_64/fpu.hpp"
#include "arch/x86_64/gdt.hpp"
#include "mm/kernel_space.hpp"
#include "mm/physmap.hpp"
#include "trace/trace.hpp"

namespace sched {

namespace detail {
RunQueue run_queue;
object::Thread* running;
bool end_of_turn;
bool preempt;
object::Thread* fpu_owner;
uint64_t discarded_ticks;
uint64_t* charged = &discarded_ticks;
}  // namespace detail

namespace {

using object::Thread;
using object::ThreadState;
using detail::end_of_turn;
using detail::fpu_owner;
using detail::preempt;
using detail::run_queue;
using detail::running;

bool active;

Thread idle_thread;
constexpr size_t idle_stack_size = 4096;
alignas(16) uint8_t idle_stack[idle_stack_size];

[[noreturn]] void idle_loop() {
    for (;;) arch::enable_interrupts_and_halt();
}

void switch_to(Thread* next) {
    if (next->is_idle) {
        trace::record(trace::Kind::switch_to, next->id, running->id, uint64_t(running->state));
        detail::charge_cpu_time(next);
        running = next;
        next->state = ThreadState::running;
    } else {
        detail::switch_to_user(next);
    }
}

}  // namespace

void init() {
    // The idle thread runs the halt loop in ring 0 on its own stack, from a
    // frame made up to look like an interrupted kernel context.
    Thread& idle = idle_thread;
    idle.is_idle = true;
    idle.state = ThreadState::running;
    auto* frame = reinterpret_cast<arch::TrapFrame*>(idle_stack + idle_stack_size) - 1;
    *frame = arch::TrapFrame{};
    frame->rip = uint64_t(&idle_loop);
    frame->cs = arch::gdt::kernel_code;
    frame->ss = arch::gdt::kernel_data;
    frame->rflags = 0x202;  // IF
    frame->rsp = uint64_t(idle_stack + idle_stack_size);
    idle.frame = frame;
    running = &idle;
    object::register_idle_thread(&idle);
    detail::charged = &idle.cpu_ticks;
    idle.cpu_ticks = -arch::rdtsc();
}

void start() { active = true; }
bool started() { return active; }


void make_ready(Thread* t) {
    t->state = ThreadState::ready;
    run_queue.push_back(&t->queue_node, t->priority);
    if (t->priority > running->priority) preempt = true;
}

void dequeue(Thread* t) {
    if (t->state == ThreadState::ready && t->queue_node.linked) run_queue.remove(&t->queue_node, t->priority);
}

void set_priority(Thread* t, uint8_t priority) {
    bool queued = t->state == ThreadState::ready;
    if (queued) run_queue.remove(&t->queue_node, t->priority);
    t->priority = priority;
    if (queued) run_queue.push_back(&t->queue_node, priority);
    if ((queued && priority > running->priority) || t == running) preempt = true;
    if (t == running) end_of_turn = true;  // a lowered priority may let others run
}

void yield() { end_of_turn = true; }

void tick() {
    Thread* t = running;
    if (t->is_idle) return;
    if (t->slice_left) --t->slice_left;
    if (!t->slice_left) end_of_turn = true;
}

arch::TrapFrame* schedule() {
    Thread* current_thread = running;
    bool can_continue = current_thread->state == ThreadState::running && !current_thread->is_idle;
    Thread* next = current_thread;
    if (!run_queue.empty()) {
        unsigned best = run_queue.highest_priority();
        if (!can_continue) {
            next = object::thread_of(run_queue.pop_front(best));
        } else {
            // A thread whose turn is over goes behind the others of its
            // level; one preempted by a higher level keeps its turn.
            bool turn_over = end_of_turn && best >= current_thread->priority;
            if (turn_over || best > current_thread->priority) {
                // Queued before the pop: a yield to a thread of the same
                // level then never empties the level, nor clears its bits.
                current_thread->state = ThreadState::ready;
                if (turn_over) {
                    current_thread->slice_left = 0;
                    run_queue.push_back(&current_thread->queue_node, current_thread->priority);
                } else {
                    run_queue.push_front(&current_thread->queue_node, current_thread->priority);
                }
                next = object::thread_of(run_queue.pop_front(best));
            }
        }
    } else if (!can_continue) {
        next = &idle_thread;
    }
    if (end_of_turn && next == current_thread && !next->slice_left) next->slice_left = next->time_slice;
    end_of_turn = false;
    preempt = false;
    if (next != current_thread || next->state != ThreadState::running) switch_to(next);
    return next->frame;
}

void claim_fpu() {
    Thread* t = running;
    arch::fpu::trap_next_use(false);  // before the save: it would trap too
    if (fpu_owner == t) return;
    if (fpu_owner) arch::fpu::save(fpu_owner->fpu_state);
    arch::fpu::restore(t->fpu_state);
    fpu_owner = t;
}

void forget(Thread* t) {
    dequeue(t);
    if (fpu_owner == t) fpu_owner = nullptr;
    if (running == t) t->state = ThreadState::inactive;
    if (detail::charged == &t->cpu_ticks) detail::charged = &detail::discarded_ticks;
}

uint64_t cpu_ticks(const Thread* t) {
    if (detail::charged != &t->cpu_ticks) return t->cpu_ticks;
    return t->cpu_ticks + arch::rdtsc();  // the running thread: see `charged`
}

void forget_address_space(uint64_t root_phys) {
    if (arch::read_cr3() == root_phys) arch::write_cr3(mm::kernel_root());
}

}  // namespace sched
