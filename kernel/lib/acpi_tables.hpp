// Readers for the few ACPI tables the kernel needs: the RSDP, the root
// table (RSDT or XSDT) and the MADT ("APIC"), which says where the I/O
// APICs are and how ISA interrupts are wired to them (ACPI 6.5, 5.2.5,
// 5.2.7, 5.2.8 and 5.2.12).
//
// Pure code over byte ranges: the caller maps the physical memory, so the
// host unit tests feed it hand-made tables. Every length and count in a
// table is firmware data and checked against the range before use.
#pragma once

#include <cstddef>
#include <cstdint>

namespace acpi {

enum class Error : uint8_t {
    none,
    truncated,     // the range ends inside the table (or its header)
    bad_checksum,  // the bytes of the table do not sum to zero
    bad_signature, // not the table asked for
    bad_entry,     // a MADT entry with a length below 2 or past the table's end
};

const char* describe(Error e);

// Whether `size` bytes at p sum to zero (mod 256), as every table must.
bool checksum_ok(const void* p, size_t size);

// The RSDP: on a 16-byte boundary in the EBDA's first KiB or in the BIOS
// area 0xE0000-0xFFFFF, "RSD PTR " with a valid checksum (the first 20
// bytes; for revision 2 and later also the whole extended structure).
struct Rsdp {
    uint8_t revision;
    uint32_t rsdt_address;
    uint64_t xsdt_address;  // 0 below revision 2
};
// Searches [area, area + size) for the RSDP; false when none is valid.
bool find_rsdp(const uint8_t* area, size_t size, Rsdp& out);

// The standard 36-byte header of every table but the RSDP.
inline constexpr size_t header_size = 36;
// The table's length from its header (0 when `available` < the header).
uint32_t table_length(const uint8_t* table, size_t available);
// Checks a whole table: its signature (4 characters), length and checksum.
Error check_table(const uint8_t* table, size_t available, const char* signature);

// The physical addresses in a checked RSDT (4-byte entries) or XSDT
// (8-byte entries): entry i of count, or 0 past the end.
size_t root_entry_count(const uint8_t* root, bool xsdt);
uint64_t root_entry(const uint8_t* root, bool xsdt, size_t i);

// What the MADT says about interrupt routing.
struct IoApic {
    uint8_t id;
    uint32_t address;   // physical address of its registers
    uint32_t gsi_base;  // the global system interrupt of its input 0
};
// An interrupt source override: ISA IRQ `source` is wired to `gsi` with
// the given flags (polarity in bits 0-1, trigger mode in bits 2-3; 0 in
// either means "as the bus says": for ISA, active high and edge).
struct Override {
    uint8_t source;
    uint32_t gsi;
    uint16_t flags;
};
namespace mps_flags {
inline constexpr uint16_t polarity_mask = 3, polarity_high = 1, polarity_low = 3;
inline constexpr uint16_t trigger_mask = 0xC, trigger_edge = 4, trigger_level = 0xC;
}  // namespace mps_flags

inline constexpr size_t max_io_apics = 8;
inline constexpr size_t max_overrides = 16;

struct Madt {
    uint32_t local_apic_address;
    bool has_8259;  // PCAT_COMPAT: the legacy PICs are present (and must be masked to use the I/O APIC)
    IoApic io_apics[max_io_apics];
    size_t io_apic_count;
    Override overrides[max_overrides];
    size_t override_count;
    size_t ignored;  // I/O APICs or overrides beyond the arrays above
};
// Parses a checked MADT. Entries of other types (local APICs, NMI
// sources, ...) are skipped by their length.
Error parse_madt(const uint8_t* table, size_t available, Madt& out);

}  // namespace acpi
