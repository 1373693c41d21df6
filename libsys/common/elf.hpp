// Validating parser for ELF64 x86-64 executables (ET_EXEC and ET_DYN).
//
// Used by the kernel to load the root task and by the loader server, so it is
// freestanding and allocation-free. The file is untrusted: every offset, size
// and address is checked, with overflow, before anything is reported, and the
// result describes only what a loader needs to map (PT_LOAD segments and the
// entry point). Headers are decoded byte by byte, so the file may sit at any
// alignment.
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
};

// Short lower-case text for `e`, e.g. "segment is both writable and
// executable"; never null.
const char* describe(Error e);

inline constexpr size_t max_segments = 16;
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

struct Image {
    uint64_t entry;
    bool position_independent;   // ET_DYN: addresses are as linked; a loader may add a base
    size_t segment_count;        // >= 1 on success
    Segment segments[max_segments];  // non-empty PT_LOAD only, sorted by vaddr, no shared pages
};

// Address space a segment may occupy. Checks apply to the page-rounded range
// the loader will map, so both limits should be page aligned. The defaults
// keep page 0 unmapped (null dereferences fault) and stay below the x86-64
// canonical hole, leaving the last user page as a guard.
struct Limits {
    uint64_t user_limit = 0x00007FFFFFFFF000;
    uint64_t lowest_address = 0x1000;
};

// Validates everything before returning anything: returns Error::none and
// fills `image`, or returns the first problem found and leaves `image`
// untouched. `index` (may be null) receives the program header index involved,
// or no_index.
Error parse(const void* file, size_t size, Image& image, const Limits& limits = {},
            size_t* index = nullptr);

}  // namespace elf
