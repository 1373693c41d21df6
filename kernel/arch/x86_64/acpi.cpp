#include "arch/x86_64/acpi.hpp"

#include "debug/log.hpp"
#include "mm/kernel_space.hpp"

namespace arch::acpi {

namespace {

using namespace ::acpi;

constexpr uint64_t ebda_pointer = 0x40E;  // BIOS data area: the EBDA's real-mode segment
constexpr uint64_t bios_area = 0xE0000, bios_area_size = 0x20000;
constexpr size_t ebda_search_size = 1024;
// Tables longer than this are not the small ones read here; refusing them
// bounds what a broken length can make the kernel map.
constexpr uint32_t max_table_size = 64 * 1024;

// Maps a table at physical `at` (header first, to learn its length) and
// checks it; nullptr (logged) when it is not a sound `signature` table.
const uint8_t* map_table(uint64_t at, const char* signature) {
    auto header = static_cast<const uint8_t*>(mm::map_device(at, header_size));
    uint32_t length = table_length(header, header_size);
    if (length < header_size || length > max_table_size) {
        klog::warn("acpi: table at 0x%lx has length %u; ignored", at, length);
        return nullptr;
    }
    auto table = static_cast<const uint8_t*>(mm::map_device(at, length));
    if (Error e = check_table(table, length, signature); e != Error::none) {
        if (e != Error::bad_signature) klog::warn("acpi: %.4s table at 0x%lx: %s; ignored", signature, at, describe(e));
        return nullptr;
    }
    return table;
}

bool find(Rsdp& rsdp) {
    auto bda = static_cast<const uint8_t*>(mm::map_device(ebda_pointer, 2));
    uint64_t ebda = uint64_t(bda[0] | bda[1] << 8) << 4;
    if (ebda >= 0x80000 && ebda < 0xA0000 &&
        find_rsdp(static_cast<const uint8_t*>(mm::map_device(ebda, ebda_search_size)), ebda_search_size, rsdp))
        return true;
    return find_rsdp(static_cast<const uint8_t*>(mm::map_device(bios_area, bios_area_size)), bios_area_size, rsdp);
}

}  // namespace

bool read_madt(Madt& out) {
    Rsdp rsdp;
    if (!find(rsdp)) {
        klog::info("acpi: no RSDP in the BIOS areas: no ACPI tables");
        return false;
    }
    bool xsdt = rsdp.xsdt_address != 0;
    const uint8_t* root = xsdt ? map_table(rsdp.xsdt_address, "XSDT") : nullptr;
    if (!root) {
        xsdt = false;
        root = map_table(rsdp.rsdt_address, "RSDT");
    }
    if (!root) return false;
    size_t count = root_entry_count(root, xsdt);
    for (size_t i = 0; i < count; ++i) {
        uint64_t at = root_entry(root, xsdt, i);
        auto header = static_cast<const uint8_t*>(mm::map_device(at, header_size));
        if (header[0] != 'A' || header[1] != 'P' || header[2] != 'I' || header[3] != 'C') continue;
        const uint8_t* table = map_table(at, "APIC");
        if (!table) return false;
        if (Error e = parse_madt(table, table_length(table, header_size), out); e != Error::none) {
            klog::warn("acpi: MADT at 0x%lx: %s; ignored", at, describe(e));
            return false;
        }
        klog::info("acpi: RSDP revision %u, %s with %zu tables, MADT at 0x%lx: %zu I/O APIC%s, %zu overrides%s",
                   rsdp.revision, xsdt ? "XSDT" : "RSDT", count, at, out.io_apic_count,
                   out.io_apic_count == 1 ? "" : "s", out.override_count, out.has_8259 ? ", 8259 PICs present" : "");
        return true;
    }
    klog::info("acpi: no MADT among %zu tables", count);
    return false;
}

}  // namespace arch::acpi
