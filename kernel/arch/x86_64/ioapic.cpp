#include "arch/x86_64/ioapic.hpp"

#include "arch/x86_64/lapic.hpp"
#include "debug/log.hpp"
#include "mm/kernel_space.hpp"

namespace arch::ioapic {

namespace {

using namespace ::acpi;

// Two registers in the I/O APIC's page: an index and a window onto the
// indexed 32-bit register (82093AA datasheet, 3.0).
constexpr uint32_t reg_select = 0x00, reg_window = 0x10;
constexpr uint32_t reg_version = 0x01, reg_redirection = 0x10;  // entry n: 0x10 + 2n (low), + 1 (high)

constexpr uint32_t entry_masked = 1u << 16, entry_level = 1u << 15, entry_active_low = 1u << 13;

struct Chip {
    volatile uint32_t* registers;
    unsigned first, count;  // its GSIs
};
Chip chips[max_io_apics];
unsigned chip_count;
unsigned gsis;
Madt table;

uint32_t read(const Chip& c, uint32_t reg) {
    c.registers[reg_select / 4] = reg;
    return c.registers[reg_window / 4];
}
void write(const Chip& c, uint32_t reg, uint32_t value) {
    c.registers[reg_select / 4] = reg;
    c.registers[reg_window / 4] = value;
}

// The chip and input of a GSI (callers pass GSIs below gsi_count()).
const Chip* chip_of(unsigned gsi, unsigned& input) {
    for (unsigned i = 0; i < chip_count; ++i)
        if (gsi >= chips[i].first && gsi < chips[i].first + chips[i].count) {
            input = gsi - chips[i].first;
            return &chips[i];
        }
    return nullptr;
}

void set_masked(unsigned gsi, bool masked) {
    unsigned input;
    const Chip* c = chip_of(gsi, input);
    if (!c) return;
    uint32_t low = read(*c, reg_redirection + 2 * input);
    write(*c, reg_redirection + 2 * input, masked ? low | entry_masked : low & ~entry_masked);
}

}  // namespace

bool init(const Madt& madt) {
    table = madt;
    for (size_t i = 0; i < madt.io_apic_count && chip_count < max_io_apics; ++i) {
        const IoApic& m = madt.io_apics[i];
        Chip c{static_cast<volatile uint32_t*>(mm::map_device(m.address, 4096)), m.gsi_base, 0};
        uint32_t version = read(c, reg_version);
        c.count = ((version >> 16) & 0xFF) + 1;
        if (m.gsi_base >= max_gsis) {
            klog::warn("ioapic: I/O APIC %u at 0x%x serves GSIs from %u, above the %u this kernel routes; unused", m.id,
                       m.address, m.gsi_base, max_gsis);
            continue;
        }
        if (c.first + c.count > max_gsis) c.count = max_gsis - c.first;
        for (unsigned input = 0; input < c.count; ++input) {
            write(c, reg_redirection + 2 * input + 1, 0);
            write(c, reg_redirection + 2 * input, entry_masked);
        }
        if (c.first + c.count > gsis) gsis = c.first + c.count;
        chips[chip_count++] = c;
        klog::info("ioapic: I/O APIC %u at physical 0x%x, version 0x%x, GSIs %u-%u", m.id, m.address, version & 0xFF,
                   c.first, c.first + c.count - 1);
    }
    for (size_t i = 0; i < madt.override_count; ++i) {
        const Override& o = madt.overrides[i];
        Mode m = mode_of(o.gsi);
        klog::info("ioapic: ISA IRQ %u -> GSI %u (%s, active %s)", o.source, o.gsi, m.level ? "level" : "edge",
                   m.active_low ? "low" : "high");
    }
    return chip_count != 0;
}

bool present() { return chip_count != 0; }
unsigned gsi_count() { return gsis; }

unsigned gsi_of_isa(unsigned irq) {
    for (size_t i = 0; i < table.override_count; ++i)
        if (table.overrides[i].source == irq) return table.overrides[i].gsi;
    return irq;
}

Mode mode_of(unsigned gsi) {
    // An override names the GSI's mode outright, or leaves it to the bus
    // (0): ISA's edge and active high. Without an override the sixteen
    // ISA inputs are ISA's; those above are PCI INTx, level and active low.
    for (size_t i = 0; i < table.override_count; ++i) {
        const Override& o = table.overrides[i];
        if (o.gsi != gsi) continue;
        uint16_t polarity = o.flags & mps_flags::polarity_mask, trigger = o.flags & mps_flags::trigger_mask;
        return Mode{trigger == mps_flags::trigger_level, polarity == mps_flags::polarity_low};
    }
    return gsi < 16 ? Mode{false, false} : Mode{true, true};
}

void route(unsigned gsi, uint8_t vector) {
    unsigned input;
    const Chip* c = chip_of(gsi, input);
    if (!c) return;
    Mode m = mode_of(gsi);
    // Fixed delivery, physical destination: this CPU's local APIC.
    write(*c, reg_redirection + 2 * input, entry_masked);
    write(*c, reg_redirection + 2 * input + 1, uint32_t(lapic::id()) << 24);
    write(*c, reg_redirection + 2 * input,
          entry_masked | (m.level ? entry_level : 0) | (m.active_low ? entry_active_low : 0) | vector);
}

void mask(unsigned gsi) { set_masked(gsi, true); }
void unmask(unsigned gsi) { set_masked(gsi, false); }

}  // namespace arch::ioapic
