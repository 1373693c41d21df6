// 16550 UART on COM1: the kernel's console. Polled, so that it works from
// the first instruction to the last panic line, interrupts on or off.
#pragma once

namespace arch::serial {

void init();
void put_char(char c);

}  // namespace arch::serial
