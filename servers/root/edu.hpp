// QEMU's "edu" teaching device (-device edu, vendor 0x1234, device 0x11E8):
// its MSI is raised on demand by a register write, so the kernel's MSI
// path can be driven, tested and measured without any other device.
// Registers in BAR0 (1 MiB): 0x24 interrupt status, 0x60 raise, 0x64 clear.
#pragma once

#include <cstdint>

#include "sys/pci.hpp"

namespace root {

class Edu {
public:
    enum class Open { ok, absent, unusable };
    // Finds the device, maps its registers (once per boot: the page comes
    // from the PCI window's untyped memory), points its MSI at `message`
    // (irq_issue_msi's value) and enables it, INTx off.
    Open open(uint64_t message);
    // Disables its MSI and clears what it has raised.
    void close();

    // The message its MSI capability sends: address (the upper half 0 if
    // the capability is 64-bit), data.
    void point(uint64_t message);
    void raise() { registers_[0x60 / 4] = 1; }
    void clear() { registers_[0x64 / 4] = registers_[0x24 / 4]; }

private:
    volatile uint32_t* registers_ = nullptr;
    sys::pci::Address at_{};
    uint8_t msi_ = 0;
    sys::Cptr config_ = 0;
};

}  // namespace root
