// Host unit tests for lib::SymbolTable (kernel/lib/symbol_table.cpp).
//
// If KSYMTAB_ELF names a linked kernel ELF, its .ksymtab section is also
// checked (needs objcopy and nm on PATH); otherwise that test is skipped.
#include "lib/symbol_table.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Bytes = std::vector<uint8_t>;

struct Sym {
    uint64_t address;
    uint32_t size;
    std::string name;
};

void put32(Bytes& b, uint32_t v) {
    for (int i = 0; i < 4; ++i) b.push_back(uint8_t(v >> (8 * i)));
}
void put64(Bytes& b, uint64_t v) {
    for (int i = 0; i < 8; ++i) b.push_back(uint8_t(v >> (8 * i)));
}

// Writes the documented layout, independently of the reader under test.
Bytes build(const std::vector<Sym>& symbols, uint32_t magic = lib::SymbolTable::magic) {
    Bytes names;
    Bytes out;
    put32(out, magic);
    put32(out, uint32_t(symbols.size()));
    for (const Sym& s : symbols) {
        put64(out, s.address);
        put32(out, s.size);
        put32(out, uint32_t(names.size()));
        names.insert(names.end(), s.name.begin(), s.name.end());
        names.push_back(0);
    }
    out.insert(out.end(), names.begin(), names.end());
    return out;
}

// Byte offsets inside a built blob.
constexpr size_t kHeader = 8;
constexpr size_t kEntry = 16;
size_t entry_offset(size_t i) { return kHeader + kEntry * i; }
size_t name_offset_field(size_t i) { return entry_offset(i) + 12; }
size_t names_start(size_t count) { return kHeader + kEntry * count; }

void set32(Bytes& b, size_t offset, uint32_t v) {
    for (int i = 0; i < 4; ++i) b[offset + size_t(i)] = uint8_t(v >> (8 * i));
}
void set64(Bytes& b, size_t offset, uint64_t v) {
    for (int i = 0; i < 8; ++i) b[offset + size_t(i)] = uint8_t(v >> (8 * i));
}

// The name found for address, "<none>" if the lookup fails.
std::string name_at(const lib::SymbolTable& t, uint64_t address) {
    lib::Symbol s{};
    if (!t.lookup(address, s)) return "<none>";
    return s.name;
}

// A table is rejected: not valid, and lookups fail everywhere.
::testing::AssertionResult rejected(const Bytes& blob) {
    lib::SymbolTable t(blob.data(), blob.size());
    if (t.valid()) return ::testing::AssertionFailure() << "table is valid";
    if (t.count() != 0) return ::testing::AssertionFailure() << "count " << t.count();
    lib::Symbol s{};
    for (uint64_t a : {uint64_t(0), uint64_t(0x1000), uint64_t(0x1010), uint64_t(0x2000), uint64_t(0x3000),
                       uint64_t(0xffffffff80000000), UINT64_MAX})
        if (t.lookup(a, s)) return ::testing::AssertionFailure() << "lookup succeeded at " << a;
    return ::testing::AssertionSuccess();
}

const std::vector<Sym> kBasic = {
    {0x1000, 0x20, "alpha"},  // [0x1000, 0x1020), then a gap
    {0x2000, 0, "beta"},      // unsized: up to gamma
    {0x3000, 0x10, "gamma"},  // [0x3000, 0x3010)
};

TEST(SymbolTable, MagicSpellsKSYM) {
    const char bytes[4] = {'K', 'S', 'Y', 'M'};
    uint32_t value;
    std::memcpy(&value, bytes, 4);
    EXPECT_EQ(value, lib::SymbolTable::magic);
}

TEST(SymbolTable, ValidTable) {
    Bytes blob = build(kBasic);
    lib::SymbolTable t(blob.data(), blob.size());
    EXPECT_TRUE(t.valid());
    EXPECT_EQ(t.count(), 3u);
}

TEST(SymbolTable, LookupSizedSymbol) {
    Bytes blob = build(kBasic);
    lib::SymbolTable t(blob.data(), blob.size());
    lib::Symbol s{};
    ASSERT_TRUE(t.lookup(0x1000, s));  // first byte
    EXPECT_EQ(s.address, 0x1000u);
    EXPECT_EQ(s.size, 0x20u);
    EXPECT_STREQ(s.name, "alpha");
    EXPECT_EQ(name_at(t, 0x1001), "alpha");
    EXPECT_EQ(name_at(t, 0x101f), "alpha");   // last byte
    EXPECT_EQ(name_at(t, 0x1020), "<none>");  // one past the end
    EXPECT_EQ(name_at(t, 0x1fff), "<none>");  // in the gap
}

TEST(SymbolTable, LookupUnsizedSymbolCoversUpToNext) {
    Bytes blob = build(kBasic);
    lib::SymbolTable t(blob.data(), blob.size());
    lib::Symbol s{};
    ASSERT_TRUE(t.lookup(0x2000, s));
    EXPECT_STREQ(s.name, "beta");
    EXPECT_EQ(s.size, 0u);
    EXPECT_EQ(s.address, 0x2000u);
    EXPECT_EQ(name_at(t, 0x2abc), "beta");
    EXPECT_EQ(name_at(t, 0x2fff), "beta");
    EXPECT_EQ(name_at(t, 0x3000), "gamma");
}

TEST(SymbolTable, LookupBeforeFirstAndAfterLast) {
    Bytes blob = build(kBasic);
    lib::SymbolTable t(blob.data(), blob.size());
    EXPECT_EQ(name_at(t, 0), "<none>");
    EXPECT_EQ(name_at(t, 0xfff), "<none>");
    EXPECT_EQ(name_at(t, 0x300f), "gamma");
    EXPECT_EQ(name_at(t, 0x3010), "<none>");  // the last symbol is sized
    EXPECT_EQ(name_at(t, UINT64_MAX), "<none>");
}

TEST(SymbolTable, UnsizedLastSymbolCoversEverythingAfter) {
    Bytes blob = build({{0x1000, 0x10, "first"}, {0x5000, 0, "last"}});
    lib::SymbolTable t(blob.data(), blob.size());
    ASSERT_TRUE(t.valid());
    EXPECT_EQ(name_at(t, 0x5000), "last");
    EXPECT_EQ(name_at(t, 0x123456789), "last");
    EXPECT_EQ(name_at(t, UINT64_MAX), "last");
}

TEST(SymbolTable, LookupDoesNotTouchOutputOnFailure) {
    Bytes blob = build(kBasic);
    lib::SymbolTable t(blob.data(), blob.size());
    lib::Symbol s{0xabc, 7, "untouched"};
    EXPECT_FALSE(t.lookup(0x10, s));
    EXPECT_EQ(s.address, 0xabcu);
    EXPECT_EQ(s.size, 7u);
    EXPECT_STREQ(s.name, "untouched");
}

TEST(SymbolTable, SingleSymbol) {
    Bytes blob = build({{0xffffffff80100000, 0x100, "only"}});
    lib::SymbolTable t(blob.data(), blob.size());
    ASSERT_TRUE(t.valid());
    EXPECT_EQ(t.count(), 1u);
    EXPECT_EQ(name_at(t, 0xffffffff800fffff), "<none>");
    EXPECT_EQ(name_at(t, 0xffffffff80100000), "only");
    EXPECT_EQ(name_at(t, 0xffffffff801000ff), "only");
    EXPECT_EQ(name_at(t, 0xffffffff80100100), "<none>");
}

TEST(SymbolTable, SymbolAtAddressZeroAndTop) {
    Bytes blob = build({{0, 4, "zero"}, {UINT64_MAX - 3, 0, "top"}});
    lib::SymbolTable t(blob.data(), blob.size());
    ASSERT_TRUE(t.valid());
    EXPECT_EQ(name_at(t, 0), "zero");
    EXPECT_EQ(name_at(t, 3), "zero");
    EXPECT_EQ(name_at(t, 4), "<none>");
    EXPECT_EQ(name_at(t, UINT64_MAX), "top");
}

TEST(SymbolTable, EmptyNameAndSharedName) {
    // name_offset may point at the final NUL (an empty name) or into another
    // name (a suffix); both stay inside the name area.
    Bytes blob = build({{0x100, 0x10, "foo_bar"}, {0x200, 0x10, ""}});
    set32(blob, name_offset_field(1), 4);  // "bar"
    lib::SymbolTable t(blob.data(), blob.size());
    ASSERT_TRUE(t.valid());
    EXPECT_EQ(name_at(t, 0x205), "bar");

    Bytes empty = build({{0x100, 0x10, "x"}, {0x200, 0x10, ""}});
    lib::SymbolTable t2(empty.data(), empty.size());
    ASSERT_TRUE(t2.valid());
    EXPECT_EQ(name_at(t2, 0x200), "");
}

TEST(SymbolTable, EqualAddressesAreSorted) {
    Bytes blob = build({{0x100, 0x10, "a"}, {0x100, 0x10, "b"}, {0x200, 0x10, "c"}});
    lib::SymbolTable t(blob.data(), blob.size());
    EXPECT_TRUE(t.valid());
    std::string n = name_at(t, 0x108);
    EXPECT_TRUE(n == "a" || n == "b") << n;
    EXPECT_EQ(name_at(t, 0x200), "c");
}

TEST(SymbolTable, UnalignedBlob) {
    // The section is byte-aligned (2**0), so entries may be misaligned.
    Bytes blob = build(kBasic);
    for (size_t shift = 1; shift < 8; ++shift) {
        Bytes moved(shift, 0xee);
        moved.insert(moved.end(), blob.begin(), blob.end());
        lib::SymbolTable t(moved.data() + shift, blob.size());
        ASSERT_TRUE(t.valid()) << shift;
        EXPECT_EQ(name_at(t, 0x1010), "alpha");
        EXPECT_EQ(name_at(t, 0x2010), "beta");
        EXPECT_EQ(name_at(t, 0x3000), "gamma");
    }
}

TEST(SymbolTable, TrailingBytesAfterNamesAreAllowedIfNulTerminated) {
    Bytes blob = build(kBasic);
    blob.push_back(0);
    blob.push_back(0);
    lib::SymbolTable t(blob.data(), blob.size());
    EXPECT_TRUE(t.valid());
    EXPECT_EQ(name_at(t, 0x3000), "gamma");
}

TEST(SymbolTableReject, NullAndTinyBlobs) {
    lib::SymbolTable null_table(nullptr, 100);
    EXPECT_FALSE(null_table.valid());
    Bytes blob = build(kBasic);
    for (size_t size = 0; size <= 8; ++size) {
        lib::SymbolTable t(blob.data(), size);
        EXPECT_FALSE(t.valid()) << size;
        lib::Symbol s{};
        EXPECT_FALSE(t.lookup(0x1000, s)) << size;
    }
}

TEST(SymbolTableReject, EmptyTable) {
    // What mksymtab.py writes for the first link: count 0 and one NUL.
    Bytes blob = build({});
    blob.push_back(0);
    EXPECT_TRUE(rejected(blob));
    EXPECT_TRUE(rejected(build({})));  // header only
}

TEST(SymbolTableReject, BadMagic) {
    EXPECT_TRUE(rejected(build(kBasic, 0x4D59534C)));
    EXPECT_TRUE(rejected(build(kBasic, 0x4B53594D)));  // byte-swapped
    EXPECT_TRUE(rejected(build(kBasic, 0)));
}

TEST(SymbolTableReject, CountLargerThanBlob) {
    Bytes blob = build(kBasic);
    set32(blob, 4, 4);
    EXPECT_TRUE(rejected(blob));
    set32(blob, 4, 0x10000000);
    EXPECT_TRUE(rejected(blob));
    set32(blob, 4, UINT32_MAX);  // count * 16 would overflow 32 bits
    EXPECT_TRUE(rejected(blob));
}

TEST(SymbolTableReject, CountLeavingNoNameArea) {
    // Exactly as many entries as fit, with nothing left for names.
    Bytes blob = build(kBasic);
    blob.resize(names_start(3));
    EXPECT_TRUE(rejected(blob));
}

TEST(SymbolTableReject, TruncatedInsideEntries) {
    Bytes blob = build(kBasic);
    for (size_t size = 9; size < names_start(3); ++size) {
        Bytes cut(blob.begin(), blob.begin() + long(size));
        EXPECT_TRUE(rejected(cut)) << size;
    }
}

TEST(SymbolTableReject, NameOffsetOutsideNameArea) {
    Bytes blob = build(kBasic);
    size_t names_size = blob.size() - names_start(3);
    set32(blob, name_offset_field(2), uint32_t(names_size));  // one past the end
    EXPECT_TRUE(rejected(blob));
    set32(blob, name_offset_field(2), UINT32_MAX);
    EXPECT_TRUE(rejected(blob));
    // The first entry, too.
    Bytes first = build(kBasic);
    set32(first, name_offset_field(0), uint32_t(names_size + 100));
    EXPECT_TRUE(rejected(first));
    // The last valid offset (the final NUL) is fine.
    Bytes ok = build(kBasic);
    set32(ok, name_offset_field(1), uint32_t(names_size - 1));
    lib::SymbolTable t(ok.data(), ok.size());
    EXPECT_TRUE(t.valid());
}

TEST(SymbolTableReject, NamesNotNulTerminated) {
    Bytes blob = build(kBasic);
    blob.back() = 'x';  // "gamma" runs off the end
    EXPECT_TRUE(rejected(blob));
    Bytes cut = build(kBasic);
    cut.pop_back();  // the final NUL missing
    EXPECT_TRUE(rejected(cut));
}

TEST(SymbolTableReject, UnsortedAddresses) {
    EXPECT_TRUE(rejected(build({{0x2000, 0x10, "b"}, {0x1000, 0x10, "a"}})));
    EXPECT_TRUE(rejected(build({{0x1000, 0x10, "a"}, {0x3000, 0x10, "c"}, {0x2000, 0x10, "b"}})));
    // Only the last pair out of order.
    Bytes blob = build(kBasic);
    set64(blob, entry_offset(2), 0x1fff);
    EXPECT_TRUE(rejected(blob));
}

// Random tables against a linear search.
TEST(SymbolTable, RandomLookupsMatchLinearSearch) {
    std::mt19937_64 rng(99);
    for (int round = 0; round < 20; ++round) {
        size_t n = 1 + rng() % 300;
        std::vector<Sym> syms;
        uint64_t address = 0x10000 + rng() % 0x100;
        for (size_t i = 0; i < n; ++i) {
            address += 1 + rng() % 0x200;
            uint32_t size = rng() % 3 == 0 ? 0 : uint32_t(1 + rng() % 0x180);
            syms.push_back({address, size, "f" + std::to_string(i)});
        }
        Bytes blob = build(syms);
        lib::SymbolTable t(blob.data(), blob.size());
        ASSERT_TRUE(t.valid());
        ASSERT_EQ(t.count(), n);
        auto expected = [&](uint64_t a) -> std::string {
            const Sym* best = nullptr;
            for (const Sym& s : syms)
                if (s.address <= a) best = &s;
            if (!best || (best->size && a - best->address >= best->size)) return "<none>";
            return best->name;
        };
        for (int q = 0; q < 500; ++q) {
            uint64_t a = syms.front().address - 0x100 + rng() % (address - syms.front().address + 0x400);
            ASSERT_EQ(name_at(t, a), expected(a)) << "round " << round << " address " << a;
        }
        for (const Sym& s : syms) {
            ASSERT_EQ(name_at(t, s.address), s.name);
            // Sizes may overlap the next symbol, which then wins.
            uint64_t last = s.address + (s.size ? s.size - 1 : 0x1ff);
            ASSERT_EQ(name_at(t, last), expected(last));
            ASSERT_EQ(name_at(t, last + 1), expected(last + 1));
        }
    }
}

// The table embedded in a real kernel image.
std::string run_to_string(const std::string& command) {
    char path[] = "/tmp/ksymtab_cmd_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return {};
    close(fd);
    std::string full = command + " > '" + path + "'";
    int rc = std::system(full.c_str());
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    std::remove(path);
    return rc == 0 ? ss.str() : std::string();
}

TEST(SymbolTableKernel, EmbeddedTableNamesKernelMain) {
    const char* elf = std::getenv("KSYMTAB_ELF");
    if (!elf || !*elf) GTEST_SKIP() << "KSYMTAB_ELF is not set";
    ASSERT_TRUE(std::ifstream(elf).good()) << "cannot open " << elf;

    char section_path[] = "/tmp/ksymtab_XXXXXX";
    int fd = mkstemp(section_path);
    ASSERT_GE(fd, 0);
    close(fd);
    std::string command = std::string("objcopy -O binary --only-section=.ksymtab '") + elf + "' '" +
                          section_path + "'";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
    std::ifstream in(section_path, std::ios::binary);
    Bytes blob((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::remove(section_path);
    ASSERT_FALSE(blob.empty()) << "no .ksymtab section in " << elf;

    lib::SymbolTable table(blob.data(), blob.size());
    ASSERT_TRUE(table.valid());
    EXPECT_GT(table.count(), 100u);

    std::string nm = run_to_string(std::string("nm '") + elf + "' | grep ' T kernel_main$'");
    ASSERT_FALSE(nm.empty()) << "kernel_main not found by nm";
    uint64_t address = std::strtoull(nm.c_str(), nullptr, 16);
    ASSERT_NE(address, 0u) << nm;

    lib::Symbol s{};
    ASSERT_TRUE(table.lookup(address, s));
    EXPECT_STREQ(s.name, "kernel_main");
    EXPECT_EQ(s.address, address);
    EXPECT_TRUE(table.lookup(address + 1, s));
    EXPECT_STREQ(s.name, "kernel_main");
}

}  // namespace
