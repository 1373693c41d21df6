#include "debug/panic.hpp"

#include <cstdarg>

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/idt.hpp"
#include "debug/log.hpp"
#include "arch/x86_64/power.hpp"
#include "debug/symbols.hpp"

namespace debug {

namespace {

bool panicking = false;

// A second fault while dumping the first must not recurse forever.
void enter_panic() {
    arch::disable_interrupts();
    if (panicking) {
        klog::raw("\nKERNEL PANIC while panicking; halting\n");
        arch::power::halt_after_panic();
    }
    panicking = true;
}

bool is_kernel_address(uint64_t a) { return a >= 0xFFFF800000000000ull; }

void print_page_fault_cause(uint64_t error) {
    klog::raw(" [%s, %s, %s%s%s]", error & 1 ? "protection violation" : "not present",
              error & 2 ? "write" : "read", error & 4 ? "user" : "kernel",
              error & 16 ? ", instruction fetch" : "", error & 8 ? ", reserved bit set" : "");
}

}  // namespace

void print_code_address(uint64_t address) {
    klog::raw("0x%016lx", address);
    Symbol symbol;
    if (symbols::lookup(address, symbol))
        klog::raw(" <%s+0x%lx>", symbol.name, address - symbol.address);
}

void print_backtrace(uint64_t rbp, uint64_t pc) {
    constexpr unsigned max_frames = 32;
    klog::raw("Backtrace:\n");
    unsigned depth = 0;
    if (pc) {
        klog::raw("  #%u ", depth++);
        print_code_address(pc);
        klog::raw("\n");
    }
    for (; depth < max_frames; ++depth) {
        if (!rbp || (rbp & 7) || !is_kernel_address(rbp)) break;
        auto* frame = reinterpret_cast<const uint64_t*>(rbp);
        uint64_t return_address = frame[1];
        if (!is_kernel_address(return_address)) break;
        klog::raw("  #%u ", depth);
        // A return address points after the call; name the call itself.
        print_code_address(return_address - 1);
        klog::raw("\n");
        rbp = frame[0];
    }
}

void panic(const char* fmt, ...) {
    enter_panic();
    klog::raw("\nKERNEL PANIC: ");
    va_list args;
    va_start(args, fmt);
    klog::vraw(fmt, args);
    va_end(args);
    klog::raw("\n");
    print_backtrace(arch::read_rbp());
    arch::power::halt_after_panic();
}

namespace {

// Everything after the "KERNEL PANIC: " headline's cause.
[[noreturn]] void dump_exception(const arch::TrapFrame& f) {
    klog::raw("%s (vector %lu) in %s mode, error code 0x%lx",
              arch::interrupts::exception_name(f.vector), f.vector, f.from_user() ? "user" : "kernel",
              f.error_code);
    if (f.vector == 14) print_page_fault_cause(f.error_code);
    klog::raw("\nRIP ");
    print_code_address(f.rip);
    klog::raw("\n");
    klog::raw("RAX %016lx  RBX %016lx  RCX %016lx  RDX %016lx\n", f.rax, f.rbx, f.rcx, f.rdx);
    klog::raw("RSI %016lx  RDI %016lx  RBP %016lx  RSP %016lx\n", f.rsi, f.rdi, f.rbp, f.rsp);
    klog::raw("R8  %016lx  R9  %016lx  R10 %016lx  R11 %016lx\n", f.r8, f.r9, f.r10, f.r11);
    klog::raw("R12 %016lx  R13 %016lx  R14 %016lx  R15 %016lx\n", f.r12, f.r13, f.r14, f.r15);
    klog::raw("RIP %016lx  RFLAGS %016lx  CS %04lx  SS %04lx\n", f.rip, f.rflags, f.cs, f.ss);
    klog::raw("CR0 %016lx  CR2 %016lx  CR3 %016lx  CR4 %016lx\n", arch::read_cr0(),
              arch::read_cr2(), arch::read_cr3(), arch::read_cr4());
    // The faulting function is frame #0; rbp already points at its caller's
    // frame (its own prologue has run).
    print_backtrace(f.rbp, f.rip);
    arch::power::halt_after_panic();
}

}  // namespace

void panic_on_exception(const arch::TrapFrame& f) {
    enter_panic();
    klog::raw("\nKERNEL PANIC: ");
    dump_exception(f);
}

void panic_on_stack_overflow(const arch::TrapFrame& f, const char* stack, uint64_t guard) {
    enter_panic();
    klog::raw("\nKERNEL PANIC: %s overflow (guard page 0x%016lx): ", stack, guard);
    dump_exception(f);
}

}  // namespace debug
