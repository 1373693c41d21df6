#include "arch/x86_64/interrupt_lines.hpp"

#include "arch/x86_64/acpi.hpp"
#include "arch/x86_64/idt.hpp"
#include "arch/x86_64/ioapic.hpp"
#include "arch/x86_64/pic.hpp"
#include "debug/log.hpp"

namespace arch::interrupt_lines {

namespace {
Controller active = Controller::pic;
}

void init() {
    ::acpi::Madt madt;
    if (acpi::read_madt(madt) && ioapic::init(madt)) {
        // Every interrupt now comes through the I/O APIC; a PIC input left
        // unmasked would deliver a second copy through LINT0.
        pic::mask_all();
        active = Controller::ioapic;
        for (unsigned gsi = 0; gsi < ioapic::gsi_count(); ++gsi) ioapic::route(gsi, uint8_t(interrupts::ioapic_base + gsi));
    }
    klog::info("irq: driver interrupt lines through the %s: lines 0-%u, MSI vectors 0x%x-0x%x", controller_name(),
               count() - 1, interrupts::msi_base, interrupts::msi_base + interrupts::msi_count - 1);
}

Controller controller() { return active; }
const char* controller_name() { return active == Controller::ioapic ? "I/O APIC" : "8259 PICs"; }

unsigned count() { return active == Controller::ioapic ? ioapic::gsi_count() : pic::line_count; }

bool reserved(unsigned line) {
    if (active == Controller::pic) return line == 0 || line == pic::cascade_line;
    return line == 0 || line == ioapic::gsi_of_isa(0);
}

uint8_t vector_of(unsigned line) {
    return uint8_t((active == Controller::ioapic ? interrupts::ioapic_base : interrupts::pic_base) + line);
}

bool line_of_vector(uint8_t vector, unsigned& line) {
    uint8_t base = active == Controller::ioapic ? interrupts::ioapic_base : interrupts::pic_base;
    if (vector < base || vector >= base + count()) return false;
    line = vector - base;
    return true;
}

void mask(unsigned line) {
    if (active == Controller::ioapic) ioapic::mask(line);
    else pic::mask(line);
}

void unmask(unsigned line) {
    if (active == Controller::ioapic) ioapic::unmask(line);
    else pic::unmask(line);
}

bool take(unsigned line) {
    if (active == Controller::ioapic) {
        // Masked before the local APIC's end of interrupt, which clears a
        // level-triggered entry's Remote IRR: a line still raised waits
        // for irq_ack instead of firing again at once.
        ioapic::mask(line);
        return true;
    }
    bool last_of_chip = line == 7 || line == 15;
    if (last_of_chip && !pic::in_service(line)) {
        // Spurious: withdrawn before the CPU took it. The master still
        // counts a spurious slave line as in service.
        if (line == 15) pic::end_of_interrupt(0);
        return false;
    }
    pic::mask(line);
    pic::end_of_interrupt(line);
    return true;
}

}  // namespace arch::interrupt_lines
