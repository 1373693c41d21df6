#include "common/elf.hpp"

namespace elf {
namespace {

// Field offsets of the ELF64 file header and program header (System V gABI).
// Read by offset rather than through structs so that a file at any alignment
// is safe to parse and host endianness does not matter.
constexpr size_t header_size = 64;
constexpr size_t ei_class = 4, ei_data = 5, ei_version = 6;
constexpr size_t e_type = 16, e_machine = 18, e_version = 20, e_entry = 24, e_phoff = 32,
                 e_ehsize = 52, e_phentsize = 54, e_phnum = 56;

constexpr size_t program_header_size = 56;
constexpr size_t p_type = 0, p_flags = 4, p_offset = 8, p_vaddr = 16, p_filesz = 32,
                 p_memsz = 40, p_align = 48;

constexpr uint8_t elfclass64 = 2, elfdata2lsb = 1, ev_current = 1;
constexpr uint16_t et_exec = 2, et_dyn = 3, em_x86_64 = 62;
constexpr uint32_t pt_load = 1;
constexpr uint32_t pf_x = 1, pf_w = 2, pf_r = 4;

constexpr uint64_t page_mask = page_size - 1;
constexpr uint64_t max_u64 = static_cast<uint64_t>(-1);

// Little-endian read of `n` bytes at p; the caller has bounds-checked them.
uint64_t read_le(const uint8_t* p, size_t n) {
    uint64_t value = 0;
    for (size_t i = 0; i < n; ++i) value |= static_cast<uint64_t>(p[i]) << (8 * i);
    return value;
}
uint16_t read16(const uint8_t* p) { return static_cast<uint16_t>(read_le(p, 2)); }
uint32_t read32(const uint8_t* p) { return static_cast<uint32_t>(read_le(p, 4)); }
uint64_t read64(const uint8_t* p) { return read_le(p, 8); }

Error fail(Error e, size_t* index, size_t which) {
    if (index != nullptr) *index = which;
    return e;
}

// The page-rounded range a loader will map for a segment; end is exclusive.
struct PageRange {
    uint64_t start, end;
};

PageRange pages_of(const Segment& s) {
    // Both additions were checked by the caller not to wrap.
    return {s.vaddr & ~page_mask, (s.vaddr + s.memory_size + page_mask) & ~page_mask};
}

// Checks one PT_LOAD with memory_size > 0 on its own (not against others).
Error check_segment(const Segment& s, uint64_t align, const Limits& limits) {
    // The end is rounded up to a page, so it must stay a page short of 2^64.
    if (s.memory_size > max_u64 - s.vaddr || s.vaddr + s.memory_size > max_u64 - page_mask)
        return Error::address_overflow;
    // A loader that maps file pages directly needs offset and address to be
    // congruent modulo the alignment; 0 and 1 mean "no constraint".
    if (align > 1) {
        if ((align & (align - 1)) != 0) return Error::bad_alignment;
        if (((s.vaddr - s.file_offset) & (align - 1)) != 0) return Error::bad_alignment;
    }
    // Judged on whole pages, because whole pages are what gets mapped.
    const PageRange pages = pages_of(s);
    if (pages.start < limits.lowest_address) return Error::segment_at_null;
    if (pages.end > limits.user_limit) return Error::segment_in_kernel_half;
    if (s.write && s.execute) return Error::writable_and_executable;
    return Error::none;
}

}  // namespace

const char* describe(Error e) {
    switch (e) {
    case Error::none: return "no error";
    case Error::too_small: return "file too small for an ELF header";
    case Error::bad_magic: return "bad magic (not ELF)";
    case Error::not_64_bit: return "not a 64-bit ELF";
    case Error::not_little_endian: return "not little endian";
    case Error::bad_version: return "unsupported ELF version";
    case Error::not_x86_64: return "not an x86-64 binary";
    case Error::bad_type: return "not an executable (ET_EXEC or ET_DYN)";
    case Error::bad_header_size: return "bad ELF or program header size";
    case Error::program_headers_out_of_bounds: return "program headers outside the file";
    case Error::too_many_segments: return "too many loadable segments";
    case Error::segment_out_of_file: return "segment data outside the file";
    case Error::file_size_exceeds_memory_size: return "segment file size exceeds memory size";
    case Error::bad_alignment: return "bad segment alignment";
    case Error::segment_overlap: return "segments share a page";
    case Error::segment_in_kernel_half: return "segment above the user address limit";
    case Error::segment_at_null: return "segment below the lowest user address";
    case Error::writable_and_executable: return "segment is both writable and executable";
    case Error::entry_outside_executable_segment: return "entry point not in an executable segment";
    case Error::no_loadable_segment: return "no loadable segment";
    case Error::address_overflow: return "segment address range overflows";
    }
    return "unknown error";
}

Error parse(const void* file, size_t size, Image& image, const Limits& limits, size_t* index) {
    const auto* bytes = static_cast<const uint8_t*>(file);
    if (index != nullptr) *index = no_index;

    if (size < header_size) return Error::too_small;
    if (bytes[0] != 0x7f || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F')
        return Error::bad_magic;
    if (bytes[ei_class] != elfclass64) return Error::not_64_bit;
    if (bytes[ei_data] != elfdata2lsb) return Error::not_little_endian;
    if (bytes[ei_version] != ev_current || read32(bytes + e_version) != ev_current)
        return Error::bad_version;
    if (read16(bytes + e_machine) != em_x86_64) return Error::not_x86_64;
    const uint16_t type = read16(bytes + e_type);
    if (type != et_exec && type != et_dyn) return Error::bad_type;
    if (read16(bytes + e_ehsize) < header_size ||
        read16(bytes + e_phentsize) != program_header_size)
        return Error::bad_header_size;

    // phnum * 56 cannot overflow (phnum is 16 bits); phoff is compared before
    // it is subtracted so the check itself cannot wrap. PN_XNUM (0xffff, real
    // count in section header 0) is not supported: such a file would need
    // more than 16 loadable segments anyway.
    const uint64_t phoff = read64(bytes + e_phoff);
    const size_t phnum = read16(bytes + e_phnum);
    if (phoff > size || phnum * program_header_size > size - phoff)
        return Error::program_headers_out_of_bounds;

    // Built locally so `image` is untouched unless everything checks out.
    Image out{};
    out.entry = read64(bytes + e_entry);
    out.position_independent = type == et_dyn;
    size_t header_of[max_segments];  // program header index of each segment, for errors

    for (size_t i = 0; i < phnum; ++i) {
        const uint8_t* ph = bytes + phoff + i * program_header_size;
        if (read32(ph + p_type) != pt_load) continue;

        const uint32_t flags = read32(ph + p_flags);
        Segment s{};
        s.vaddr = read64(ph + p_vaddr);
        s.memory_size = read64(ph + p_memsz);
        s.file_offset = read64(ph + p_offset);
        s.file_size = read64(ph + p_filesz);
        s.read = (flags & pf_r) != 0;
        s.write = (flags & pf_w) != 0;
        s.execute = (flags & pf_x) != 0;

        // With no file bytes the offset is never read (linkers may leave a
        // bss-only segment's offset at the end of the file), so skip it then.
        if (s.file_size != 0 &&
            (s.file_offset > size || s.file_size > size - s.file_offset))
            return fail(Error::segment_out_of_file, index, i);
        if (s.file_size > s.memory_size)
            return fail(Error::file_size_exceeds_memory_size, index, i);
        // Maps nothing, so nothing else about it matters.
        if (s.memory_size == 0) continue;

        const Error e = check_segment(s, read64(ph + p_align), limits);
        if (e != Error::none) return fail(e, index, i);
        if (out.segment_count == max_segments) return fail(Error::too_many_segments, index, i);

        // Insertion sort by vaddr: at most 16 entries, and stable, so equal
        // addresses keep file order.
        size_t at = out.segment_count++;
        for (; at > 0 && out.segments[at - 1].vaddr > s.vaddr; --at) {
            out.segments[at] = out.segments[at - 1];
            header_of[at] = header_of[at - 1];
        }
        out.segments[at] = s;
        header_of[at] = i;
    }

    // Sorted by start, so any overlap shows up between neighbours. Sharing a
    // page would force one set of permissions on both; report the segment
    // that comes later in the file.
    for (size_t k = 1; k < out.segment_count; ++k) {
        if (pages_of(out.segments[k - 1]).end > pages_of(out.segments[k]).start) {
            const size_t later = header_of[k - 1] > header_of[k] ? header_of[k - 1] : header_of[k];
            return fail(Error::segment_overlap, index, later);
        }
    }

    if (out.segment_count == 0) return Error::no_loadable_segment;

    bool entry_ok = false;
    for (size_t k = 0; k < out.segment_count; ++k) {
        const Segment& s = out.segments[k];
        if (s.execute && out.entry >= s.vaddr && out.entry - s.vaddr < s.memory_size) entry_ok = true;
    }
    if (!entry_ok) return Error::entry_outside_executable_segment;

    image = out;
    return Error::none;
}

}  // namespace elf
