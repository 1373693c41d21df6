#include "arch/x86_64/pit.hpp"

#include "arch/x86_64/cpu.hpp"

namespace arch::pit {

namespace {
constexpr uint16_t channel2_data = 0x42;
constexpr uint16_t command = 0x43;
constexpr uint16_t port_b = 0x61;  // bit 0: channel 2 gate, bit 5: channel 2 output
}  // namespace

void busy_wait_us(uint32_t microseconds) {
    uint32_t count = uint32_t(uint64_t(frequency_hz) * microseconds / 1000000);
    if (count > 0xFFFF) count = 0xFFFF;
    // Channel 2 counts only while its gate is high and its output is not
    // wired to the speaker (bit 1 low). Mode 0 raises the output at zero.
    outb(port_b, (inb(port_b) & ~0x02) & ~0x01);
    outb(command, 0xB0);  // channel 2, lobyte/hibyte, mode 0, binary
    outb(channel2_data, uint8_t(count));
    outb(channel2_data, uint8_t(count >> 8));
    outb(port_b, inb(port_b) | 0x01);  // gate high: start counting
    while (!(inb(port_b) & 0x20)) {
    }
    outb(port_b, inb(port_b) & ~0x01);
}

}  // namespace arch::pit
