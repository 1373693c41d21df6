#include "arch/x86_64/idt.hpp"

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/gdt.hpp"
#include "arch/x86_64/lapic.hpp"
#include "arch/x86_64/stacks.hpp"
#include "debug/log.hpp"
#include "debug/panic.hpp"
#include "object/faults.hpp"
#include "sched/scheduler.hpp"
#include "syscall/user_access.hpp"
#include "trace/trace.hpp"

extern "C" const uint64_t interrupt_stub_table[256];

namespace arch::interrupts {

namespace {

struct [[gnu::packed]] Gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attributes;
    uint16_t offset_middle;
    uint32_t offset_high;
    uint32_t reserved;
};
static_assert(sizeof(Gate) == 16);

alignas(16) Gate idt[256];
Handler handlers[256];

constexpr uint8_t interrupt_gate = 0x8E;  // present, ring 0, interrupts off on entry
// int3 and into may be executed in ring 3 (as on other systems): they raise
// #BP and #OF, user faults like any other, instead of #GP for the gate.
constexpr uint8_t user_interrupt_gate = 0xEE;  // present, ring 3 may invoke

constexpr const char* exception_names[exception_count] = {
    "divide error", "debug", "non-maskable interrupt", "breakpoint", "overflow",
    "bound range exceeded", "invalid opcode", "device not available", "double fault",
    "coprocessor segment overrun", "invalid TSS", "segment not present",
    "stack-segment fault", "general protection fault", "page fault", "reserved (15)",
    "x87 floating-point error", "alignment check", "machine check", "SIMD floating-point error",
    "virtualization exception", "control protection exception", "reserved (22)",
    "reserved (23)", "reserved (24)", "reserved (25)", "reserved (26)", "reserved (27)",
    "hypervisor injection", "VMM communication", "security exception", "reserved (31)",
};

uint8_t ist_for(unsigned vector) {
    switch (vector) {
    case 2: return gdt::ist_nmi;
    case 8: return gdt::ist_double_fault;
    case 18: return gdt::ist_machine_check;
    default: return 0;
    }
}

}  // namespace

void init() {
    for (unsigned v = 0; v < 256; ++v) {
        uint64_t target = interrupt_stub_table[v];
        uint8_t type = v == 3 || v == 4 ? user_interrupt_gate : interrupt_gate;
        idt[v] = Gate{uint16_t(target), gdt::kernel_code, ist_for(v), type,
                      uint16_t(target >> 16), uint32_t(target >> 32), 0};
    }
    struct [[gnu::packed]] {
        uint16_t limit;
        uint64_t base;
    } idtr{sizeof idt - 1, uint64_t(idt)};
    asm volatile("lidt %0" ::"m"(idtr));
}

void set_handler(uint8_t vector, Handler handler) { handlers[vector] = handler; }

const char* exception_name(uint64_t vector) {
    return vector < exception_count ? exception_names[vector] : nullptr;
}

}  // namespace arch::interrupts

using namespace arch;

namespace {

// A kernel fault with the faulting address (CR2) or the stack pointer in a
// stack's guard page is that stack's overflow: usually a #DF, because the
// CPU could not push the #PF frame onto the exhausted stack, or a #PF when
// a large frame moved RSP past the guard before touching it.
[[noreturn]] void kernel_exception(const TrapFrame& frame) {
    if (frame.vector == interrupts::double_fault || frame.vector == interrupts::page_fault) {
        const stacks::Range* stack = stacks::guard_holding(read_cr2());
        if (!stack) stack = stacks::guard_holding(frame.rsp);
        if (stack) debug::panic_on_stack_overflow(frame, stack->name, stack->guard);
    }
    debug::panic_on_exception(frame);
}

}  // namespace

// Returns the frame to resume: the interrupted one, or another thread's
// when the interrupt led to a switch.
extern "C" TrapFrame* trap_dispatch(TrapFrame* frame) {
    uint64_t vector = frame->vector;
    if (vector < interrupts::exception_count) {
        switch (vector) {
        case interrupts::nmi:
            // Not the interrupted thread's doing, user or kernel: note it and
            // resume exactly where it struck. Nothing here may use GS (an
            // NMI can arrive in the kernel before or after its swapgs).
            klog::warn("NMI received in %s mode at rip 0x%lx; continuing", frame->from_user() ? "user" : "kernel",
                       frame->rip);
            return frame;
        case interrupts::double_fault:   // never a user fault
        case interrupts::machine_check:  // the hardware's, not the thread's
            kernel_exception(*frame);
        }
        if (frame->from_user()) {
            faults::user_exception(*frame);
            return sched::schedule();
        }
        // A user pointer that faults inside the one copy routine is the
        // caller's error, not the kernel's.
        if (vector == interrupts::page_fault && frame->rip == uint64_t(user_copy_fault_ip)) {
            frame->rip = uint64_t(user_copy_fixup);
            return frame;
        }
        kernel_exception(*frame);
    }
    if (vector == interrupts::lapic_spurious) return frame;  // must not be acknowledged
    if (auto handler = interrupts::handlers[vector]) {
        trace::record(trace::Kind::interrupt, sched::current()->id, 0, vector);
        handler(*frame);
    } else if (vector >= interrupts::pic_base && vector < interrupts::pic_base + 16) {
        return frame;  // a spurious IRQ 7/15 from the masked PIC: nothing to acknowledge
    } else {
        // Only a device can raise a vector nobody routed: an MSI whose
        // address and data a driver or its device made up. That is the
        // device's fault, not the kernel's: note it (the first few) and go on.
        static uint64_t stray;
        if (++stray <= 8) klog::warn("interrupt on unrouted vector 0x%lx ignored (a stray MSI?)", vector);
    }
    lapic::end_of_interrupt();
    // Threads switch only where a thread was interrupted: user mode or the
    // idle loop (never boot code that enabled interrupts to wait).
    if (!sched::started()) return frame;
    if (!frame->from_user()) {
        if (!sched::current()->is_idle) return frame;
        sched::current()->frame = frame;
    }
    return sched::schedule();
}
