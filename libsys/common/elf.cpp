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
constexpr uint32_t pt_load = 1, pt_dynamic = 2, pt_interp = 3;
constexpr uint32_t pf_x = 1, pf_w = 2, pf_r = 4;

// Dynamic section tags (System V gABI; DT_RELR from the 2022 gABI update).
constexpr uint64_t dt_null = 0, dt_needed = 1, dt_pltrelsz = 2, dt_rela = 7, dt_relasz = 8, dt_relaent = 9,
                   dt_rel = 17, dt_relsz = 18, dt_jmprel = 23, dt_relrsz = 35, dt_relr = 36, dt_relrent = 37;
constexpr size_t dynamic_entry_size = 16, rela_size = 24, relr_size = 8;
constexpr uint32_t r_x86_64_none = 0, r_x86_64_relative = 8;

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
// `s` is as loaded; `linked_vaddr` is its address in the file.
Error check_segment(const Segment& s, uint64_t linked_vaddr, uint64_t align, const Limits& limits) {
    // The end is rounded up to a page, so it must stay a page short of 2^64.
    if (s.memory_size > max_u64 - s.vaddr || s.vaddr + s.memory_size > max_u64 - page_mask)
        return Error::address_overflow;
    // A loader that maps file pages directly needs offset and address to be
    // congruent modulo the alignment; 0 and 1 mean "no constraint".
    if (align > 1) {
        if ((align & (align - 1)) != 0) return Error::bad_alignment;
        if (((linked_vaddr - s.file_offset) & (align - 1)) != 0) return Error::bad_alignment;
    }
    // Judged on whole pages, because whole pages are what gets mapped.
    const PageRange pages = pages_of(s);
    if (pages.start < limits.lowest_address) return Error::segment_at_null;
    if (pages.end > limits.user_limit) return Error::segment_in_kernel_half;
    if (s.write && s.execute) return Error::writable_and_executable;
    return Error::none;
}

// The segment whose memory holds the 8 bytes at link-time address `linked`.
const Segment* segment_holding(const Image& image, uint64_t linked) {
    for (size_t k = 0; k < image.segment_count; ++k) {
        const Segment& s = image.segments[k];
        const uint64_t start = s.vaddr - image.load_bias;
        if (linked >= start && s.memory_size >= 8 && linked - start <= s.memory_size - 8) return &s;
    }
    return nullptr;
}

// The file offset of [linked, linked + length), which must lie within one
// segment's file bytes.
bool file_offset_of(const Image& image, uint64_t linked, uint64_t length, uint64_t& offset) {
    for (size_t k = 0; k < image.segment_count; ++k) {
        const Segment& s = image.segments[k];
        const uint64_t start = s.vaddr - image.load_bias;
        if (linked >= start && linked - start <= s.file_size && length <= s.file_size - (linked - start)) {
            offset = s.file_offset + (linked - start);
            return true;
        }
    }
    return false;
}

// The 8 bytes at link-time address `linked` of segment s as the file gives
// them (zeros past its file bytes): a DT_RELR relocation's addend.
uint64_t linked_word(const uint8_t* bytes, const Image& image, const Segment& s, uint64_t linked) {
    const uint64_t at = linked - (s.vaddr - image.load_bias);
    uint64_t value = 0;
    for (uint64_t k = 0; k < 8; ++k)
        if (at + k < s.file_size) value |= static_cast<uint64_t>(bytes[s.file_offset + at + k]) << (8 * k);
    return value;
}

// Goes through every relocation of the image's (bounds-checked) tables:
// visit(link-time address, value as loaded) for each. Returns the first
// problem, or Error::none.
template <typename Visit>
Error walk_relocations(const uint8_t* bytes, const Image& image, Visit&& visit) {
    const Relocations& r = image.relocations;
    for (uint64_t i = 0; i < r.rela_count; ++i) {
        const uint8_t* entry = bytes + r.rela_offset + i * rela_size;
        const uint64_t offset = read64(entry), info = read64(entry + 8), addend = read64(entry + 16);
        const uint32_t type = static_cast<uint32_t>(info);
        if (type == r_x86_64_none) continue;
        // Anything else names a symbol or needs code run (IRELATIVE): the
        // work of a dynamic linker.
        if (type != r_x86_64_relative || (info >> 32) != 0) return Error::needs_symbol_relocations;
        if (segment_holding(image, offset) == nullptr) return Error::relocation_outside_image;
        visit(offset, image.load_bias + addend);
    }
    // DT_RELR: an even word is an address to relocate, and the next 8 bytes
    // are where an odd word (a bitmap) starts: bit i (1..63) set means the
    // word at where + (i - 1) * 8; where then moves on by 63 words.
    uint64_t where = 0;
    bool have_where = false;
    for (uint64_t i = 0; i < r.relr_count; ++i) {
        const uint64_t word = read64(bytes + r.relr_offset + i * relr_size);
        if ((word & 1) == 0) {
            const Segment* s = segment_holding(image, word);
            if (s == nullptr) return Error::relocation_outside_image;
            visit(word, image.load_bias + linked_word(bytes, image, *s, word));
            where = word + 8;  // cannot wrap: the word lies inside a segment
            have_where = true;
            continue;
        }
        if (!have_where) return Error::bad_dynamic_section;  // a bitmap before any address
        if (where > max_u64 - 63 * 8) return Error::relocation_outside_image;
        for (uint64_t bit = 1; bit < 64; ++bit) {
            if (((word >> bit) & 1) == 0) continue;
            const uint64_t target = where + (bit - 1) * 8;
            const Segment* s = segment_holding(image, target);
            if (s == nullptr) return Error::relocation_outside_image;
            visit(target, image.load_bias + linked_word(bytes, image, *s, target));
        }
        where += 63 * 8;
    }
    return Error::none;
}

// Reads the PT_DYNAMIC header's table (from the file) into out.relocations,
// refusing what needs a dynamic linker, and validates every relocation.
Error read_dynamic(const uint8_t* bytes, size_t size, const uint8_t* ph, Image& out) {
    const uint64_t offset = read64(ph + p_offset), length = read64(ph + p_filesz);
    if (offset > size || length > size - offset) return Error::bad_dynamic_section;
    uint64_t rela = 0, relasz = 0, relaent = rela_size, relr = 0, relrsz = 0, relrent = relr_size;
    bool have_rela = false, have_relr = false, needed = false, other_relocations = false, terminated = false;
    for (uint64_t at = 0; at + dynamic_entry_size <= length; at += dynamic_entry_size) {
        const uint64_t tag = read64(bytes + offset + at), value = read64(bytes + offset + at + 8);
        if (tag == dt_null) {
            terminated = true;
            break;
        }
        switch (tag) {
        case dt_needed: needed = true; break;
        case dt_rela: rela = value, have_rela = true; break;
        case dt_relasz: relasz = value; break;
        case dt_relaent: relaent = value; break;
        case dt_relr: relr = value, have_relr = true; break;
        case dt_relrsz: relrsz = value; break;
        case dt_relrent: relrent = value; break;
        case dt_rel:
        case dt_jmprel: break;  // judged by their sizes
        case dt_relsz:
        case dt_pltrelsz: other_relocations |= value != 0; break;
        default: break;         // symbol tables, hashes, flags, DT_DEBUG: not ours to use
        }
    }
    if (!terminated) return Error::bad_dynamic_section;
    if (needed) return Error::needs_shared_libraries;
    // x86-64 uses RELA only; DT_REL or PLT (JUMP_SLOT, IRELATIVE) relocations
    // need symbols or code run by a dynamic linker.
    if (other_relocations) return Error::needs_symbol_relocations;
    if (relasz != 0) {
        if (!have_rela || relaent != rela_size || relasz % rela_size != 0 ||
            !file_offset_of(out, rela, relasz, out.relocations.rela_offset))
            return Error::bad_dynamic_section;
        out.relocations.rela_count = relasz / rela_size;
    }
    if (relrsz != 0) {
        if (!have_relr || relrent != relr_size || relrsz % relr_size != 0 ||
            !file_offset_of(out, relr, relrsz, out.relocations.relr_offset))
            return Error::bad_dynamic_section;
        out.relocations.relr_count = relrsz / relr_size;
    }
    return walk_relocations(bytes, out, [](uint64_t, uint64_t) {});
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
    case Error::needs_interpreter: return "needs a dynamic linker (PT_INTERP)";
    case Error::needs_shared_libraries: return "needs a dynamic linker (DT_NEEDED shared libraries)";
    case Error::needs_symbol_relocations: return "needs a dynamic linker (relocations other than R_X86_64_RELATIVE)";
    case Error::bad_dynamic_section: return "malformed dynamic section or relocation table";
    case Error::relocation_outside_image: return "relocation outside the loadable segments";
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
    // more than max_segments loadable segments anyway.
    const uint64_t phoff = read64(bytes + e_phoff);
    const size_t phnum = read16(bytes + e_phnum);
    if (phoff > size || phnum * program_header_size > size - phoff)
        return Error::program_headers_out_of_bounds;

    // A program with an interpreter is dynamically linked, whatever else
    // is right or wrong with it: say so first.
    for (size_t i = 0; i < phnum; ++i)
        if (read32(bytes + phoff + i * program_header_size + p_type) == pt_interp)
            return fail(Error::needs_interpreter, index, i);

    // Built locally so `image` is untouched unless everything checks out.
    Image out{};
    out.position_independent = type == et_dyn;
    out.load_bias = out.position_independent ? limits.position_independent_base : 0;
    out.entry = read64(bytes + e_entry) + out.load_bias;
    const bool entry_wrapped = out.entry < out.load_bias;  // then it lies in no segment
    size_t header_of[max_segments];  // program header index of each segment, for errors
    size_t dynamic_header = no_index;

    for (size_t i = 0; i < phnum; ++i) {
        const uint8_t* ph = bytes + phoff + i * program_header_size;
        const uint32_t kind = read32(ph + p_type);
        if (kind == pt_dynamic) {
            if (dynamic_header != no_index) return fail(Error::bad_dynamic_section, index, i);
            dynamic_header = i;
        }
        if (kind != pt_load) continue;

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

        const uint64_t linked = s.vaddr;
        if (s.vaddr > max_u64 - out.load_bias) return fail(Error::address_overflow, index, i);
        s.vaddr += out.load_bias;
        const Error e = check_segment(s, linked, read64(ph + p_align), limits);
        if (e != Error::none) return fail(e, index, i);
        if (out.segment_count == max_segments) return fail(Error::too_many_segments, index, i);

        // Insertion sort by vaddr: at most max_segments entries, and stable,
        // so equal addresses keep file order.
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
    if (entry_wrapped) return Error::entry_outside_executable_segment;
    for (size_t k = 0; k < out.segment_count; ++k) {
        const Segment& s = out.segments[k];
        if (s.execute && out.entry >= s.vaddr && out.entry - s.vaddr < s.memory_size) entry_ok = true;
    }
    if (!entry_ok) return Error::entry_outside_executable_segment;

    if (dynamic_header != no_index) {
        const Error e = read_dynamic(bytes, size, bytes + phoff + dynamic_header * program_header_size, out);
        if (e != Error::none) return fail(e, index, dynamic_header);
    }

    image = out;
    return Error::none;
}

void relocate_page(const void* file, const Image& image, uint64_t page_address, uint8_t* bytes) {
    if (!image.needs_relocation()) return;
    walk_relocations(static_cast<const uint8_t*>(file), image, [&](uint64_t linked, uint64_t value) {
        const uint64_t at = linked + image.load_bias;
        for (uint64_t k = 0; k < 8; ++k)
            if (at + k >= page_address && at + k - page_address < page_size)
                bytes[at + k - page_address] = static_cast<uint8_t>(value >> (8 * k));
    });
}

}  // namespace elf
