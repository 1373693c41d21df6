// PCI configuration space through configuration mechanism #1 (ports
// 0xCF8-0xCFF), for whoever holds an io_ports capability to those ports:
// the root task finds devices with it and hands their drivers exactly the
// ports and interrupt line they need (docs/drivers.md).
#pragma once

#include <cstdint>

#include "sys/syscall.hpp"

namespace sys::pci {

inline constexpr uint64_t config_first_port = 0xCF8;  // CONFIG_ADDRESS; CONFIG_DATA at 0xCFC
inline constexpr uint64_t config_port_count = 8;

// Configuration-space offsets of a type-0 header.
namespace reg {
inline constexpr uint8_t vendor = 0x00, device = 0x02, command = 0x04, status = 0x06, class_code = 0x0B,
                         subclass = 0x0A, header_type = 0x0E, bar0 = 0x10, secondary_bus = 0x19,
                         interrupt_line = 0x3C, interrupt_pin = 0x3D;
}
namespace command {
inline constexpr uint16_t io_space = 1, memory_space = 2, bus_master = 4, interrupt_disable = 0x400;
}

struct Address {
    uint8_t bus, device, function;
};

// Reads and writes of one function's configuration space. A failed port
// access (no capability, ports outside it) reads as all ones, as a missing
// device does.
class Config {
public:
    explicit Config(Cptr ports) : ports_(ports) {}
    uint32_t read32(Address a, uint8_t offset) const;
    uint16_t read16(Address a, uint8_t offset) const;
    uint8_t read8(Address a, uint8_t offset) const;
    bool write32(Address a, uint8_t offset, uint32_t value) const;
    bool write16(Address a, uint8_t offset, uint16_t value) const;
    // Whether the mechanism works at all (the capability covers the ports).
    bool usable() const;

private:
    bool select(Address a, uint8_t offset) const;
    Cptr ports_;
};

struct Bar {
    bool present;
    bool io;        // I/O space (else memory)
    uint64_t base;  // port or physical address
    uint64_t size;  // bytes (ports), from the standard sizing write
};

struct Device {
    Address at;
    uint16_t vendor, device;
    uint8_t class_code, subclass;
    uint8_t interrupt_line, interrupt_pin;  // line as the firmware set it (0xFF: none); pin 0: none
};

// Visits every function on bus 0 and on the buses behind PCI-to-PCI
// bridges (depth first, 32 buses at most); stops early when visit returns
// false. Returns the number of functions seen.
template <typename Visit>
unsigned scan(const Config& config, Visit&& visit);

// The first function with this vendor and device id, or false.
bool find(const Config& config, uint16_t vendor, uint16_t device, Device& out);

// BAR `index` (0-5) of a type-0 function, sized (the BAR is restored).
Bar read_bar(const Config& config, Address a, unsigned index);

// The offset of the function's capability with this id in its capability
// list (status bit 4), or 0 when it has none. The walk stops after 48
// entries, so a looping list cannot hang it.
inline constexpr uint8_t capability_msi = 0x05, capability_msix = 0x11;
uint8_t find_capability(const Config& config, Address a, uint8_t id);

// An MSI-X capability (PCI Local Bus 3.0, 6.8.2): its table of `entries`
// vectors (16 bytes each: address low, address high, data, vector control)
// is in memory BAR `table_bar` at `table_offset`.
struct Msix {
    uint8_t at;  // the capability's offset (0: none)
    unsigned entries;
    unsigned table_bar;
    uint32_t table_offset;
};
inline constexpr uint16_t msix_enable = 0x8000, msix_function_mask = 0x4000;
Msix read_msix(const Config& config, Address a);

// --- implementation of scan --------------------------------------------------

Device describe(const Config& config, Address a);

template <typename Visit>
unsigned scan(const Config& config, Visit&& visit) {
    uint8_t pending[32] = {0};
    bool seen[256] = {};
    unsigned count = 0, buses = 1;
    seen[0] = true;
    for (unsigned next = 0; next < buses; ++next) {
        uint8_t bus = pending[next];
        for (uint8_t device = 0; device < 32; ++device) {
            uint8_t functions = 1;
            for (uint8_t function = 0; function < functions; ++function) {
                Address a{bus, device, function};
                if (config.read16(a, reg::vendor) == 0xFFFF) continue;
                uint8_t header = config.read8(a, reg::header_type);
                if (function == 0 && (header & 0x80)) functions = 8;
                ++count;
                if (!visit(describe(config, a))) return count;
                if ((header & 0x7F) == 1 && buses < 32) {  // a PCI-to-PCI bridge
                    uint8_t secondary = config.read8(a, reg::secondary_bus);
                    if (secondary && !seen[secondary]) seen[secondary] = true, pending[buses++] = secondary;
                }
            }
        }
    }
    return count;
}

}  // namespace sys::pci
