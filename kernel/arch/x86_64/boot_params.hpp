// The Linux "zero page" (struct boot_params) as far as this kernel reads it.
// The setup stub fills it in; offsets are those of the Linux x86 boot
// protocol (Documentation/arch/x86/zero-page.rst), so any loader that speaks
// the protocol could hand it over too.
#pragma once

#include <cstddef>
#include <cstdint>

namespace arch {

struct [[gnu::packed]] E820Entry {
    uint64_t base;
    uint64_t length;
    uint32_t type;  // 1 = usable RAM, 2 = reserved, 3 = ACPI, 4 = NVS, 5 = bad
};

struct [[gnu::packed]] SetupHeader {
    uint8_t setup_sects;
    uint16_t root_flags;
    uint32_t syssize;
    uint16_t ram_size;
    uint16_t vid_mode;
    uint16_t root_dev;
    uint16_t boot_flag;
    uint16_t jump;
    uint32_t header;
    uint16_t version;
    uint32_t realmode_swtch;
    uint16_t start_sys_seg;
    uint16_t kernel_version;
    uint8_t type_of_loader;
    uint8_t loadflags;
    uint16_t setup_move_size;
    uint32_t code32_start;
    uint32_t ramdisk_image;
    uint32_t ramdisk_size;
    uint32_t bootsect_kludge;
    uint16_t heap_end_ptr;
    uint8_t ext_loader_ver;
    uint8_t ext_loader_type;
    uint32_t cmd_line_ptr;
    uint32_t initrd_addr_max;
    uint32_t kernel_alignment;
    uint8_t relocatable_kernel;
    uint8_t min_alignment;
    uint16_t xloadflags;
    uint32_t cmdline_size;
};

inline constexpr size_t e820_max_entries = 128;

struct [[gnu::packed]] BootParams {
    uint8_t unused0[0x1e8];
    uint8_t e820_entries;  // 0x1e8
    uint8_t unused1[0x1f1 - 0x1e9];
    SetupHeader hdr;  // 0x1f1
    uint8_t unused2[0x2d0 - 0x1f1 - sizeof(SetupHeader)];
    E820Entry e820_table[e820_max_entries];  // 0x2d0
    uint8_t unused3[0x1000 - 0x2d0 - sizeof(E820Entry) * e820_max_entries];
};

static_assert(offsetof(BootParams, hdr) == 0x1f1);
static_assert(offsetof(BootParams, hdr.header) == 0x202);
static_assert(offsetof(BootParams, hdr.ramdisk_image) == 0x218);
static_assert(offsetof(BootParams, hdr.cmd_line_ptr) == 0x228);
static_assert(offsetof(BootParams, hdr.cmdline_size) == 0x238);
static_assert(offsetof(BootParams, e820_table) == 0x2d0);
static_assert(sizeof(BootParams) == 0x1000);

inline constexpr uint32_t setup_header_magic = 0x53726448;  // "HdrS"

}  // namespace arch
