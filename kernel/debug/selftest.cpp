#include "debug/selftest.hpp"

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/idt.hpp"
#include "arch/x86_64/lapic.hpp"
#include "arch/x86_64/paging.hpp"
#include "arch/x86_64/stacks.hpp"
#include "debug/log.hpp"
#include "debug/symbols.hpp"
#include "common/cpio.hpp"
#include "common/string.hpp"
#include "mm/kernel_image.hpp"
#include "mm/kernel_space.hpp"
#include "mm/physical_memory.hpp"

extern "C" void kernel_main(uint64_t);

namespace debug {

namespace {

using namespace arch::paging;

struct Context {
    const boot::BootInfo& info;
};

// Each test returns nullptr on success or a short reason for the failure.
using TestFunction = const char* (*)(const Context&);

const char* frame_alloc_free_round_trip(const Context&) {
    auto& frames = mm::frames();
    uint64_t before = frames.free_frames();
    uint64_t a, b;
    if (!frames.allocate(a) || !frames.allocate(b)) return "allocation failed with frames free";
    if (a == b) return "the same frame was handed out twice";
    if ((a | b) % mm::page_size) return "frame not page aligned";
    if (frames.free_frames() != before - 2) return "free count did not drop by two";
    if (!frames.free(a) || !frames.free(b)) return "free of an allocated frame refused";
    if (frames.free(a)) return "double free accepted";
    if (frames.free_frames() != before) return "free count not restored";
    return nullptr;
}

const char* frames_avoid_reserved_memory(const Context& c) {
    auto& frames = mm::frames();
    constexpr int n = 512;
    uint64_t got[n];
    const char* failure = nullptr;
    int allocated = 0;
    for (; allocated < n; ++allocated) {
        uint64_t f;
        if (!frames.allocate(f)) break;
        got[allocated] = f;
        if (f < (1ull << 20)) failure = "frame below 1 MiB";
        if (f >= mm::kernel_image_phys_start() && f < mm::kernel_image_phys_end()) failure = "frame inside the kernel";
        if (f >= c.info.initrd_phys && f < c.info.initrd_phys + c.info.initrd_size) failure = "frame inside the initrd";
    }
    for (int i = 0; i < allocated; ++i) frames.free(got[i]);
    if (allocated < n) return "ran out of frames";
    return failure;
}

const char* page_map_translate_unmap(const Context&) {
    constexpr uint64_t test_va = 0xFFFFFFFFD0000000ull;
    uint64_t frame;
    if (!mm::allocate_zeroed_frame(frame)) return "no frame";
    uint64_t root = mm::kernel_root();
    const char* failure = nullptr;
    uint64_t pa = 0;
    if (map(root, test_va, frame, flags::writable | flags::no_execute, small_page, mm::allocate_zeroed_frame) !=
        Error::none) {
        failure = "map failed";
    } else {
        *reinterpret_cast<volatile uint64_t*>(test_va + 8) = 0x5EEDF00D;
        if (*mm::phys_to_virt<volatile uint64_t>(frame + 8) != 0x5EEDF00D)
            failure = "write through the new mapping not seen in the frame";
        else if (translate(root, test_va + 123, pa) != Error::none || pa != frame + 123)
            failure = "translate gave the wrong address";
        else if (map(root, test_va, frame, flags::writable, small_page, mm::allocate_zeroed_frame) !=
                 Error::already_mapped)
            failure = "mapping over a mapped page was not refused";
        else if (unmap(root, test_va) != Error::none || translate(root, test_va, pa) != Error::not_mapped)
            failure = "unmap did not remove the mapping";
    }
    mm::frames().free(frame);
    return failure;
}

const char* kernel_image_permissions(const Context&) {
    uint64_t root = mm::kernel_root(), pa, text_flags, rodata_flags, data_flags;
    if (translate(root, uint64_t(&kernel_main), pa, &text_flags) != Error::none) return "text not mapped";
    if (translate(root, uint64_t(__text_end), pa, &rodata_flags) != Error::none) return "rodata not mapped";
    if (translate(root, uint64_t(__rodata_end), pa, &data_flags) != Error::none) return "data not mapped";
    if (text_flags & (flags::writable | flags::no_execute)) return "text is writable or not executable";
    if (rodata_flags & flags::writable) return "rodata is writable";
    if (!(data_flags & flags::writable)) return "data is read-only";
    if (nx_enabled() && (!(rodata_flags & flags::no_execute) || !(data_flags & flags::no_execute)))
        return "rodata or data is executable";
    if (translate(root, 0x100000, pa) != Error::not_mapped) return "the boot identity map is still present";
    return nullptr;
}

const char* stack_guard_pages_unmapped(const Context&) {
    uint64_t root = mm::kernel_root(), pa;
    for (unsigned i = 0; i < unsigned(arch::stacks::Id::count); ++i) {
        const arch::stacks::Range& s = arch::stacks::range(arch::stacks::Id(i));
        if (s.bottom != s.guard + arch::stacks::guard_size || s.guard % small_page) return "a guard page is misplaced";
        if (translate(root, s.guard, pa) != Error::not_mapped) return "a guard page is mapped";
        if (translate(root, s.guard + small_page - 1, pa) != Error::not_mapped) return "a guard page is mapped";
        if (translate(root, s.bottom, pa) != Error::none || translate(root, s.top - 1, pa) != Error::none)
            return "a stack is not mapped";
        if (arch::stacks::guard_holding(s.guard + 8) != &arch::stacks::range(arch::stacks::Id(i)))
            return "a guard page is not recognised";
    }
    // The stack in use right now is one of them (the boot stack).
    uint64_t here = arch::read_rbp();
    arch::stacks::Range boot = arch::stacks::range(arch::stacks::Id::boot);
    if (here < boot.bottom || here >= boot.top) return "boot code does not run on the guarded boot stack";
    return nullptr;
}

const char* protection_features_match_cpuid(const Context&) {
    bool nx = arch::cpuid(0x80000000).eax >= 0x80000001 && (arch::cpuid(0x80000001).edx & (1u << 20));
    bool smep = false, smap = false, umip = false;
    if (arch::cpuid(0).eax >= 7) {
        arch::CpuidResult leaf7 = arch::cpuid(7, 0);
        smep = leaf7.ebx & (1u << 7);
        smap = leaf7.ebx & (1u << 20);
        umip = leaf7.ecx & (1u << 2);
    }
    uint64_t cr4 = arch::read_cr4();
    if (!(arch::read_cr0() & arch::cr0::write_protect)) return "CR0.WP is off";
    if (nx != bool(arch::rdmsr(arch::msr::efer) & arch::efer::nxe)) return "EFER.NXE does not match CPUID";
    if (smep != bool(cr4 & arch::cr4::smep)) return "CR4.SMEP does not match CPUID";
    if (smap != bool(cr4 & arch::cr4::smap)) return "CR4.SMAP does not match CPUID";
    if (umip != bool(cr4 & arch::cr4::umip)) return "CR4.UMIP does not match CPUID";
    return nullptr;
}

constexpr uint8_t flags_test_vector = 0x41;  // unused otherwise
constexpr uint64_t rflags_df = 1ull << 10, rflags_ac = 1ull << 18;
volatile uint64_t rflags_in_handler;

void record_rflags(arch::TrapFrame&) {
    uint64_t rflags;
    asm volatile("pushfq; popq %0" : "=r"(rflags));
    rflags_in_handler = rflags;
}

const char* interrupt_entry_clears_ac_and_df(const Context&) {
    arch::interrupts::set_handler(flags_test_vector, record_rflags);
    rflags_in_handler = ~0ull;
    uint64_t before, after;
    // Interrupted with AC and DF set (AC is a user-settable flag); the
    // handler must see both clear, and the interrupted code get both back.
    asm volatile(
        "pushfq\n"
        "popq %0\n"
        "cli\n"
        "pushfq\n"
        "orq %2, (%%rsp)\n"
        "popfq\n"
        "int %3\n"
        "pushfq\n"
        "popq %1\n"
        "pushq %0\n"
        "popfq\n"
        : "=&r"(before), "=&r"(after)
        : "r"(rflags_ac | rflags_df), "i"(flags_test_vector)
        : "memory", "cc");
    arch::interrupts::set_handler(flags_test_vector, nullptr);
    if (rflags_in_handler == ~0ull) return "the handler did not run";
    if (rflags_in_handler & rflags_ac) return "AC still set in the handler";
    if (rflags_in_handler & rflags_df) return "DF still set in the handler";
    if ((after & (rflags_ac | rflags_df)) != (rflags_ac | rflags_df)) return "AC or DF not restored by iretq";
    return nullptr;
}

const char* timer_ticks_at_configured_rate(const Context&) {
    // Count ticks over 100 ms of TSC time; allow wide slack since an
    // emulator's clocks drift against each other.
    uint64_t tsc_per_100ms = arch::lapic::tsc_hz() / 10;
    uint64_t ticks_start = arch::lapic::timer_ticks();
    uint64_t tsc_start = arch::rdtsc();
    while (arch::rdtsc() - tsc_start < tsc_per_100ms) arch::enable_interrupts_and_halt();
    uint64_t ticks = arch::lapic::timer_ticks() - ticks_start;
    uint64_t expected = arch::lapic::timer_hz() / 10;
    if (ticks == 0) return "the timer did not tick";
    if (ticks < expected / 2 || ticks > expected * 2) return "tick rate more than 2x off the configured rate";
    return nullptr;
}

const char* symbols_name_kernel_functions(const Context&) {
    Symbol s;
    if (!symbols::lookup(uint64_t(&kernel_main) + 1, s)) return "kernel_main not found";
    if (!lib::equal(s.name, "kernel_main")) return "wrong name for kernel_main";
    return nullptr;
}

const char* initrd_is_well_formed(const Context& c) {
    if (!c.info.initrd_size) return "no initrd";
    size_t count = 0;
    if (cpio::validate(mm::phys_to_virt(c.info.initrd_phys), c.info.initrd_size, &count) != cpio::Error::none)
        return "initrd archive is malformed";
    return count ? nullptr : "initrd is empty";
}

struct Test {
    const char* name;
    TestFunction run;
};

constexpr Test tests[] = {
    {"frame allocator: allocate and free round trip, double free refused", frame_alloc_free_round_trip},
    {"frame allocator: never hands out low memory, the kernel or the initrd", frames_avoid_reserved_memory},
    {"paging: map, access, translate and unmap a page", page_map_translate_unmap},
    {"paging: kernel text RX, rodata R, data RW NX, no identity map", kernel_image_permissions},
    {"paging: a guard page below each kernel stack is unmapped, the stack mapped", stack_guard_pages_unmapped},
    {"cpu: WP on; NX, SMEP, SMAP and UMIP on exactly where CPUID has them", protection_features_match_cpuid},
    {"interrupts: handlers run with AC and DF clear; the interrupted flags come back", interrupt_entry_clears_ac_and_df},
    {"timer: ticks at the configured rate", timer_ticks_at_configured_rate},
    {"symbols: kernel functions have names", symbols_name_kernel_functions},
    {"initrd: archive is well formed and not empty", initrd_is_well_formed},
};

}  // namespace

bool run_selftests(const boot::BootInfo& info) {
    Context context{info};
    unsigned failed = 0, number = 0;
    klog::raw("TAP version 13\n1..%zu\n", sizeof tests / sizeof *tests);
    for (const Test& t : tests) {
        const char* failure = t.run(context);
        ++number;
        if (failure) {
            ++failed;
            klog::raw("not ok %u - %s\n# %s\n", number, t.name, failure);
        } else {
            klog::raw("ok %u - %s\n", number, t.name);
        }
    }
    klog::info("selftest: %u of %u passed", number - failed, number);
    return failed == 0;
}

}  // namespace debug
