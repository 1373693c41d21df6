#include "arch/x86_64/serial.hpp"

#include "arch/x86_64/cpu.hpp"

namespace arch::serial {

namespace {
constexpr uint16_t com1 = 0x3F8;
constexpr uint16_t line_status = com1 + 5;
constexpr uint8_t transmit_empty = 0x20;
}  // namespace

void init() {
    outb(com1 + 1, 0x00);  // no UART interrupts: the console is polled
    outb(com1 + 3, 0x80);  // DLAB on to set the divisor
    outb(com1 + 0, 0x01);  // 115200 baud
    outb(com1 + 1, 0x00);
    outb(com1 + 3, 0x03);  // 8N1
    outb(com1 + 2, 0xC7);  // FIFO on and cleared
    outb(com1 + 4, 0x0B);  // DTR, RTS, OUT2
}

void put_char(char c) {
    if (c == '\n') put_char('\r');
    while (!(inb(line_status) & transmit_empty)) {
    }
    outb(com1, uint8_t(c));
}

}  // namespace arch::serial
