// The boot-info page: what the kernel hands the root task, mapped read-only
// at boot_info_address in the root task's address space.
//
// The root task starts with capabilities in fixed slots of its CNode (the
// Slot constants), followed by ranges that depend on the machine: the
// frames of its own image, the initrd's frames (also mapped read-only at
// initrd_address), and untyped memory — every byte of RAM the kernel does
// not use itself. Slots from first_free_slot on are empty.
#pragma once

#include <cstdint>

#include "abi/syscalls.hpp"

namespace abi {

inline constexpr uint64_t boot_info_magic = 0x4F464E49544F4F42ull;  // "BOOTINFO"
inline constexpr uint64_t boot_info_address = 0x00007FFFFFFF1000ull;
// Every program the system starts has its main thread's IPC buffer here.
inline constexpr uint64_t ipc_buffer_address = 0x00007FFFFFFF0000ull;
inline constexpr uint64_t root_ipc_buffer_address = ipc_buffer_address;
inline constexpr uint64_t root_stack_top = 0x00007FFFFFFE0000ull;
inline constexpr uint64_t root_stack_pages = 16;
inline constexpr uint64_t initrd_address = 0x0000100000000000ull;
// The root CNode has a slot for every page of the root program, its stack
// and the initrd: the kernel picks the smallest radix from this one up to
// the largest a CNode has (cnode_max_radix) that holds them all and
// root_spare_slots more, and refuses an initrd that needs more. BootInfo
// says which.
inline constexpr unsigned root_cnode_min_radix = 14;
// Slots the root CNode keeps empty for the root task's own use at least;
// an initrd too large to leave them is refused at boot.
inline constexpr uint64_t root_spare_slots = 1024;
inline constexpr uint8_t root_priority = 255;

namespace root_slot {
inline constexpr Cptr cnode = 1;         // the root task's own CNode
inline constexpr Cptr thread = 2;        // its thread
inline constexpr Cptr vspace = 3;        // its address space
inline constexpr Cptr console = 4;       // the kernel debug console (write: print, power off)
inline constexpr Cptr ipc_buffer = 5;    // frame of its IPC buffer
inline constexpr Cptr boot_info = 6;     // frame of this page
inline constexpr Cptr io_port_control = 7; // issues io_ports capabilities: every I/O port
inline constexpr Cptr irq_control = 8;   // issues irq_handler capabilities: every interrupt line
inline constexpr Cptr first_dynamic = 9;
}  // namespace root_slot

struct SlotRange {
    Cptr first;
    uint64_t count;
};

struct UntypedDescriptor {
    uint64_t physical_address;
    uint8_t size_bits;
    uint8_t is_device;     // device memory (the PCI window): frames for MMIO only, never RAM
    uint8_t reserved[6];
};

struct ImageSegment {
    uint64_t address;      // where its first frame is mapped
    uint64_t pages;
    Cptr first_frame;      // frames of consecutive pages in consecutive slots
    uint8_t rights;
    uint8_t reserved[7];
};

inline constexpr unsigned max_boot_untyped = 128;
// Segments of the root program the boot info describes: fewer than the ELF
// reader accepts (elf::max_segments, 64 would take 2 KiB and not fit the
// page); the kernel refuses a root program with more.
inline constexpr unsigned max_image_segments = 32;
inline constexpr unsigned boot_cmdline_size = 512;

struct BootInfo {
    uint64_t magic;
    uint64_t tsc_hz;                 // measured by the kernel against the PIT
    uint32_t timer_hz;
    uint32_t image_segment_count;
    uint32_t cnode_radix;            // of the root CNode: 2^cnode_radix slots
    uint32_t reserved;
    ImageSegment image[max_image_segments];
    SlotRange page_tables;           // tables the kernel made for the root's mappings
    SlotRange initrd_frames;
    uint64_t initrd_size;            // bytes, from initrd_address
    SlotRange untyped;
    UntypedDescriptor untyped_list[max_boot_untyped];  // in slot order
    Cptr first_free_slot;
    char cmdline[boot_cmdline_size]; // the kernel command line, NUL-terminated
};
static_assert(sizeof(BootInfo) <= 4096);

}  // namespace abi
