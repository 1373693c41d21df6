#include "boot/root_task.hpp"

#include <utility>

#include "abi/boot_info.hpp"
#include "arch/x86_64/lapic.hpp"
#include "debug/log.hpp"
#include "debug/panic.hpp"
#include "common/cpio.hpp"
#include "common/elf.hpp"
#include "common/string.hpp"
#include "mm/physical_memory.hpp"
#include "mm/physmap.hpp"
#include "object/address_space.hpp"
#include "object/cap_tree.hpp"
#include "object/cnode.hpp"
#include "object/derive.hpp"
#include "object/lifecycle.hpp"
#include "object/thread.hpp"
#include "sched/scheduler.hpp"

namespace boot {

namespace {

using abi::ObjectType;
using object::Capability;
using object::Slot;
namespace rights = abi::rights;
namespace slot = abi::root_slot;

constexpr uint64_t page = 4096;

// The boot info describes the root program's segments in one page, which
// holds fewer than the ELF reader accepts (elf::max_segments would not fit:
// the second assertion says so, and should go, with the root's own cap, once
// it does). A root program with more is refused below, by name.
static_assert(abi::max_image_segments <= elf::max_segments);
static_assert(sizeof(abi::BootInfo) + (elf::max_segments - abi::max_image_segments) * sizeof(abi::ImageSegment) > 4096,
              "the boot info could describe every segment the ELF reader accepts: drop the root's own cap");

// All free memory as untyped regions, held here until the root CNode
// exists to receive them.
Slot untyped_slots[abi::max_boot_untyped];
abi::UntypedDescriptor untyped_descriptors[abi::max_boot_untyped];
size_t untyped_count;

// Hands [base, base + length) out as untyped regions: the largest naturally
// aligned powers of two that fit.
void carve(uint64_t base, uint64_t length, bool device, uint64_t& lost) {
    while (length) {
        unsigned bits = unsigned(63 - __builtin_clzll(length));
        if (base) bits = bits < unsigned(__builtin_ctzll(base)) ? bits : unsigned(__builtin_ctzll(base));
        if (bits > abi::untyped_max_bits) bits = abi::untyped_max_bits;
        if (untyped_count == abi::max_boot_untyped) {
            lost += length;
            return;
        }
        Capability cap{ObjectType::untyped, rights::all, uint8_t(bits), uint8_t(device ? object::cap_flags::device : 0),
                       0, uint64_t(mm::phys_to_virt(base)), 0};
        object::install(object::boot_sentinel(), &untyped_slots[untyped_count], cap);
        untyped_descriptors[untyped_count] = abi::UntypedDescriptor{base, uint8_t(bits), device, {}};
        ++untyped_count;
        base += 1ull << bits;
        length -= 1ull << bits;
    }
}

// The PCI window below 4 GiB, for drivers' MMIO frames: from above the
// last RAM below 4 GiB (rounded up to 256 MiB) to the I/O APIC and local
// APIC pages at 0xFEC00000, which stay the kernel's.
constexpr uint64_t device_window_end = 0xFEC00000;
constexpr uint64_t device_window_align = 256ull << 20;

void carve_untyped() {
    uint64_t base, length, lost = 0;
    while (mm::frames().take_free_run(base, length)) carve(base, length, false, lost);
    if (lost) klog::warn("root: %lu KiB of memory left out (more than %u untyped regions)", lost >> 10,
                         abi::max_boot_untyped);
    uint64_t low_top = 0;
    const mm::RangeSet& ram = mm::usable_ram();
    for (size_t i = 0; i < ram.count(); ++i)
        if (ram[i].end <= (1ull << 32) && ram[i].end > low_top) low_top = ram[i].end;
    uint64_t start = (low_top + device_window_align - 1) & ~(device_window_align - 1);
    lost = 0;
    if (start < device_window_end) carve(start, device_window_end - start, true, lost);
}

// Retypes the root task's objects from the largest untyped region, exactly
// as the retype system call would.
class BootAllocator {
public:
    BootAllocator() {
        for (size_t i = 1; i < untyped_count; ++i)
            if (!untyped_descriptors[i].is_device && untyped_slots[i].cap.size_bits > untyped_slots[source_].cap.size_bits)
                source_ = i;
    }

    void retype(ObjectType type, unsigned size_bits, Slot* dst) {
        Slot& untyped = untyped_slots[source_];
        uint64_t size = abi::object_size(type, size_bits);
        uint64_t offset = (untyped.cap.data + size - 1) & ~(size - 1);
        if (offset + size > (1ull << untyped.cap.size_bits)) debug::panic("root: out of memory building the root task");
        // Boot memory holds whatever the firmware left: objects start zeroed.
        memset(reinterpret_cast<void*>(untyped.cap.object + offset), 0, size);
        Capability cap;
        object::create_object(type, size_bits, untyped.cap.object + offset, cap);
        object::install(&untyped, dst, cap);
        untyped.cap.data = offset + size;
    }

private:
    size_t source_ = 0;
};

struct RootBuilder {
    BootAllocator allocator;
    Slot* slots = nullptr;
    abi::Cptr next = slot::first_dynamic;
    abi::BootInfo* info = nullptr;

    Slot& at(abi::Cptr cptr) { return slots[cptr]; }

    // Maps the frame in slot `frame`, making page tables as needed.
    void map(abi::Cptr frame, uint64_t address, uint8_t frame_rights) {
        for (;;) {
            unsigned missing = 0;
            auto e = object::address_space::map_frame(at(frame).cap, at(slot::vspace).cap, address, frame_rights, missing);
            if (e == abi::Error::none) return;
            if (e != abi::Error::missing_page_table) debug::panic("root: cannot map 0x%lx: error %ld", address, int64_t(e));
            allocator.retype(ObjectType::page_table, missing, &at(next));
            unsigned ignored;
            object::address_space::map_page_table(at(next).cap, at(slot::vspace).cap, address, ignored);
            ++next;
            ++info->page_tables.count;
        }
    }
};

}  // namespace

bool start_root_task(const BootInfo& boot) {
    cpio::File file;
    if (!boot.initrd_size || !cpio::find(mm::phys_to_virt(boot.initrd_phys), boot.initrd_size, "root", file)) {
        klog::error("root: the initrd has no program named \"root\"; nothing to run");
        return false;
    }
    static elf::Image image;  // kept off the 16 KiB boot stack
    size_t bad_index = elf::no_index;
    if (elf::Error e = elf::parse(file.data, file.size, image, {}, &bad_index); e != elf::Error::none) {
        klog::error("root: \"root\" is not a valid program: %s; nothing to run", elf::describe(e));
        return false;
    }
    if (image.segment_count > abi::max_image_segments) {
        klog::error("root: \"root\" has %zu loadable segments; the boot info describes at most %u for the root "
                    "program (other programs may have %zu); nothing to run",
                    image.segment_count, abi::max_image_segments, elf::max_segments);
        return false;
    }

    // Every frame the root task starts with has a slot of its own in the
    // root CNode: refuse what cannot fit rather than write past its end.
    uint64_t frames = abi::root_stack_pages + 2 + (boot.initrd_size + page - 1) / page;
    for (size_t s = 0; s < image.segment_count; ++s)
        frames += (image.segments[s].memory_size + 2 * page) / page;
    uint64_t tables = frames / 512 + 3 * (image.segment_count + 4);  // generous: each range may need its own
    uint64_t needed = slot::first_dynamic + frames + tables + abi::max_boot_untyped + abi::root_spare_slots;
    unsigned radix = abi::root_cnode_min_radix;
    while (radix < abi::cnode_max_radix && needed > (uint64_t(1) << radix)) ++radix;
    if (needed > (uint64_t(1) << radix)) {
        klog::error("root: the initrd (%lu KiB) and the root program need %lu slots, more than the largest CNode's "
                    "%lu; nothing to run",
                    boot.initrd_size >> 10, needed, uint64_t(1) << radix);
        return false;
    }

    carve_untyped();
    if (!untyped_count) debug::panic("root: no memory left for the root task");

    RootBuilder b;
    Slot cnode_holder;
    b.allocator.retype(ObjectType::cnode, radix, &cnode_holder);
    b.slots = object::cnode::slots(cnode_holder.cap);
    object::cap_tree::move(&cnode_holder, &b.at(slot::cnode));
    b.allocator.retype(ObjectType::thread, 0, &b.at(slot::thread));
    b.allocator.retype(ObjectType::address_space, 0, &b.at(slot::vspace));
    object::install(object::boot_sentinel(), &b.at(slot::console),
                    Capability{ObjectType::debug_console, rights::read | rights::write, 0, 0, 0, 0, 0});
    // The authority over I/O ports and interrupt lines, for drivers.
    object::install(object::boot_sentinel(), &b.at(slot::io_port_control),
                    Capability{ObjectType::io_port_control, rights::read | rights::write, 0, 0, 0, 0, 0});
    object::install(object::boot_sentinel(), &b.at(slot::irq_control),
                    Capability{ObjectType::irq_control, rights::read | rights::write, 0, 0, 0, 0, 0});
    b.allocator.retype(ObjectType::frame, 0, &b.at(slot::ipc_buffer));
    b.allocator.retype(ObjectType::frame, 0, &b.at(slot::boot_info));
    b.info = reinterpret_cast<abi::BootInfo*>(b.at(slot::boot_info).cap.object);
    abi::BootInfo& info = *b.info;

    // Frames first, in consecutive slots per segment; mappings (and the page
    // tables they need) after, so the frame ranges stay contiguous.
    info.image_segment_count = uint32_t(image.segment_count);
    for (size_t s = 0; s < image.segment_count; ++s) {
        const elf::Segment& seg = image.segments[s];
        uint64_t start = seg.vaddr & ~(page - 1);
        uint64_t end = (seg.vaddr + seg.memory_size + page - 1) & ~(page - 1);
        uint8_t r = rights::read | (seg.write ? rights::write : 0) | (seg.execute ? rights::execute : 0);
        info.image[s] = abi::ImageSegment{start, (end - start) / page, b.next, r, {}};
        for (uint64_t va = start; va < end; va += page) {
            b.allocator.retype(ObjectType::frame, 0, &b.at(b.next));
            auto* memory = reinterpret_cast<uint8_t*>(b.at(b.next).cap.object);
            // The file's bytes that fall in this page; the rest stays zero (.bss).
            uint64_t from = va > seg.vaddr ? va : seg.vaddr;
            uint64_t to = va + page < seg.vaddr + seg.file_size ? va + page : seg.vaddr + seg.file_size;
            if (from < to) memcpy(memory + (from - va), file.data + seg.file_offset + (from - seg.vaddr), to - from);
            // A static PIE root lands at the reader's base, relocated here.
            elf::relocate_page(file.data, image, va, memory);
            ++b.next;
        }
    }
    abi::Cptr stack_first = b.next;
    for (uint64_t i = 0; i < abi::root_stack_pages; ++i) b.allocator.retype(ObjectType::frame, 0, &b.at(b.next++));
    info.initrd_frames = abi::SlotRange{b.next, (boot.initrd_size + page - 1) / page};
    info.initrd_size = boot.initrd_size;
    for (uint64_t i = 0; i < info.initrd_frames.count; ++i)
        object::install(object::boot_sentinel(), &b.at(b.next++),
                        Capability{ObjectType::frame, rights::read, 0, 0, 0,
                                   uint64_t(mm::phys_to_virt(boot.initrd_phys + i * page)), 0});

    info.page_tables = abi::SlotRange{b.next, 0};
    for (size_t s = 0; s < image.segment_count; ++s)
        for (uint64_t i = 0; i < info.image[s].pages; ++i)
            b.map(info.image[s].first_frame + i, info.image[s].address + i * page, info.image[s].rights);
    for (uint64_t i = 0; i < abi::root_stack_pages; ++i)
        b.map(stack_first + i, abi::root_stack_top - (abi::root_stack_pages - i) * page, rights::read | rights::write);
    for (uint64_t i = 0; i < info.initrd_frames.count; ++i)
        b.map(info.initrd_frames.first + i, abi::initrd_address + i * page, rights::read);
    b.map(slot::ipc_buffer, abi::root_ipc_buffer_address, rights::read | rights::write);
    b.map(slot::boot_info, abi::boot_info_address, rights::read);

    // The rest of memory is the root task's to give out.
    info.untyped = abi::SlotRange{b.next, untyped_count};
    for (size_t i = 0; i < untyped_count; ++i) {
        info.untyped_list[i] = untyped_descriptors[i];
        object::cap_tree::move(&untyped_slots[i], &b.at(b.next++));
    }
    info.first_free_slot = b.next;
    info.cnode_radix = radix;
    info.magic = abi::boot_info_magic;
    info.tsc_hz = arch::lapic::tsc_hz();
    info.timer_hz = arch::lapic::timer_hz();
    size_t cmdline_length = strlen(boot.cmdline.text());
    if (cmdline_length >= sizeof info.cmdline) cmdline_length = sizeof info.cmdline - 1;
    memcpy(info.cmdline, boot.cmdline.text(), cmdline_length);

    // The thread: its capabilities, the System V initial stack (argc = 0,
    // empty argv and envp, an empty auxiliary vector), top priority.
    auto* thread = reinterpret_cast<object::Thread*>(b.at(slot::thread).cap.object);
    for (auto [own, source] : {std::pair{&thread->cspace, slot::cnode}, std::pair{&thread->vspace, slot::vspace},
                               std::pair{&thread->ipc_buffer, slot::ipc_buffer}}) {
        if (object::derive_into(&b.at(source), own) != abi::Error::none) debug::panic("root: cannot configure its thread");
        own->cap.flags |= object::cap_flags::held_by_thread;
    }
    thread->ipc_buffer_address = abi::root_ipc_buffer_address;
    constexpr uint64_t initial_stack_words = 6;  // argc, argv NULL, envp NULL, AT_NULL pair, padding
    thread->context.rsp = abi::root_stack_top - initial_stack_words * 8;
    thread->context.rip = image.entry;
    thread->priority = abi::root_priority;
    sched::make_ready(thread);

    uint64_t used = 0, device_regions = 0;
    for (size_t i = 0; i < untyped_count; ++i) {
        if (untyped_descriptors[i].is_device) ++device_regions;
        else used += 1ull << untyped_descriptors[i].size_bits;
    }
    klog::info("root: started from the initrd (entry 0x%lx, %zu segments); handed over %lu untyped regions "
               "(%lu MiB) and %lu of device memory, %lu initrd frames; first free slot %lu",
               image.entry, image.segment_count, untyped_count - device_regions, used >> 20, device_regions,
               info.initrd_frames.count, info.first_free_slot);
    return true;
}

}  // namespace boot
