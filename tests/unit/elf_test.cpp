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

constexpr uint32_t PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_NOTE = 4, PT_GNU_STACK = 0x6474e551;
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

// ET_DYN images are placed at Limits::position_independent_base plus their
// link-time addresses, and the limits apply to where they land.
TEST(Elf, PositionIndependentImageIsPlacedAtTheBase) {
    ElfBuilder b;
    b.type = ET_DYN;
    b.phdrs[0].vaddr = 0x100;
    b.phdrs[1].vaddr = 0x1200;
    b.entry = 0x100;
    elf::Image image{};
    ASSERT_EQ(parse(b.build(), image), Error::none);
    const uint64_t base = elf::Limits{}.position_independent_base;
    EXPECT_EQ(base, 0x0000000800000000u);
    EXPECT_EQ(image.load_bias, base);
    EXPECT_EQ(image.entry, base + 0x100);
    EXPECT_EQ(image.segments[0].vaddr, base + 0x100);
    EXPECT_EQ(image.segments[1].vaddr, base + 0x1200);
    EXPECT_EQ(image.segments[1].file_offset, 0x200u);  // file offsets stay as they are
    EXPECT_FALSE(image.needs_relocation());            // no PT_DYNAMIC: nothing to relocate

    // Another base; with 0 the image stays where it was linked, and page 0
    // is refused as for any program.
    elf::Limits other;
    other.position_independent_base = 0x7000000000;
    ASSERT_EQ(parse(b.build(), image, other), Error::none);
    EXPECT_EQ(image.entry, 0x7000000100u);
    elf::Limits none;
    none.position_independent_base = 0;
    size_t index = 0;
    EXPECT_EQ(parse(b, &index, none), Error::segment_at_null);
    EXPECT_EQ(index, 0u);
    // Limits judge the placed image: too high a base crosses the user limit
    // or wraps.
    elf::Limits high;
    high.position_independent_base = elf::Limits{}.user_limit - 0x1000;
    EXPECT_EQ(parse(b, &index, high), Error::segment_in_kernel_half);
    high.position_independent_base = 0xfffffffffffff000;
    EXPECT_EQ(parse(b, &index, high), Error::address_overflow);
    // An ET_EXEC file ignores the base.
    ElfBuilder exec;
    ASSERT_EQ(parse(exec.build(), image, other), Error::none);
    EXPECT_EQ(image.load_bias, 0u);
    EXPECT_EQ(image.entry, 0x400100u);
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

TEST(Elf, AcceptsAtLeast64Segments) { EXPECT_GE(elf::max_segments, 64u); }

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
    for (int e = 0; e <= static_cast<int>(Error::relocation_outside_image); ++e) {
        const char* text = elf::describe(static_cast<Error>(e));
        ASSERT_NE(text, nullptr);
        EXPECT_STRNE(text, "unknown error") << e;
        EXPECT_GT(std::strlen(text), 3u);
        for (const std::string& other : seen) EXPECT_NE(other, text) << e;
        seen.emplace_back(text);
    }
    EXPECT_STREQ(elf::describe(Error::writable_and_executable), "segment is both writable and executable");
    EXPECT_STREQ(elf::describe(Error::needs_interpreter), "needs a dynamic linker (PT_INTERP)");
    EXPECT_STREQ(elf::describe(Error::needs_shared_libraries), "needs a dynamic linker (DT_NEEDED shared libraries)");
    EXPECT_STREQ(elf::describe(Error::needs_symbol_relocations),
                 "needs a dynamic linker (relocations other than R_X86_64_RELATIVE)");
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

// ---- dynamic sections and relocations --------------------------------------

constexpr uint64_t DT_NULL = 0, DT_NEEDED = 1, DT_PLTRELSZ = 2, DT_RELA = 7, DT_RELASZ = 8, DT_RELAENT = 9,
                   DT_RELSZ = 18, DT_JMPREL = 23, DT_RELRSZ = 35, DT_RELR = 36, DT_RELRENT = 37, DT_FLAGS_1 = 0x6ffffffb;
constexpr uint64_t R_X86_64_64 = 1, R_X86_64_RELATIVE = 8, R_X86_64_IRELATIVE = 37;

struct Rela {
    uint64_t offset, info, addend;
};

// A static PIE as `gcc -static-pie` lays it out, linked at 0: headers and
// text (R X) in page 0, entry 0x100; data (R W) at 0x1000 with 0x200 file
// bytes and bss to 0x3000. The data segment holds the dynamic section at
// 0x1000, the RELA table at 0x1080, the RELR table at 0x1100 and
// recognisable words from 0x1180.
struct PieBuilder {
    std::vector<std::pair<uint64_t, uint64_t>> dynamic;  // without DT_NULL
    std::vector<Rela> rela;
    std::vector<uint64_t> relr;
    bool terminate = true;
    ElfBuilder elf;

    PieBuilder() {
        elf.type = ET_DYN;
        elf.entry = 0x100;
        elf.file_size = 0x1200;
        elf.phdrs = {
            {PT_LOAD, PF_R | PF_X, 0, 0, 0x200, 0x200, 0x1000},
            {PT_LOAD, PF_R | PF_W, 0x1000, 0x1000, 0x200, 0x2000, 0x1000},
            {PT_DYNAMIC, PF_R | PF_W, 0x1000, 0x1000, 0x80, 0x80, 8},
        };
    }
    void with_rela() {
        dynamic.insert(dynamic.end(), {{DT_RELA, 0x1080}, {DT_RELASZ, rela.size() * 24}, {DT_RELAENT, 24}});
    }
    void with_relr() {
        dynamic.insert(dynamic.end(), {{DT_RELR, 0x1100}, {DT_RELRSZ, relr.size() * 8}, {DT_RELRENT, 8}});
    }
    Bytes build() const {
        Bytes b = elf.build();
        size_t at = 0x1000;
        for (auto [tag, value] : dynamic) {
            ElfBuilder::put(b, at, tag, 8);
            ElfBuilder::put(b, at + 8, value, 8);
            at += 16;
        }
        if (terminate) ElfBuilder::put(b, at, DT_NULL, 8), ElfBuilder::put(b, at + 8, 0, 8);
        for (size_t i = 0; i < rela.size(); ++i) {
            ElfBuilder::put(b, 0x1080 + i * 24, rela[i].offset, 8);
            ElfBuilder::put(b, 0x1088 + i * 24, rela[i].info, 8);
            ElfBuilder::put(b, 0x1090 + i * 24, rela[i].addend, 8);
        }
        for (size_t i = 0; i < relr.size(); ++i) ElfBuilder::put(b, 0x1100 + i * 8, relr[i], 8);
        for (uint64_t a = 0x1180; a < 0x1200; a += 8) ElfBuilder::put(b, a, 0x10000 + a, 8);  // "pointers" as linked
        return b;
    }
};

uint64_t word_at(const uint8_t* page, size_t offset) {
    uint64_t value = 0;
    for (size_t k = 0; k < 8; ++k) value |= uint64_t{page[offset + k]} << (8 * k);
    return value;
}

// The page at `address` as the loader makes it: the file's bytes, zeros,
// then relocate_page.
std::vector<uint8_t> loaded_page(const Bytes& file, const elf::Image& image, uint64_t address) {
    std::vector<uint8_t> page(elf::page_size, 0);
    for (size_t k = 0; k < image.segment_count; ++k) {
        const elf::Segment& s = image.segments[k];
        for (uint64_t a = std::max(address, s.vaddr); a < std::min(address + elf::page_size, s.vaddr + s.file_size); ++a)
            page[a - address] = file[s.file_offset + (a - s.vaddr)];
    }
    elf::relocate_page(file.data(), image, address, page.data());
    return page;
}

TEST(ElfPie, AppliesRelativeRelaRelocations) {
    PieBuilder b;
    b.rela = {{0x1180, R_X86_64_RELATIVE, 0x100},     // data: the entry point
              {0x2ff0, R_X86_64_RELATIVE, 0x1188},    // bss
              {0x1ffc, R_X86_64_RELATIVE, 0x1190},    // straddles 0x2000
              {0x1190, 0, 0}};                        // R_X86_64_NONE: skipped
    b.with_rela();
    b.dynamic.push_back({DT_FLAGS_1, 0x08000000});   // DF_1_PIE and other tags are ignored
    const Bytes file = b.build();
    elf::Image image{};
    size_t index = 7;
    ASSERT_EQ(parse(file, image, {}, &index), Error::none);
    EXPECT_EQ(index, elf::no_index);
    const uint64_t base = image.load_bias;
    ASSERT_EQ(base, elf::Limits{}.position_independent_base);
    EXPECT_TRUE(image.needs_relocation());
    EXPECT_EQ(image.relocations.rela_offset, 0x1080u);
    EXPECT_EQ(image.relocations.rela_count, 4u);
    EXPECT_EQ(image.relocations.relr_count, 0u);

    const auto data = loaded_page(file, image, base + 0x1000);
    EXPECT_EQ(word_at(data.data(), 0x180), base + 0x100);
    EXPECT_EQ(word_at(data.data(), 0x188), 0x10000u + 0x1188);  // untouched
    EXPECT_EQ(word_at(data.data(), 0x190), 0x10000u + 0x1190);  // R_X86_64_NONE wrote nothing
    const auto bss = loaded_page(file, image, base + 0x2000);
    EXPECT_EQ(word_at(bss.data(), 0xff0), base + 0x1188);
    // The straddling word: its low four bytes end page 0x1000, the rest
    // begin page 0x2000.
    const uint64_t straddling = base + 0x1190;
    for (size_t k = 0; k < 4; ++k) EXPECT_EQ(data[0xffc + k], uint8_t(straddling >> (8 * k))) << k;
    for (size_t k = 4; k < 8; ++k) EXPECT_EQ(bss[k - 4], uint8_t(straddling >> (8 * k))) << k;
    // Text has no relocation: it is the file's bytes.
    const auto text = loaded_page(file, image, base);
    EXPECT_TRUE(std::equal(text.begin(), text.begin() + 0x200, file.begin()));
}

TEST(ElfPie, AppliesRelrRelocations) {
    PieBuilder b;
    // 0x1180; then a bitmap from 0x1188: bits 1, 2 and 4 -> 0x1188, 0x1190, 0x11a0;
    // then 0x2ff8 in bss (its addend is 0).
    b.relr = {0x1180, (1u << 1 | 1u << 2 | 1u << 4) | 1u, 0x2ff8};
    b.with_relr();
    const Bytes file = b.build();
    elf::Image image{};
    ASSERT_EQ(parse(file, image), Error::none);
    EXPECT_EQ(image.relocations.relr_count, 3u);
    const uint64_t base = image.load_bias;
    const auto data = loaded_page(file, image, base + 0x1000);
    for (uint64_t a : {0x1180u, 0x1188u, 0x1190u, 0x11a0u})
        EXPECT_EQ(word_at(data.data(), a - 0x1000), base + 0x10000 + a) << std::hex << a;
    for (uint64_t a : {0x1198u, 0x11a8u}) EXPECT_EQ(word_at(data.data(), a - 0x1000), 0x10000 + a) << std::hex << a;
    EXPECT_EQ(word_at(loaded_page(file, image, base + 0x2000).data(), 0xff8), base);
}

TEST(ElfPie, EmptyRelocationTablesAreAccepted) {
    PieBuilder b;
    b.dynamic = {{DT_RELA, 0}, {DT_RELASZ, 0}, {DT_RELAENT, 24}, {DT_PLTRELSZ, 0}, {DT_JMPREL, 0}};
    elf::Image image{};
    ASSERT_EQ(parse(b.build(), image), Error::none);
    EXPECT_FALSE(image.needs_relocation());
}

TEST(ElfRefuses, Interpreter) {
    // A dynamically linked program: refused for its PT_INTERP, even when
    // something else is wrong too.
    PieBuilder b;
    b.elf.phdrs.push_back({PT_INTERP, PF_R, 0x180, 0x180, 0x1c, 0x1c, 1});
    size_t index = 0;
    EXPECT_EQ(parse(b.elf, &index), Error::needs_interpreter);
    EXPECT_EQ(index, 3u);
    b.elf.phdrs[0].flags |= PF_W;
    EXPECT_EQ(parse(b.elf, &index), Error::needs_interpreter);
}

TEST(ElfRefuses, SharedLibraries) {
    PieBuilder b;
    b.dynamic = {{DT_NEEDED, 1}};
    size_t index = 0;
    elf::Image image{};
    EXPECT_EQ(parse(b.build(), image, {}, &index), Error::needs_shared_libraries);
    EXPECT_EQ(index, 2u);  // the PT_DYNAMIC header
}

TEST(ElfRefuses, RelocationsOtherThanRelative) {
    struct Case {
        Rela rela;
        const char* what;
    } cases[] = {
        {{0x1180, (uint64_t{1} << 32) | R_X86_64_64, 0}, "R_X86_64_64 against a symbol"},
        {{0x1180, (uint64_t{1} << 32) | R_X86_64_RELATIVE, 0}, "RELATIVE naming a symbol"},
        {{0x1180, R_X86_64_IRELATIVE, 0x100}, "IRELATIVE (an ifunc resolver)"},
        {{0x1180, 6 /* GLOB_DAT */, 0}, "GLOB_DAT"},
    };
    for (const Case& c : cases) {
        PieBuilder b;
        b.rela = {{0x1188, R_X86_64_RELATIVE, 0}, c.rela};
        b.with_rela();
        elf::Image image{};
        EXPECT_EQ(parse(b.build(), image), Error::needs_symbol_relocations) << c.what;
    }
    // PLT and REL relocations are a dynamic linker's, whatever they hold.
    for (uint64_t tag : {DT_PLTRELSZ, DT_RELSZ}) {
        PieBuilder b;
        b.dynamic = {{DT_JMPREL, 0x1080}, {tag, 24}};
        elf::Image image{};
        EXPECT_EQ(parse(b.build(), image), Error::needs_symbol_relocations) << tag;
    }
}

TEST(ElfRefuses, MalformedDynamicSection) {
    auto refused = [](const PieBuilder& b, const char* what) {
        elf::Image image{};
        size_t index = 0;
        EXPECT_EQ(parse(b.build(), image, {}, &index), Error::bad_dynamic_section) << what;
    };
    PieBuilder unterminated;
    unterminated.dynamic = {{DT_FLAGS_1, 0}, {DT_FLAGS_1, 0}, {DT_FLAGS_1, 0}, {DT_FLAGS_1, 0},
                            {DT_FLAGS_1, 0}, {DT_FLAGS_1, 0}, {DT_FLAGS_1, 0}, {DT_FLAGS_1, 0}};
    unterminated.terminate = false;
    refused(unterminated, "no DT_NULL within p_filesz");
    PieBuilder outside;
    outside.elf.phdrs[2].filesz = 0x1000;
    refused(outside, "PT_DYNAMIC past the end of the file");
    PieBuilder wrapping;
    wrapping.elf.phdrs[2].offset = kTop - 8;
    refused(wrapping, "PT_DYNAMIC offset wraps");
    PieBuilder two;
    two.elf.phdrs.push_back(two.elf.phdrs[2]);
    refused(two, "two PT_DYNAMIC headers");
    PieBuilder entry_size;
    entry_size.rela = {{0x1180, R_X86_64_RELATIVE, 0}};
    entry_size.with_rela();
    entry_size.dynamic[2].second = 16;
    refused(entry_size, "DT_RELAENT 16");
    PieBuilder partial;
    partial.rela = {{0x1180, R_X86_64_RELATIVE, 0}};
    partial.with_rela();
    partial.dynamic[1].second = 30;
    refused(partial, "DT_RELASZ not a multiple of 24");
    PieBuilder no_address;
    no_address.dynamic = {{DT_RELASZ, 24}, {DT_RELAENT, 24}};
    refused(no_address, "DT_RELASZ without DT_RELA");
    for (uint64_t table : {uint64_t{0x11f0}, uint64_t{0x2000}, uint64_t{0x5000}, kTop - 8}) {
        PieBuilder b;
        b.rela = {{0x1180, R_X86_64_RELATIVE, 0}};
        b.with_rela();
        b.dynamic[0].second = table;
        refused(b, "RELA table not in a segment's file bytes");
    }
    PieBuilder relr_entry;
    relr_entry.relr = {0x1180};
    relr_entry.with_relr();
    relr_entry.dynamic[2].second = 4;
    refused(relr_entry, "DT_RELRENT 4");
    PieBuilder bitmap_first;
    bitmap_first.relr = {0x3};
    bitmap_first.with_relr();
    refused(bitmap_first, "a RELR bitmap before any address");
}

TEST(ElfRefuses, RelocationOutsideTheImage) {
    for (uint64_t target : {uint64_t{0x200}, uint64_t{0x800}, uint64_t{0x2ff9}, uint64_t{0x3000}, kTop - 3}) {
        PieBuilder b;
        b.rela = {{target, R_X86_64_RELATIVE, 0}};
        b.with_rela();
        elf::Image image{};
        size_t index = 0;
        EXPECT_EQ(parse(b.build(), image, {}, &index), Error::relocation_outside_image) << std::hex << target;
        EXPECT_EQ(index, 2u);
    }
    // The last whole word of a segment is inside; a RELR bitmap running off
    // the end of the bss is not.
    PieBuilder last;
    last.rela = {{0x2ff8, R_X86_64_RELATIVE, 0}, {0x1f8, R_X86_64_RELATIVE, 0}};
    last.with_rela();
    elf::Image image{};
    EXPECT_EQ(parse(last.build(), image), Error::none);
    PieBuilder bitmap;
    bitmap.relr = {0x2fe0, uint64_t{1} << 63 | 1};  // bit 63: 0x2fe8 + 62 * 8
    bitmap.with_relr();
    EXPECT_EQ(parse(bitmap.build(), image), Error::relocation_outside_image);
}

// A dynamically linked program of the host, when there is one to read.
TEST(ElfRefuses, HostDynamicProgram) {
    std::ifstream in("/bin/sh", std::ios::binary);
    if (!in) GTEST_SKIP() << "no /bin/sh";
    const Bytes file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (file.size() < 20 || file[18] != 62) GTEST_SKIP() << "/bin/sh is not x86-64";
    elf::Image image{};
    EXPECT_EQ(parse(file, image), Error::needs_interpreter);
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

Bytes read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The project's static PIEs (apps/hello_pie, with DT_RELA and with DT_RELR):
// placed at the base, with relocations, every one landing on a pointer
// into the image once applied.
TEST(Elf, ProjectPiesAreRelocatable) {
    const char* list = std::getenv("ELF_PIE_SAMPLES");
    if (list == nullptr || *list == '\0') GTEST_SKIP() << "ELF_PIE_SAMPLES not set";
    std::stringstream paths(list);
    std::string path;
    while (std::getline(paths, path, ',')) {
        const Bytes file = read_file(path);
        elf::Image image{};
        ASSERT_EQ(parse(file, image), Error::none) << path;
        EXPECT_TRUE(image.position_independent) << path;
        EXPECT_TRUE(image.needs_relocation()) << path;
        EXPECT_EQ(image.load_bias, elf::Limits{}.position_independent_base) << path;
        EXPECT_GE(image.entry, image.load_bias) << path;
        // The writable segment holds relocated pointers: each points into the image.
        uint64_t pointers = 0;
        for (size_t k = 0; k < image.segment_count; ++k) {
            const elf::Segment& s = image.segments[k];
            if (!s.write) continue;
            for (uint64_t page = s.vaddr & ~uint64_t{0xfff}; page < s.vaddr + s.memory_size; page += 0x1000) {
                const auto bytes = loaded_page(file, image, page);
                for (size_t at = 0; at < 0x1000; at += 8) {
                    const uint64_t word = word_at(bytes.data(), at);
                    if (word >= image.load_bias && word < image.load_bias + 0x100000) ++pointers;
                }
            }
        }
        EXPECT_GT(pointers, 3u) << path;
    }
}

TEST(Elf, ProjectManySegmentsProgramHasMaxSegments) {
    const char* path = std::getenv("ELF_MANY_SEGMENTS");
    if (path == nullptr || *path == '\0') GTEST_SKIP() << "ELF_MANY_SEGMENTS not set";
    elf::Image image{};
    ASSERT_EQ(parse(read_file(path), image), Error::none);
    EXPECT_EQ(image.segment_count, elf::max_segments);
}

}  // namespace
