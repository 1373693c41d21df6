#include "common/elf.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

// Lets failed expectations print "segment overlap" rather than a raw byte.
namespace elf {
void PrintTo(Error e, std::ostream* os) { *os << describe(e) << " (" << static_cast<int>(e) << ")"; }
}  // namespace elf

namespace {

using elf::Error;
using Bytes = std::vector<uint8_t>;

constexpr uint32_t PT_LOAD = 1, PT_NOTE = 4, PT_GNU_STACK = 0x6474e551;
constexpr uint32_t PF_X = 1, PF_W = 2, PF_R = 4;
constexpr uint16_t ET_REL = 1, ET_EXEC = 2, ET_DYN = 3, ET_CORE = 4;
constexpr uint64_t kTop = ~uint64_t{0};

struct Phdr {
    uint32_t type = PT_LOAD;
    uint32_t flags = PF_R;
    uint64_t offset = 0;
    uint64_t vaddr = 0;
    uint64_t filesz = 0;
    uint64_t memsz = 0;
    uint64_t align = 0x1000;
};

// Writes ELF64 files field by field, independently of the parser, so each test
// can break exactly one thing. Defaults describe a small valid executable:
// text (R X) at 0x400100 and data+bss (R W) at 0x401200, whose file bytes end
// exactly at the end of the file (so any truncation cuts into a segment).
struct ElfBuilder {
    uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};
    uint8_t elf_class = 2, data = 1, ident_version = 1;
    uint16_t type = ET_EXEC, machine = 62;
    uint32_t version = 1;
    uint64_t entry = 0x400100;
    uint64_t phoff = 64;
    uint16_t ehsize = 64, phentsize = 56;
    int phnum = -1;  // -1: phdrs.size()
    size_t file_size = 0x220;
    std::vector<Phdr> phdrs = {
        {PT_LOAD, PF_R | PF_X, 0x100, 0x400100, 0x40, 0x40, 0x1000},
        {PT_LOAD, PF_R | PF_W, 0x200, 0x401200, 0x20, 0x1000, 0x1000},
        {PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16},
    };

    Bytes build() const {
        const size_t table_end = phdrs.empty() ? 0 : phoff + phdrs.size() * 56;
        Bytes b(std::max(file_size, std::max<size_t>(64, table_end)));
        // Recognisable payload, so that nothing depends on zeroes.
        for (size_t i = 64; i < b.size(); ++i) b[i] = static_cast<uint8_t>(i * 7 + 3);
        std::memset(b.data(), 0, 64);
        std::memcpy(b.data(), magic, 4);
        b[4] = elf_class;
        b[5] = data;
        b[6] = ident_version;
        put(b, 16, type, 2);
        put(b, 18, machine, 2);
        put(b, 20, version, 4);
        put(b, 24, entry, 8);
        put(b, 32, phoff, 8);
        put(b, 52, ehsize, 2);
        put(b, 54, phentsize, 2);
        put(b, 56, phnum < 0 ? phdrs.size() : static_cast<size_t>(phnum), 2);
        for (size_t i = 0; i < phdrs.size(); ++i) {
            const Phdr& p = phdrs[i];
            const size_t at = phoff + i * 56;
            put(b, at + 0, p.type, 4);
            put(b, at + 4, p.flags, 4);
            put(b, at + 8, p.offset, 8);
            put(b, at + 16, p.vaddr, 8);
            put(b, at + 24, p.vaddr, 8);  // p_paddr
            put(b, at + 32, p.filesz, 8);
            put(b, at + 40, p.memsz, 8);
            put(b, at + 48, p.align, 8);
        }
        return b;
    }

    static void put(Bytes& b, size_t at, uint64_t value, size_t n) {
        for (size_t i = 0; i < n; ++i) b.at(at + i) = static_cast<uint8_t>(value >> (8 * i));
    }
};

// Parses a copy in an allocation of exactly the file's size, so that an
// over-read is caught by AddressSanitizer rather than landing in slack.
Error parse(const Bytes& file, elf::Image& image, const elf::Limits& limits = {},
            size_t* index = nullptr) {
    std::unique_ptr<uint8_t[]> copy(new uint8_t[file.size()]);
    if (!file.empty()) std::memcpy(copy.get(), file.data(), file.size());
    return elf::parse(copy.get(), file.size(), image, limits, index);
}

Error parse(const ElfBuilder& b, size_t* index = nullptr, const elf::Limits& limits = {}) {
    elf::Image image{};
    return parse(b.build(), image, limits, index);
}

// ---- acceptance -----------------------------------------------------------

TEST(Elf, AcceptsExecutable) {
    elf::Image image{};
    size_t index = 7;
    ASSERT_EQ(parse(ElfBuilder{}.build(), image, {}, &index), Error::none);
    EXPECT_EQ(index, elf::no_index);
    EXPECT_EQ(image.entry, 0x400100u);
    EXPECT_FALSE(image.position_independent);
    ASSERT_EQ(image.segment_count, 2u);

    const elf::Segment& text = image.segments[0];
    EXPECT_EQ(text.vaddr, 0x400100u);
    EXPECT_EQ(text.memory_size, 0x40u);
    EXPECT_EQ(text.file_offset, 0x100u);
    EXPECT_EQ(text.file_size, 0x40u);
    EXPECT_TRUE(text.read);
    EXPECT_FALSE(text.write);
    EXPECT_TRUE(text.execute);

    const elf::Segment& data = image.segments[1];
    EXPECT_EQ(data.vaddr, 0x401200u);
    EXPECT_EQ(data.memory_size, 0x1000u);
    EXPECT_EQ(data.file_offset, 0x200u);
    EXPECT_EQ(data.file_size, 0x20u);
    EXPECT_TRUE(data.read);
    EXPECT_TRUE(data.write);
    EXPECT_FALSE(data.execute);
}

TEST(Elf, AcceptsSharedObjectTypeAsPositionIndependent) {
    ElfBuilder b;
    b.type = ET_DYN;
    elf::Image image{};
    ASSERT_EQ(parse(b.build(), image), Error::none);
    EXPECT_TRUE(image.position_independent);
    EXPECT_EQ(image.segment_count, 2u);
}

// ET_DYN addresses are checked as linked: a PIE linked at 0 needs the caller
// to allow page 0 (and to relocate it before mapping).
TEST(Elf, PositionIndependentAtZeroNeedsPermissiveLimits) {
    ElfBuilder b;
    b.type = ET_DYN;
    b.phdrs[0].vaddr = 0x100;
    b.phdrs[1].vaddr = 0x1200;
    b.entry = 0x100;
    size_t index = 0;
    EXPECT_EQ(parse(b, &index), Error::segment_at_null);
    EXPECT_EQ(index, 0u);
    elf::Limits limits;
    limits.lowest_address = 0;
    EXPECT_EQ(parse(b, nullptr, limits), Error::none);
}

TEST(Elf, ParsesAtAnyAlignment) {
    const Bytes file = ElfBuilder{}.build();
    std::vector<uint8_t> buffer(file.size() + 8);
    for (size_t shift = 0; shift < 8; ++shift) {
        std::memcpy(buffer.data() + shift, file.data(), file.size());
        elf::Image image{};
        EXPECT_EQ(elf::parse(buffer.data() + shift, file.size(), image), Error::none) << shift;
    }
}

TEST(Elf, MapsPermissionFlags) {
    struct Case {
        uint32_t flags;
        bool r, w, x;
    } cases[] = {
        {0, false, false, false},        {PF_R, true, false, false},
        {PF_W, false, true, false},      {PF_R | PF_W, true, true, false},
        {PF_X, false, false, true},      {PF_R | PF_X, true, false, true},
        {PF_R | 0xf0000000, true, false, false},  // processor-specific bits ignored
    };
    for (const Case& c : cases) {
        ElfBuilder b;
        b.phdrs[1].flags = c.flags;
        elf::Image image{};
        ASSERT_EQ(parse(b.build(), image), Error::none) << c.flags;
        EXPECT_EQ(image.segments[1].read, c.r) << c.flags;
        EXPECT_EQ(image.segments[1].write, c.w) << c.flags;
        EXPECT_EQ(image.segments[1].execute, c.x) << c.flags;
    }
}

TEST(Elf, SortsSegmentsByAddress) {
    ElfBuilder b;
    b.file_size = 0x400;
    b.phdrs = {
        {PT_LOAD, PF_R, 0x300, 0x405300, 0x10, 0x10, 0x1000},
        {PT_NOTE, PF_R, 0x100, 0, 0x10, 0x10, 4},
        {PT_LOAD, PF_R | PF_X, 0x100, 0x400100, 0x40, 0x40, 0x1000},
        {PT_LOAD, PF_R | PF_W, 0x200, 0x403200, 0x20, 0x20, 0x1000},
    };
    elf::Image image{};
    ASSERT_EQ(parse(b.build(), image), Error::none);
    ASSERT_EQ(image.segment_count, 3u);
    EXPECT_EQ(image.segments[0].vaddr, 0x400100u);
    EXPECT_EQ(image.segments[1].vaddr, 0x403200u);
    EXPECT_EQ(image.segments[2].vaddr, 0x405300u);
    EXPECT_TRUE(image.segments[0].execute);
    EXPECT_TRUE(image.segments[1].write);
}

TEST(Elf, SegmentsMayTouchAtAPageBoundary) {
    ElfBuilder b;
    b.phdrs[0] = {PT_LOAD, PF_R | PF_X, 0x100, 0x400100, 0x40, 0xf00, 0x1000};  // ends at 0x401000
    b.phdrs[1].vaddr = 0x401200;  // starts in the next page
    EXPECT_EQ(parse(b), Error::none);
}

TEST(Elf, IgnoresOtherProgramHeaderTypes) {
    ElfBuilder b;
    // Nonsense in non-PT_LOAD headers must not matter.
    b.phdrs.push_back({PT_NOTE, PF_W | PF_X, kTop, 0, kTop, 0, 3});
    b.phdrs.push_back({7 /* PT_TLS */, PF_R, 0x200, 0xffff800000000000, 0x20, 0x40, 8});
    elf::Image image{};
    ASSERT_EQ(parse(b.build(), image), Error::none);
    EXPECT_EQ(image.segment_count, 2u);
}

TEST(Elf, SkipsEmptyLoadSegments) {
    ElfBuilder b;
    // memsz 0 maps nothing: its address and flags are irrelevant.
    b.phdrs.push_back({PT_LOAD, PF_W | PF_X, 0, 0, 0, 0, 0});
    elf::Image image{};
    ASSERT_EQ(parse(b.build(), image), Error::none);
    EXPECT_EQ(image.segment_count, 2u);
}

TEST(Elf, BssOnlySegmentMayHaveOffsetPastTheFile) {
    ElfBuilder b;
    b.phdrs.push_back({PT_LOAD, PF_R | PF_W, 0x10300, 0x410300, 0, 0x1000, 0x1000});
    EXPECT_EQ(parse(b), Error::none);
}

TEST(Elf, EntryAtLastByteOfTextIsAccepted) {
    ElfBuilder b;
    b.entry = 0x400100 + 0x3f;
    EXPECT_EQ(parse(b), Error::none);
}

TEST(Elf, AlignmentZeroOrOneMeansUnconstrained) {
    for (uint64_t align : {0u, 1u}) {
        ElfBuilder b;
        b.phdrs[1].offset = 0x1f3;  // not congruent with 0x401200 modulo anything > 1
        b.phdrs[1].align = align;
        EXPECT_EQ(parse(b), Error::none) << align;
    }
}

TEST(Elf, AcceptsExactlyMaxSegments) {
    ElfBuilder b;
    b.phdrs.clear();
    b.file_size = 0x100 + elf::max_segments * 0x10;
    for (size_t i = 0; i < elf::max_segments; ++i) {
        b.phdrs.push_back({PT_LOAD, i == 0 ? PF_R | PF_X : PF_R, 0x100 + i * 0x10, 0x400100 + i * 0x1000 + i * 0x10,
                           0x10, 0x10, 0x1000});
    }
    // One more, empty, does not count.
    b.phdrs.push_back({PT_LOAD, PF_R, 0, 0x500000, 0, 0, 0x1000});
    elf::Image image{};
    ASSERT_EQ(parse(b.build(), image), Error::none);
    EXPECT_EQ(image.segment_count, elf::max_segments);
}

// ---- refusals, one per Error ------------------------------------------------

TEST(ElfRefuses, TooSmall) {
    const Bytes file = ElfBuilder{}.build();
    for (size_t n : {0, 1, 4, 16, 52, 63}) {
        elf::Image image{};
        EXPECT_EQ(parse(Bytes(file.begin(), file.begin() + n), image), Error::too_small) << n;
    }
}

TEST(ElfRefuses, BadMagic) {
    for (size_t i = 0; i < 4; ++i) {
        ElfBuilder b;
        b.magic[i] ^= 0x20;
        EXPECT_EQ(parse(b), Error::bad_magic) << i;
    }
}

TEST(ElfRefuses, WrongClass) {
    for (uint8_t c : {0, 1, 3}) {
        ElfBuilder b;
        b.elf_class = c;
        EXPECT_EQ(parse(b), Error::not_64_bit) << int(c);
    }
}

TEST(ElfRefuses, BigEndian) {
    for (uint8_t d : {0, 2}) {
        ElfBuilder b;
        b.data = d;
        EXPECT_EQ(parse(b), Error::not_little_endian) << int(d);
    }
}

TEST(ElfRefuses, BadVersion) {
    ElfBuilder ident;
    ident.ident_version = 0;
    EXPECT_EQ(parse(ident), Error::bad_version);
    for (uint32_t v : {0u, 2u, 0x01000000u}) {
        ElfBuilder b;
        b.version = v;
        EXPECT_EQ(parse(b), Error::bad_version) << v;
    }
}

TEST(ElfRefuses, WrongMachine) {
    for (uint16_t m : {0, 3 /* i386 */, 40 /* ARM */, 183 /* AArch64 */, 0x3e00}) {
        ElfBuilder b;
        b.machine = m;
        EXPECT_EQ(parse(b), Error::not_x86_64) << m;
    }
}

TEST(ElfRefuses, BadType) {
    for (int t : {0, int{ET_REL}, int{ET_CORE}, 0xfe00}) {
        ElfBuilder b;
        b.type = static_cast<uint16_t>(t);
        EXPECT_EQ(parse(b), Error::bad_type) << t;
    }
}

TEST(ElfRefuses, BadHeaderSize) {
    ElfBuilder small;
    small.ehsize = 52;  // the ELF32 header size
    EXPECT_EQ(parse(small), Error::bad_header_size);
    for (uint16_t size : {0, 32, 55, 57, 64}) {
        ElfBuilder b;
        b.phentsize = size;
        EXPECT_EQ(parse(b), Error::bad_header_size) << size;
    }
}

TEST(ElfRefuses, ProgramHeadersOutOfBounds) {
    const size_t file_size = ElfBuilder{}.build().size();
    // Table one byte past the end.
    ElfBuilder tail;
    tail.phoff = file_size - 3 * 56 + 1;
    tail.phdrs.clear();
    tail.phnum = 3;
    EXPECT_EQ(parse(tail), Error::program_headers_out_of_bounds);
    // phoff past the end, and phoff so large that phoff + table wraps.
    for (uint64_t phoff : {uint64_t{file_size + 1}, kTop - 55, kTop}) {
        ElfBuilder b;
        b.phdrs.clear();
        b.phoff = phoff;
        b.phnum = 2;
        EXPECT_EQ(parse(b), Error::program_headers_out_of_bounds) << phoff;
    }
    // Count claims more headers than the file holds.
    ElfBuilder many;
    many.phnum = 0xffff;
    EXPECT_EQ(parse(many), Error::program_headers_out_of_bounds);
}

TEST(ElfRefuses, TooManySegments) {
    ElfBuilder b;
    b.phdrs.clear();
    b.file_size = 0x100 + (elf::max_segments + 1) * 0x10;
    b.phdrs.push_back({PT_NOTE, PF_R, 0, 0, 0, 0, 4});
    for (size_t i = 0; i <= elf::max_segments; ++i) {
        b.phdrs.push_back({PT_LOAD, i == 0 ? PF_R | PF_X : PF_R, 0x100 + i * 0x10, 0x400100 + i * 0x1000 + i * 0x10,
                           0x10, 0x10, 0x1000});
    }
    size_t index = 0;
    EXPECT_EQ(parse(b, &index), Error::too_many_segments);
    EXPECT_EQ(index, elf::max_segments + 1);  // the 17th PT_LOAD, after the PT_NOTE
}

TEST(ElfRefuses, SegmentOutOfFile) {
    const uint64_t size = ElfBuilder{}.build().size();
    struct Case {
        uint64_t offset, filesz;
    } cases[] = {
        {0x200, 0x21},                   // one byte past the end
        {size, 1},                       // starts at the end
        {size + 0x1000, 0x10},           // starts past the end
        {kTop - 0xf, 0x20},              // offset + filesz wraps to a small number
        {0x10, kTop},                    // enormous size
    };
    for (const Case& c : cases) {
        ElfBuilder b;
        b.phdrs[1].offset = c.offset;
        b.phdrs[1].filesz = c.filesz;
        b.phdrs[1].memsz = kTop;
        b.phdrs[1].align = 0;
        size_t index = 0;
        EXPECT_EQ(parse(b, &index), Error::segment_out_of_file) << c.offset << "+" << c.filesz;
        EXPECT_EQ(index, 1u);
    }
}

TEST(ElfRefuses, FileSizeExceedsMemorySize) {
    ElfBuilder b;
    b.phdrs[0].memsz = 0x3f;
    size_t index = 9;
    EXPECT_EQ(parse(b, &index), Error::file_size_exceeds_memory_size);
    EXPECT_EQ(index, 0u);
    // A memsz 0 segment is skipped only if it also has no file bytes.
    ElfBuilder empty;
    empty.phdrs.push_back({PT_LOAD, PF_R, 0x100, 0x500000, 0x10, 0, 0x1000});
    EXPECT_EQ(parse(empty), Error::file_size_exceeds_memory_size);
}

TEST(ElfRefuses, MisalignedOffsetVersusAddress) {
    ElfBuilder b;
    b.phdrs[1].offset = 0x210;  // 0x401200 % 0x1000 != 0x210 % 0x1000
    b.phdrs[1].filesz = 0x10;
    size_t index = 0;
    EXPECT_EQ(parse(b, &index), Error::bad_alignment);
    EXPECT_EQ(index, 1u);
}

TEST(ElfRefuses, AlignmentNotPowerOfTwo) {
    for (uint64_t align : {3u, 0x1800u, 0xfffu}) {
        ElfBuilder b;
        b.phdrs[0].align = align;
        EXPECT_EQ(parse(b), Error::bad_alignment) << align;
    }
    ElfBuilder top;
    top.phdrs[0].align = kTop;
    EXPECT_EQ(parse(top), Error::bad_alignment);
}

TEST(ElfRefuses, OverlappingSegments) {
    struct Case {
        uint64_t text_memsz, data_vaddr;
    } cases[] = {
        {0x40, 0x400200},    // data inside text's page, after it
        {0x40, 0x400100},    // same address
        {0xf01, 0x401200},   // text ends one byte into data's page
        {0x10000, 0x401200}, // text covers data entirely
    };
    for (const Case& c : cases) {
        ElfBuilder b;
        b.phdrs[0].memsz = c.text_memsz;
        b.phdrs[1].vaddr = c.data_vaddr;
        b.phdrs[1].offset = c.data_vaddr & 0xfff;
        b.file_size = std::max<size_t>(0x220, b.phdrs[1].offset + 0x20);
        size_t index = 0;
        EXPECT_EQ(parse(b, &index), Error::segment_overlap) << c.text_memsz << " " << c.data_vaddr;
        EXPECT_EQ(index, 1u);
    }
    // Also when the overlapping segments are listed out of address order.
    ElfBuilder reversed;
    reversed.phdrs = {reversed.phdrs[1], reversed.phdrs[0]};
    reversed.phdrs[1].memsz = 0x1200;
    size_t index = 0;
    EXPECT_EQ(parse(reversed, &index), Error::segment_overlap);
    EXPECT_EQ(index, 1u);
}

TEST(ElfRefuses, KernelHalfAddresses) {
    const uint64_t limit = elf::Limits{}.user_limit;
    struct Case {
        uint64_t vaddr, memsz;
    } cases[] = {
        {0xffffffff80000000, 0x1000},  // where the kernel lives
        {0xffff800000000000, 0x10},    // bottom of the kernel half
        {0x0000800000000000, 0x10},    // in the non-canonical hole
        {limit, 1},                    // the guard page below the hole
        {limit - 0x1000, 0x1001},      // one byte over
    };
    for (size_t i = 0; i < std::size(cases); ++i) {
        ElfBuilder b;
        b.phdrs[1].vaddr = cases[i].vaddr;
        b.phdrs[1].offset = cases[i].vaddr & 0xfff;
        b.phdrs[1].filesz = 0;
        b.phdrs[1].memsz = cases[i].memsz;
        size_t index = 0;
        EXPECT_EQ(parse(b, &index), Error::segment_in_kernel_half) << std::hex << cases[i].vaddr;
        EXPECT_EQ(index, 1u);
    }
    // A segment ending exactly at the limit is accepted.
    ElfBuilder edge;
    edge.phdrs[1].vaddr = limit - 0x1000;
    edge.phdrs[1].offset = 0;
    edge.phdrs[1].filesz = 0;
    edge.phdrs[1].memsz = 0x1000;
    EXPECT_EQ(parse(edge), Error::none);

    // The limit is the caller's.
    elf::Limits low;
    low.user_limit = 0x401000;
    EXPECT_EQ(parse(ElfBuilder{}, nullptr, low), Error::segment_in_kernel_half);
}

TEST(ElfRefuses, NullPage) {
    for (uint64_t vaddr : {0x0u, 0x10u, 0xfffu}) {
        ElfBuilder b;
        b.phdrs[1].vaddr = vaddr;
        b.phdrs[1].offset = vaddr;
        b.phdrs[1].filesz = 0;
        b.phdrs[1].memsz = 0x2000;
        size_t index = 0;
        EXPECT_EQ(parse(b, &index), Error::segment_at_null) << vaddr;
        EXPECT_EQ(index, 1u);
    }
    ElfBuilder first_page;
    first_page.phdrs[1].vaddr = 0x1200;
    EXPECT_EQ(parse(first_page), Error::none);
}

TEST(ElfRefuses, WritableAndExecutable) {
    ElfBuilder b;
    b.phdrs[0].flags = PF_R | PF_W | PF_X;
    size_t index = 0;
    EXPECT_EQ(parse(b, &index), Error::writable_and_executable);
    EXPECT_EQ(index, 0u);
    ElfBuilder wx;
    wx.phdrs[1].flags = PF_W | PF_X;
    EXPECT_EQ(parse(wx), Error::writable_and_executable);
}

TEST(ElfRefuses, EntryOutsideText) {
    for (uint64_t entry : {0x0u, 0x4000ffu, 0x400140u, 0x400fffu, 0x500000u}) {
        ElfBuilder b;
        b.entry = entry;
        size_t index = 0;
        EXPECT_EQ(parse(b, &index), Error::entry_outside_executable_segment) << std::hex << entry;
        EXPECT_EQ(index, elf::no_index);
    }
    ElfBuilder top;
    top.entry = kTop;
    EXPECT_EQ(parse(top), Error::entry_outside_executable_segment);
}

TEST(ElfRefuses, EntryInNonExecutableSegment) {
    ElfBuilder data;
    data.entry = 0x401200;  // inside R W data
    EXPECT_EQ(parse(data), Error::entry_outside_executable_segment);
    ElfBuilder bss;
    bss.entry = 0x401ff0;  // inside data's bss part
    EXPECT_EQ(parse(bss), Error::entry_outside_executable_segment);
    ElfBuilder read_only;
    read_only.phdrs[0].flags = PF_R;
    EXPECT_EQ(parse(read_only), Error::entry_outside_executable_segment);
}

TEST(ElfRefuses, NoLoadableSegment) {
    ElfBuilder none;
    none.phdrs.clear();
    EXPECT_EQ(parse(none), Error::no_loadable_segment);

    ElfBuilder others;
    others.phdrs = {{PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16}, {PT_NOTE, PF_R, 0x100, 0x400100, 0x20, 0x20, 4}};
    EXPECT_EQ(parse(others), Error::no_loadable_segment);

    ElfBuilder empty;
    empty.phdrs = {{PT_LOAD, PF_R | PF_X, 0x100, 0x400100, 0, 0, 0x1000}};
    EXPECT_EQ(parse(empty), Error::no_loadable_segment);
}

TEST(ElfRefuses, AddressOverflow) {
    struct Case {
        uint64_t vaddr, memsz;
    } cases[] = {
        {0x401200, kTop},                  // vaddr + memsz wraps
        {0xfffffffffffff000, 0x2000},      // wraps to a low address
        {0xfffffffffffff001, 0xffe},       // ends at 2^64 - 1: rounding up wraps
        {0xfffffffffffff001, 0xfff},       // ends exactly at 2^64
    };
    for (const Case& c : cases) {
        ElfBuilder b;
        b.phdrs[1].vaddr = c.vaddr;
        b.phdrs[1].offset = c.vaddr & 0xfff;
        b.phdrs[1].filesz = 0;
        b.phdrs[1].memsz = c.memsz;
        size_t index = 0;
        EXPECT_EQ(parse(b, &index), Error::address_overflow) << std::hex << c.vaddr << "+" << c.memsz;
        EXPECT_EQ(index, 1u);
    }
    // Even when the caller allows the whole address space.
    elf::Limits everything;
    everything.lowest_address = 0;
    everything.user_limit = kTop;
    ElfBuilder b;
    b.phdrs[1].vaddr = 0xfffffffffffff000;
    b.phdrs[1].offset = 0;
    b.phdrs[1].filesz = 0;
    b.phdrs[1].memsz = 0x1000;
    EXPECT_EQ(parse(b, nullptr, everything), Error::address_overflow);
}

// ---- general properties -----------------------------------------------------

TEST(Elf, LeavesImageUntouchedOnError) {
    ElfBuilder b;
    b.entry = 0x401200;
    elf::Image image;
    std::memset(&image, 0xab, sizeof image);
    ASSERT_NE(parse(b.build(), image), Error::none);
    const uint8_t* raw = reinterpret_cast<const uint8_t*>(&image);
    for (size_t i = 0; i < sizeof image; ++i) ASSERT_EQ(raw[i], 0xab) << i;
}

TEST(Elf, ReportsTheFirstProblemInFileOrder) {
    ElfBuilder b;
    b.phdrs[0].flags = PF_W | PF_X;        // header 0: W+X
    b.phdrs[1].vaddr = 0xffff800000000000;  // header 1: kernel half
    b.phdrs[1].offset = 0;
    b.phdrs[1].filesz = 0;
    size_t index = 0;
    EXPECT_EQ(parse(b, &index), Error::writable_and_executable);
    EXPECT_EQ(index, 0u);
}

TEST(Elf, DescribesEveryError) {
    std::vector<std::string> seen;
    for (int e = 0; e <= static_cast<int>(Error::address_overflow); ++e) {
        const char* text = elf::describe(static_cast<Error>(e));
        ASSERT_NE(text, nullptr);
        EXPECT_STRNE(text, "unknown error") << e;
        EXPECT_GT(std::strlen(text), 3u);
        for (const std::string& other : seen) EXPECT_NE(other, text) << e;
        seen.emplace_back(text);
    }
    EXPECT_STREQ(elf::describe(Error::writable_and_executable), "segment is both writable and executable");
    EXPECT_STREQ(elf::describe(static_cast<Error>(200)), "unknown error");
}

// The last segment's file bytes end at the end of the file, so every strict
// prefix is missing something and must be refused, without reading past it.
TEST(Elf, RefusesEveryTruncation) {
    const Bytes file = ElfBuilder{}.build();
    for (size_t n = 0; n < file.size(); ++n) {
        elf::Image image{};
        size_t index = 0;
        const Error e = parse(Bytes(file.begin(), file.begin() + n), image, {}, &index);
        EXPECT_NE(e, Error::none) << n;
        if (n < 64) EXPECT_EQ(e, Error::too_small) << n;
        else if (n < 64 + 3 * 56) EXPECT_EQ(e, Error::program_headers_out_of_bounds) << n;
        else EXPECT_EQ(e, Error::segment_out_of_file) << n;
    }
}

// Real executables built by the project (comma-separated paths).
TEST(Elf, ParsesProjectSamples) {
    const char* list = std::getenv("ELF_SAMPLES");
    if (list == nullptr || *list == '\0') GTEST_SKIP() << "ELF_SAMPLES not set";
    std::stringstream paths(list);
    std::string path;
    size_t count = 0;
    while (std::getline(paths, path, ',')) {
        if (path.empty()) continue;
        ++count;
        std::ifstream in(path, std::ios::binary);
        ASSERT_TRUE(in) << path;
        const Bytes file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        elf::Image image{};
        size_t index = 0;
        ASSERT_EQ(parse(file, image, {}, &index), Error::none) << path << " header " << index;
        bool entry_in_text = false;
        for (size_t i = 0; i < image.segment_count; ++i) {
            const elf::Segment& s = image.segments[i];
            if (s.execute && image.entry >= s.vaddr && image.entry < s.vaddr + s.memory_size) entry_in_text = true;
        }
        EXPECT_TRUE(entry_in_text) << path;
    }
    EXPECT_GT(count, 0u);
}

}  // namespace
