// Validating parser for ELF64 x86-64 executables (ET_EXEC and ET_DYN).
//
// Used by the kernel to load the root task and by the loader server, so it is
// freestanding and allocation-free. The file is untrusted: every offset, size
// and address is checked, with overflow, before anything is reported, and the
// result describes only what a loader needs to map (PT_LOAD segments and the
// entry point) and to relocate. Headers are decoded byte by byte, so the file
// may sit at any alignment.
//
// Only static programs are accepted: a PT_INTERP header, DT_NEEDED, or any
// relocation other than R_X86_64_RELATIVE means the program needs a dynamic
// linker, which this system does not have, and is refused as such. A static
// PIE (ET_DYN, `gcc -static-pie`) is placed at Limits::position_independent_base
// plus its link-time addresses; its R_X86_64_RELATIVE relocations (DT_RELA and
// DT_RELR) are validated here and applied by the loader with relocate_page.
#pragma once

#include <cstddef>
#include <cstdint>

namespace elf {

enum class Error : uint8_t {
    none,
    too_small,                          // shorter than the 64-byte ELF header
    bad_magic,                          // does not start with "\x7f" "ELF"
    not_64_bit,                         // EI_CLASS is not ELFCLASS64
    not_little_endian,                  // EI_DATA is not ELFDATA2LSB
    bad_version,                        // EI_VERSION or e_version is not EV_CURRENT
    not_x86_64,                         // e_machine is not EM_X86_64
    bad_type,                           // e_type is neither ET_EXEC nor ET_DYN
    bad_header_size,                    // e_ehsize < 64 or e_phentsize != 56
    program_headers_out_of_bounds,      // program header table not inside the file
    too_many_segments,                  // more than max_segments non-empty PT_LOAD
    segment_out_of_file,                // p_offset + p_filesz beyond the file, or overflows
    file_size_exceeds_memory_size,      // p_filesz > p_memsz
    bad_alignment,                      // p_align not a power of two, or vaddr and offset disagree modulo it
    segment_overlap,                    // two segments share a page
    segment_in_kernel_half,             // a mapped page at or above Limits::user_limit
    segment_at_null,                    // a mapped page below Limits::lowest_address
    writable_and_executable,            // PF_W and PF_X together
    entry_outside_executable_segment,   // e_entry not inside a PF_X segment
    no_loadable_segment,                // no PT_LOAD with p_memsz > 0
    address_overflow,                   // p_vaddr + p_memsz, page-rounded, wraps past 2^64
    needs_interpreter,                  // a PT_INTERP header (dynamically linked)
    needs_shared_libraries,             // DT_NEEDED in the dynamic section
    needs_symbol_relocations,           // a relocation other than R_X86_64_RELATIVE, DT_REL or PLT relocations
    bad_dynamic_section,                // PT_DYNAMIC or a relocation table malformed or outside the file
    relocation_outside_image,           // a relocation's 8 bytes not inside one loadable segment
};

// Short lower-case text for `e`, e.g. "segment is both writable and
// executable"; never null.
const char* describe(Error e);

// Non-empty PT_LOAD segments accepted. (The root task's boot info has room
// for fewer: abi::max_image_segments, checked by the kernel.)
inline constexpr size_t max_segments = 64;
inline constexpr uint64_t page_size = 4096;

// `index` value when an error concerns no particular program header.
inline constexpr size_t no_index = static_cast<size_t>(-1);

// One PT_LOAD segment: map [vaddr, vaddr + memory_size), copy file_size bytes
// from file_offset to vaddr, and zero the rest.
struct Segment {
    uint64_t vaddr;
    uint64_t memory_size;
    uint64_t file_offset;
    uint64_t file_size;
    bool read, write, execute;
};

// R_X86_64_RELATIVE relocations, as tables in the file; all validated.
struct Relocations {
    uint64_t rela_offset, rela_count;  // Elf64_Rela entries (24 bytes) at this file offset
    uint64_t relr_offset, relr_count;  // DT_RELR words (8 bytes) at this file offset
};

struct Image {
    uint64_t entry;              // as loaded (load_bias included)
    bool position_independent;   // ET_DYN: placed at load_bias plus its link-time addresses
    uint64_t load_bias;          // added to every address the file gives: 0 for ET_EXEC
    Relocations relocations;     // none for most ET_EXEC files
    size_t segment_count;        // >= 1 on success
    Segment segments[max_segments];  // non-empty PT_LOAD only, as loaded, sorted by vaddr, no shared pages

    // Whether some page differs from the file's bytes once loaded: such a
    // page cannot be filled straight from the file.
    bool needs_relocation() const { return relocations.rela_count != 0 || relocations.relr_count != 0; }
};

// Address space a segment may occupy. Checks apply to the page-rounded range
// the loader will map, so both limits should be page aligned. The defaults
// keep page 0 unmapped (null dereferences fault) and stay below the x86-64
// canonical hole, leaving the last user page as a guard.
struct Limits {
    uint64_t user_limit = 0x00007FFFFFFFF000;
    uint64_t lowest_address = 0x1000;
    // Load bias of an ET_DYN image: its link-time address 0 goes here (32
    // GiB: clear of ET_EXEC programs at 4 MiB, the pager's heap at 1 TiB and
    // the initrd at 16 TiB). Must be page aligned.
    uint64_t position_independent_base = 0x0000000800000000;
};

// Validates everything before returning anything: returns Error::none and
// fills `image`, or returns the first problem found and leaves `image`
// untouched. `index` (may be null) receives the program header index involved,
// or no_index.
Error parse(const void* file, size_t size, Image& image, const Limits& limits = {},
            size_t* index = nullptr);

// Applies the image's relocations to one page as loaded: `bytes` holds the
// page_size bytes at `page_address` (page aligned, load_bias included) as the
// file gives them (zeros beyond a segment's file bytes). Every relocation whose
// 8 bytes touch the page is written, a relocation straddling two pages in
// part on each. `file` and `image` must be what parse accepted. Costs one
// pass over the relocation tables per call.
void relocate_page(const void* file, const Image& image, uint64_t page_address, uint8_t* bytes);

}  // namespace elf
