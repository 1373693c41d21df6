// Host unit tests for the ACPI table readers (kernel/lib/acpi_tables.cpp):
// tables built here byte by byte after the ACPI specification, then broken
// in the ways firmware data can be broken. (The real tables of QEMU's pc
// and q35 machines are read by the boot tests.)
#include "lib/acpi_tables.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace {

using Bytes = std::vector<uint8_t>;

void put32(Bytes& b, size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) b[at + i] = uint8_t(v >> (8 * i));
}
void put64(Bytes& b, size_t at, uint64_t v) {
    put32(b, at, uint32_t(v));
    put32(b, at + 4, uint32_t(v >> 32));
}
void append32(Bytes& b, uint32_t v) {
    b.resize(b.size() + 4);
    put32(b, b.size() - 4, v);
}

uint8_t fix_checksum(Bytes& b, size_t from, size_t length, size_t checksum_at) {
    b[checksum_at] = 0;
    uint8_t sum = 0;
    for (size_t i = from; i < from + length; ++i) sum = uint8_t(sum + b[i]);
    b[checksum_at] = uint8_t(-sum);
    return b[checksum_at];
}

// A table: the 36-byte header with `signature`, then body; length and
// checksum filled in.
Bytes table(const char* signature, const Bytes& body) {
    Bytes t(acpi::header_size, 0);
    std::memcpy(t.data(), signature, 4);
    t[8] = 1;  // revision
    std::memcpy(t.data() + 10, "OEMID ", 6);
    t.insert(t.end(), body.begin(), body.end());
    put32(t, 4, uint32_t(t.size()));
    fix_checksum(t, 0, t.size(), 9);
    return t;
}

Bytes io_apic_entry(uint8_t id, uint32_t address, uint32_t gsi_base) {
    Bytes e{1, 12, id, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    put32(e, 4, address);
    put32(e, 8, gsi_base);
    return e;
}
Bytes override_entry(uint8_t bus, uint8_t source, uint32_t gsi, uint16_t flags) {
    Bytes e{2, 10, bus, source, 0, 0, 0, 0, uint8_t(flags), uint8_t(flags >> 8)};
    put32(e, 4, gsi);
    return e;
}
Bytes local_apic_entry(uint8_t processor, uint8_t id) { return Bytes{0, 8, processor, id, 1, 0, 0, 0}; }

// A MADT like QEMU's pc machine's: one CPU, one I/O APIC with 24 inputs at
// GSI 0, ISA IRQ 0 on GSI 2, the PCI lines 5, 9, 10, 11 level and active
// high, and a local APIC NMI entry.
Bytes qemu_like_madt() {
    Bytes body;
    append32(body, 0xFEE00000);
    append32(body, 1);  // PCAT_COMPAT
    auto add = [&](const Bytes& e) { body.insert(body.end(), e.begin(), e.end()); };
    add(local_apic_entry(0, 0));
    add(io_apic_entry(0, 0xFEC00000, 0));
    add(override_entry(0, 0, 2, 0));
    for (uint8_t irq : {5, 9, 10, 11}) add(override_entry(0, irq, irq, 0xD));
    add(Bytes{4, 6, 0xFF, 0, 0, 1});  // local APIC NMI
    return table("APIC", body);
}

TEST(AcpiTables, ChecksumOfTheWholeTable) {
    Bytes t = qemu_like_madt();
    EXPECT_TRUE(acpi::checksum_ok(t.data(), t.size()));
    t[40] ^= 1;
    EXPECT_FALSE(acpi::checksum_ok(t.data(), t.size()));
    EXPECT_EQ(acpi::check_table(t.data(), t.size(), "APIC"), acpi::Error::bad_checksum);
}

TEST(AcpiTables, ParsesAQemuLikeMadt) {
    Bytes t = qemu_like_madt();
    acpi::Madt m;
    ASSERT_EQ(acpi::parse_madt(t.data(), t.size(), m), acpi::Error::none);
    EXPECT_EQ(m.local_apic_address, 0xFEE00000u);
    EXPECT_TRUE(m.has_8259);
    ASSERT_EQ(m.io_apic_count, 1u);
    EXPECT_EQ(m.io_apics[0].address, 0xFEC00000u);
    EXPECT_EQ(m.io_apics[0].gsi_base, 0u);
    ASSERT_EQ(m.override_count, 5u);
    EXPECT_EQ(m.overrides[0].source, 0);
    EXPECT_EQ(m.overrides[0].gsi, 2u);
    EXPECT_EQ(m.overrides[0].flags, 0);
    EXPECT_EQ(m.overrides[4].source, 11);
    EXPECT_EQ(m.overrides[4].flags & acpi::mps_flags::trigger_mask, acpi::mps_flags::trigger_level);
    EXPECT_EQ(m.overrides[4].flags & acpi::mps_flags::polarity_mask, acpi::mps_flags::polarity_high);
    EXPECT_EQ(m.ignored, 0u);
}

TEST(AcpiTables, RefusesBrokenTables) {
    Bytes t = qemu_like_madt();
    acpi::Madt m;
    EXPECT_EQ(acpi::parse_madt(t.data(), t.size() - 1, m), acpi::Error::truncated) << "length past the range";
    EXPECT_EQ(acpi::parse_madt(t.data(), 20, m), acpi::Error::truncated) << "inside the header";
    Bytes other = t;
    other[0] = 'X';
    EXPECT_EQ(acpi::parse_madt(other.data(), other.size(), m), acpi::Error::bad_signature);
    Bytes short_length = t;
    put32(short_length, 4, 10);
    EXPECT_EQ(acpi::check_table(short_length.data(), short_length.size(), "APIC"), acpi::Error::truncated);
    // An entry of length 0 would loop for ever; one past the end would
    // read beyond the table.
    for (uint8_t bad_length : {0, 1, 200}) {
        Bytes body;
        append32(body, 0xFEE00000);
        append32(body, 0);
        Bytes e = local_apic_entry(0, 0);
        e[1] = bad_length;
        body.insert(body.end(), e.begin(), e.end());
        Bytes broken = table("APIC", body);
        EXPECT_EQ(acpi::parse_madt(broken.data(), broken.size(), m), acpi::Error::bad_entry)
            << "entry length " << int(bad_length);
    }
    // An I/O APIC entry too short for its fields.
    Bytes body;
    append32(body, 0xFEE00000);
    append32(body, 0);
    body.insert(body.end(), {1, 8, 0, 0, 0, 0, 0xC0, 0xFE});
    Bytes short_entry = table("APIC", body);
    EXPECT_EQ(acpi::parse_madt(short_entry.data(), short_entry.size(), m), acpi::Error::bad_entry);
}

TEST(AcpiTables, KeepsWhatFitsAndCountsTheRest) {
    Bytes body;
    append32(body, 0xFEE00000);
    append32(body, 0);
    auto add = [&](const Bytes& e) { body.insert(body.end(), e.begin(), e.end()); };
    for (unsigned i = 0; i < acpi::max_io_apics + 2; ++i) add(io_apic_entry(uint8_t(i), 0xFEC00000 + i * 0x1000, i * 24));
    for (unsigned i = 0; i < acpi::max_overrides + 3; ++i) add(override_entry(0, uint8_t(i), i, 0));
    add(override_entry(1, 3, 3, 0));  // not ISA: no override of ours
    Bytes t = table("APIC", body);
    acpi::Madt m;
    ASSERT_EQ(acpi::parse_madt(t.data(), t.size(), m), acpi::Error::none);
    EXPECT_FALSE(m.has_8259);
    EXPECT_EQ(m.io_apic_count, acpi::max_io_apics);
    EXPECT_EQ(m.override_count, acpi::max_overrides);
    EXPECT_EQ(m.ignored, 2u + 3u + 1u);
    EXPECT_EQ(m.io_apics[7].gsi_base, 7u * 24);
}

Bytes rsdp(uint8_t revision, uint32_t rsdt, uint64_t xsdt) {
    Bytes r(36, 0);
    std::memcpy(r.data(), "RSD PTR ", 8);
    std::memcpy(r.data() + 9, "BOCHS ", 6);
    r[15] = revision;
    put32(r, 16, rsdt);
    put32(r, 20, 36);
    put64(r, 24, xsdt);
    fix_checksum(r, 0, 20, 8);
    fix_checksum(r, 0, 36, 32);
    return r;
}

TEST(AcpiTables, FindsTheRsdpOnA16ByteBoundary) {
    Bytes area(0x2000, 0);
    Bytes r = rsdp(0, 0x1FFE1000, 0);
    std::memcpy(area.data() + 0x1230, r.data(), 20);
    acpi::Rsdp found;
    ASSERT_TRUE(acpi::find_rsdp(area.data(), area.size(), found));
    EXPECT_EQ(found.revision, 0);
    EXPECT_EQ(found.rsdt_address, 0x1FFE1000u);
    EXPECT_EQ(found.xsdt_address, 0u);
    // Off the boundary it is not an RSDP.
    Bytes shifted(0x2000, 0);
    std::memcpy(shifted.data() + 0x1234, r.data(), 20);
    EXPECT_FALSE(acpi::find_rsdp(shifted.data(), shifted.size(), found));
    // With a bad checksum the search goes on to the next good one.
    Bytes two(0x2000, 0);
    Bytes bad = r;
    bad[16] ^= 0x10;
    std::memcpy(two.data() + 0x100, bad.data(), 20);
    Bytes good = rsdp(0, 0x12345000, 0);
    std::memcpy(two.data() + 0x800, good.data(), 20);
    ASSERT_TRUE(acpi::find_rsdp(two.data(), two.size(), found));
    EXPECT_EQ(found.rsdt_address, 0x12345000u);
    // Cut off inside the structure: not found, and nothing read past the end.
    EXPECT_FALSE(acpi::find_rsdp(area.data(), 0x1230 + 19, found));
}

TEST(AcpiTables, TheXsdtOnlyWithASoundExtension) {
    Bytes area(64, 0);
    Bytes r = rsdp(2, 0x1000, 0x100002000ull);
    std::memcpy(area.data(), r.data(), 36);
    acpi::Rsdp found;
    ASSERT_TRUE(acpi::find_rsdp(area.data(), area.size(), found));
    EXPECT_EQ(found.xsdt_address, 0x100002000ull);
    area[30] ^= 1;  // the extended checksum no longer holds: the RSDT only
    ASSERT_TRUE(acpi::find_rsdp(area.data(), area.size(), found));
    EXPECT_EQ(found.xsdt_address, 0u);
    EXPECT_EQ(found.rsdt_address, 0x1000u);
}

TEST(AcpiTables, RootTableEntries) {
    Bytes rsdt_body, xsdt_body(16, 0);
    append32(rsdt_body, 0x1FFE0000);
    append32(rsdt_body, 0x1FFE1000);
    put64(xsdt_body, 0, 0x1FFE0000);
    put64(xsdt_body, 8, 0x200000000ull);
    Bytes rsdt = table("RSDT", rsdt_body), xsdt = table("XSDT", xsdt_body);
    ASSERT_EQ(acpi::check_table(rsdt.data(), rsdt.size(), "RSDT"), acpi::Error::none);
    EXPECT_EQ(acpi::root_entry_count(rsdt.data(), false), 2u);
    EXPECT_EQ(acpi::root_entry(rsdt.data(), false, 1), 0x1FFE1000u);
    EXPECT_EQ(acpi::root_entry(rsdt.data(), false, 2), 0u) << "past the end";
    EXPECT_EQ(acpi::root_entry_count(xsdt.data(), true), 2u);
    EXPECT_EQ(acpi::root_entry(xsdt.data(), true, 1), 0x200000000ull);
}

}  // namespace
