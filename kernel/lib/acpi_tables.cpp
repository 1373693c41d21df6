#include "lib/acpi_tables.hpp"

namespace acpi {

namespace {

// Tables are packed little-endian structures at any alignment: read them
// byte by byte.
uint32_t read32(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24; }
uint16_t read16(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }
uint64_t read64(const uint8_t* p) { return uint64_t(read32(p)) | uint64_t(read32(p + 4)) << 32; }

bool same(const uint8_t* p, const char* text, size_t n) {
    for (size_t i = 0; i < n; ++i)
        if (p[i] != uint8_t(text[i])) return false;
    return true;
}

constexpr size_t rsdp_v1_size = 20, rsdp_v2_size = 36;
constexpr size_t madt_fixed_size = header_size + 8;  // local APIC address, flags
constexpr uint32_t madt_pcat_compat = 1;
constexpr uint8_t entry_io_apic = 1, entry_override = 2;

}  // namespace

const char* describe(Error e) {
    switch (e) {
    case Error::none: return "no error";
    case Error::truncated: return "truncated";
    case Error::bad_checksum: return "bad checksum";
    case Error::bad_signature: return "bad signature";
    case Error::bad_entry: return "bad entry";
    }
    return "unknown error";
}

bool checksum_ok(const void* p, size_t size) {
    uint8_t sum = 0;
    for (size_t i = 0; i < size; ++i) sum = uint8_t(sum + static_cast<const uint8_t*>(p)[i]);
    return sum == 0;
}

bool find_rsdp(const uint8_t* area, size_t size, Rsdp& out) {
    for (size_t at = 0; at + rsdp_v1_size <= size; at += 16) {
        const uint8_t* p = area + at;
        if (!same(p, "RSD PTR ", 8) || !checksum_ok(p, rsdp_v1_size)) continue;
        Rsdp r{p[15], read32(p + 16), 0};
        // Revision 2 adds a length, the XSDT's address and a checksum
        // over the whole structure; a broken extension leaves the RSDT.
        if (r.revision >= 2 && at + rsdp_v2_size <= size) {
            uint32_t length = read32(p + 20);
            if (length >= rsdp_v2_size && length <= size - at && checksum_ok(p, length)) r.xsdt_address = read64(p + 24);
        }
        out = r;
        return true;
    }
    return false;
}

uint32_t table_length(const uint8_t* table, size_t available) {
    return available < header_size ? 0 : read32(table + 4);
}

Error check_table(const uint8_t* table, size_t available, const char* signature) {
    if (available < header_size) return Error::truncated;
    if (!same(table, signature, 4)) return Error::bad_signature;
    uint32_t length = read32(table + 4);
    if (length < header_size || length > available) return Error::truncated;
    return checksum_ok(table, length) ? Error::none : Error::bad_checksum;
}

size_t root_entry_count(const uint8_t* root, bool xsdt) {
    return (read32(root + 4) - header_size) / (xsdt ? 8 : 4);
}

uint64_t root_entry(const uint8_t* root, bool xsdt, size_t i) {
    if (i >= root_entry_count(root, xsdt)) return 0;
    const uint8_t* p = root + header_size + i * (xsdt ? 8 : 4);
    return xsdt ? read64(p) : read32(p);
}

Error parse_madt(const uint8_t* table, size_t available, Madt& out) {
    if (Error e = check_table(table, available, "APIC"); e != Error::none) return e;
    uint32_t length = read32(table + 4);
    if (length < madt_fixed_size) return Error::truncated;
    Madt m{};
    m.local_apic_address = read32(table + header_size);
    m.has_8259 = read32(table + header_size + 4) & madt_pcat_compat;
    for (size_t at = madt_fixed_size; at < length;) {
        if (length - at < 2) return Error::bad_entry;
        const uint8_t* e = table + at;
        uint8_t type = e[0], size = e[1];
        if (size < 2 || size > length - at) return Error::bad_entry;
        if (type == entry_io_apic) {
            if (size < 12) return Error::bad_entry;
            if (m.io_apic_count < max_io_apics) m.io_apics[m.io_apic_count++] = IoApic{e[2], read32(e + 4), read32(e + 8)};
            else ++m.ignored;
        } else if (type == entry_override) {
            if (size < 10) return Error::bad_entry;
            // Bus 0 (ISA) is the only bus an override may name.
            if (e[2] == 0 && m.override_count < max_overrides)
                m.overrides[m.override_count++] = Override{e[3], read32(e + 4), read16(e + 8)};
            else ++m.ignored;
        }
        at += size;
    }
    out = m;
    return Error::none;
}

}  // namespace acpi
