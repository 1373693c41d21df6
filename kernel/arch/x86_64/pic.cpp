#include "arch/x86_64/pic.hpp"

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/idt.hpp"

namespace arch::pic {

namespace {
constexpr uint16_t master_command = 0x20, master_data = 0x21;
constexpr uint16_t slave_command = 0xA0, slave_data = 0xA1;
constexpr uint8_t end_of_interrupt_command = 0x20, read_in_service = 0x0B;

uint16_t data_port(unsigned line) { return line < 8 ? master_data : slave_data; }
uint8_t bit(unsigned line) { return uint8_t(1u << (line % 8)); }
}  // namespace

void remap_and_mask() {
    // Even masked, a PIC can raise a spurious IRQ 7 or 15; remapping keeps
    // it from landing on an exception vector (the BIOS leaves IRQ 0-7 at
    // vectors 8-15, where they would look like double faults).
    outb(master_command, 0x11);  // ICW1: initialise, ICW4 follows
    outb(slave_command, 0x11);
    outb(master_data, interrupts::pic_base);      // ICW2: vector offsets
    outb(slave_data, interrupts::pic_base + 8);
    outb(master_data, 0x04);  // ICW3: slave on IRQ 2
    outb(slave_data, 0x02);
    outb(master_data, 0x01);  // ICW4: 8086 mode
    outb(slave_data, 0x01);
    // Everything masked but the cascade, so a slave line needs only its own
    // bit unmasked.
    outb(master_data, uint8_t(~bit(cascade_line)));
    outb(slave_data, 0xFF);
}

void mask_all() {
    outb(master_data, 0xFF);
    outb(slave_data, 0xFF);
}

void mask(unsigned line) { outb(data_port(line), inb(data_port(line)) | bit(line)); }
void unmask(unsigned line) { outb(data_port(line), inb(data_port(line)) & ~bit(line)); }

void end_of_interrupt(unsigned line) {
    if (line >= 8) outb(slave_command, end_of_interrupt_command);
    outb(master_command, end_of_interrupt_command);
}

bool in_service(unsigned line) {
    uint16_t command = line < 8 ? master_command : slave_command;
    outb(command, read_in_service);
    return inb(command) & bit(line);
}

}  // namespace arch::pic
